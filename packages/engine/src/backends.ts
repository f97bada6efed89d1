import { tf } from './tf';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu' | (string & {});

export interface EngineOptions {
  backend?: BackendName;
  /** Print the choice and the reasons to stderr (default true outside tests). */
  verbose?: boolean;
}

export interface EngineInfo {
  backend: string;
  /** Why each other candidate was skipped. */
  skipped: Record<string, string>;
}

/** Stock backends this package registers, fastest first for training on a CPU-only machine. */
export const CPU_BACKENDS = ['wasm', 'cpu'] as const;

/**
 * Selects and initialises the tensor backend. `auto` takes the fastest one present.
 * Returns which one was chosen and why the others were skipped.
 */
export async function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  const wanted = options.backend ?? 'auto';
  const candidates = wanted === 'auto' ? [...CPU_BACKENDS] : [wanted];
  const skipped: Record<string, string> = {};
  for (const name of candidates) {
    if (!tf.findBackendFactory(name)) {
      skipped[name] = 'not registered';
      continue;
    }
    try {
      const ok = await tf.setBackend(name);
      if (ok) {
        await tf.ready();
        const info = { backend: name, skipped };
        if (options.verbose ?? !process.env.JEST_WORKER_ID) {
          process.stderr.write(`[ssseg] backend: ${name}${describeSkipped(skipped)}\n`);
        }
        return info;
      }
      skipped[name] = 'failed to initialise';
    } catch (err) {
      skipped[name] = `failed to initialise: ${(err as Error).message}`;
    }
  }
  throw new Error(`no usable backend for '${wanted}'${describeSkipped(skipped)}`);
}

function describeSkipped(skipped: Record<string, string>): string {
  const entries = Object.entries(skipped);
  return entries.length ? ` (skipped: ${entries.map(([k, v]) => `${k}: ${v}`).join('; ')})` : '';
}
