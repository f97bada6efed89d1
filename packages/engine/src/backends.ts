import { tf } from './tf';
import './register-all-kernels';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { defaultNativeThreads, setNativeThreads } from './native/addon';
import { registerNativeBackend } from './native/backend';

export type BackendName = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'native' | 'wasm' | 'cpu' | (string & {});

export interface EngineOptions {
  backend?: BackendName;
  /**
   * Threads for backends that take a count: native (default SSSEG_NATIVE_THREADS, else the core count)
   * and wasm (single-threaded under Node whatever is asked).
   */
  threads?: number;
  /** Print the choice and the reasons to stderr (default true outside tests). */
  verbose?: boolean;
}

export interface EngineInfo {
  /** The candidate chosen ('tensorflow-gpu', 'wasm', ...). */
  backend: string;
  /** The TensorFlow.js backend it runs as (tfjs-node and tfjs-node-gpu both register 'tensorflow'). */
  tfBackend: string;
  /** Why each candidate tried before it was skipped. */
  skipped: Record<string, string>;
}

/**
 * Makes a backend available (requiring its package registers it) and returns the name it is
 * registered under in TensorFlow.js. Throws, with the reason, when it cannot be had here.
 */
export type BackendLoader = () => string | Promise<string>;

interface BackendCandidate {
  name: string;
  priority: number;
  load: BackendLoader;
}

const candidates = new Map<string, BackendCandidate>();

/**
 * Adds a backend to `auto` selection (highest priority first) and makes it selectable by name,
 * so a package shipping a backend (a native addon) joins without editing the engine. Built-in
 * priorities: tensorflow-gpu 400, tensorflow 300, native 250, wasm 200, cpu 100. Returns a function that
 * removes the candidate again.
 */
export function registerBackendCandidate(name: string, priority: number, load: BackendLoader): () => void {
  const candidate = { name, priority, load };
  candidates.set(name, candidate);
  return () => {
    if (candidates.get(name) === candidate) candidates.delete(name);
  };
}

/** The candidates, fastest first. */
export function backendCandidates(): { name: string; priority: number }[] {
  return [...candidates.values()].sort((a, b) => b.priority - a.priority).map(({ name, priority }) => ({ name, priority }));
}

/** Why an optional package cannot be required here, or undefined when it is installed. */
export function missingPackageReason(id: string): string | undefined {
  try {
    require.resolve(id);
    return undefined;
  } catch {
    return `${id} is not installed (an optional dependency; its install needs libtensorflow)`;
  }
}

function requireOptional(id: string): void {
  const missing = missingPackageReason(id);
  if (missing) throw new Error(missing);
  try {
    // A variable id keeps bundlers from trying to resolve the absent package at build time.
    const moduleId: string = id;
    require(moduleId);
  } catch (err) {
    throw new Error(`${id} is installed but failed to load: ${(err as Error).message}`);
  }
}

registerBackendCandidate('tensorflow-gpu', 400, () => {
  requireOptional('@tensorflow/tfjs-node-gpu');
  return 'tensorflow';
});
registerBackendCandidate('tensorflow', 300, () => {
  requireOptional('@tensorflow/tfjs-node');
  return 'tensorflow';
});
// The oneDNN addon (native/), built where libdnnl-dev is installed; its loader throws the reason otherwise.
registerBackendCandidate('native', 250, registerNativeBackend);
// wasm (XNNPACK) trains W1 several times faster than the plain-JS cpu backend on this project's machines.
registerBackendCandidate('wasm', 200, () => 'wasm');
registerBackendCandidate('cpu', 100, () => 'cpu');

/**
 * Selects and initialises the tensor backend. `auto` takes the fastest candidate present; a name
 * takes that candidate, or any backend registered with TensorFlow.js under that name.
 * Returns which one was chosen and why the others were skipped.
 */
export async function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  const wanted = options.backend ?? 'auto';
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
    throw new Error(`initEngine: threads must be a positive integer, got ${options.threads}`);
  }
  let tried: BackendCandidate[];
  if (wanted === 'auto') tried = [...candidates.values()].sort((a, b) => b.priority - a.priority);
  else if (candidates.has(wanted)) tried = [candidates.get(wanted)!];
  else if (tf.findBackendFactory(wanted)) tried = [{ name: wanted, priority: 0, load: () => wanted }];
  else {
    const known = [...new Set([...backendCandidates().map((c) => c.name), ...Object.keys(tf.engine().registryFactory)])];
    throw new Error(`initEngine: unknown backend '${wanted}'; known: auto, ${known.join(', ')}`);
  }

  const skipped: Record<string, string> = {};
  for (const candidate of tried) {
    try {
      const tfBackend = await candidate.load();
      if (!tf.findBackendFactory(tfBackend)) throw new Error(`no TensorFlow.js backend '${tfBackend}' is registered`);
      if (tfBackend === 'wasm' && options.threads !== undefined) setThreadsCount(options.threads);
      const nativeThreads = tfBackend === 'native' ? options.threads ?? defaultNativeThreads() : undefined;
      if (nativeThreads !== undefined) setNativeThreads(nativeThreads);
      if (!(await tf.setBackend(tfBackend))) throw new Error(`backend '${tfBackend}' failed to initialise`);
      await tf.ready();
      // tfjs's cpu backend prints 'install tfjs-node' on first use; the engine already reports
      // its choice and why the others were skipped, so mark the backend as used.
      if (tfBackend === 'cpu') (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
      const info: EngineInfo = { backend: candidate.name, tfBackend, skipped };
      if (options.verbose ?? !process.env.JEST_WORKER_ID) {
        const threads = nativeThreads === undefined ? '' : `, ${nativeThreads} thread${nativeThreads === 1 ? '' : 's'}`;
        process.stderr.write(`[ssseg] backend: ${candidate.name}${threads}${describeSkipped(skipped)}\n`);
      }
      return info;
    } catch (err) {
      skipped[candidate.name] = (err as Error).message;
    }
  }
  throw new Error(`initEngine: no usable backend for '${wanted}'${describeSkipped(skipped)}`);
}

function describeSkipped(skipped: Record<string, string>): string {
  const entries = Object.entries(skipped);
  return entries.length ? ` (skipped: ${entries.map(([k, v]) => `${k}: ${v}`).join('; ')})` : '';
}
