import { initEngine, runW1, tf } from '@ssseg/engine';
import { formatW3, runW3 } from '@ssseg/losses';
import { runW4 } from '@ssseg/models';
import { runLoaderBench } from '@ssseg/datasets';
import { runW2 } from './w2';

export const WORKLOADS = ['w1', 'w2', 'w3', 'w4', 'loader'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface BenchOptions {
  backend?: string;
  /** Timed steps / runs / repeats (the workload's own default when absent). */
  steps?: number;
  /** W3 only: pixels per image. */
  sizes?: number[];
}

export interface BenchOutcome {
  /** One JSON-able object: the workload's result plus `backend`. */
  json: Record<string, unknown> & { backend: string };
  /** A markdown table of the medians. */
  table: string;
}

const ms = (x: number) => x.toFixed(1);

/** Runs one workload through its package's function and shapes the result for the terminal and BENCHMARKS.md. */
export async function runWorkload(workload: Workload, o: BenchOptions): Promise<BenchOutcome> {
  switch (workload) {
    case 'w1': {
      const r = await runW1({ backend: o.backend, steps: o.steps });
      return {
        json: { workload: 'W1', ...r },
        table: `| backend | ms/step (median of ${r.steps}) | CPU ms/step |\n| --- | ---: | ---: |\n| ${r.backend} | ${ms(r.msPerStep)} | ${ms(r.cpuMsPerStep)} |`,
      };
    }
    case 'w2': {
      const r = await runW2({ backend: o.backend, steps: o.steps });
      return {
        json: { workload: 'W2', ...r },
        table: [
          `| backend | without IPixMatch (ms/step) | with IPixMatch (ms/step) | term's share | M per view |`,
          '| --- | ---: | ---: | ---: | ---: |',
          `| ${r.backend} | ${ms(r.msPerStepWithout)} | ${ms(r.msPerStepWith)} | ${(100 * r.termShare).toFixed(0)}% | ${r.pixelsPerView} |`,
        ].join('\n') + `\n\nMedian of ${r.steps} steps per variant, interleaved.`,
      };
    }
    case 'w3': {
      const rows = await runW3({ backend: o.backend, repeats: o.steps, sizes: o.sizes ?? [1024, 4096] });
      return { json: { workload: 'W3', backend: tf.getBackend(), rows }, table: `Backend: ${tf.getBackend()}.\n\n${formatW3(rows)}` };
    }
    case 'w4': {
      const r = await runW4({ backend: o.backend ?? 'auto', runs: o.steps });
      return {
        json: { ...r },
        table: [
          `| engine | ms per batch of ${r.input[0]} (median of ${r.tfjsRunsMs.length}) |`, '| --- | ---: |',
          `| tfjs, ${r.backend} backend | ${ms(r.tfjsMs)} |`, `| onnxruntime-node (CPU) | ${ms(r.onnxruntimeMs)} |`,
        ].join('\n'),
      };
    }
    case 'loader': {
      if (o.backend) await initEngine({ backend: o.backend, verbose: false });
      const r = await runLoaderBench({ batches: o.steps });
      return {
        json: { workload: 'loader', ...r },
        table: [
          `| batch (${r.batchSize} L + ${r.unlabelledBatchSize} U x ${r.strongViews} strong, 64x64), ${r.batches} batches | ms |`, '| --- | ---: |',
          `| median | ${ms(r.batchMs.median)} |`, `| min | ${ms(r.batchMs.min)} |`, `| max | ${ms(r.batchMs.max)} |`,
        ].join('\n'),
      };
    }
  }
}
