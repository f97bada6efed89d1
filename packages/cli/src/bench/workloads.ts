import { initEngine, runW1, tf } from '@ssseg/engine';
import { formatW3, runW3, type InterPixelDistance, type InterPixelRelation } from '@ssseg/losses';
import { runW4 } from '@ssseg/models';
import { runLoaderBench } from '@ssseg/datasets';
import { runW2, runW5, type W2Result } from './w2';
import { countCollections, threadCpu, type GcCounts } from './process-stats';
import { describeConv, runPeak } from './peak';
import { gflopsPerSecond } from './conv-flops';

export const WORKLOADS = ['w1', 'w2', 'w3', 'w4', 'w5', 'loader', 'peak'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface BenchOptions {
  backend?: string;
  /** Timed steps / runs / repeats (the workload's own default when absent). */
  steps?: number;
  /** W3 only: pixels per image. */
  sizes?: number[];
  /** W3 only: the relation/distance pairs timed (default all four). */
  forms?: Array<[InterPixelRelation, InterPixelDistance]>;
}

export interface BenchOutcome {
  /** One JSON-able object: the workload's result plus `backend`. */
  json: Record<string, unknown> & { backend: string };
  /** A markdown table of the medians. */
  table: string;
}

const ms = (x: number) => x.toFixed(1);

/** The process's peak resident set so far, MiB. */
export const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 102.4) / 10;

/** The process's CPU by thread and its collections: what a one-thread run costs beyond its one core. */
function processLine(gc: GcCounts): { json: Record<string, unknown>; line: string } {
  const cpu = threadCpu();
  const threads = cpu ? `CPU ${cpu.mainS.toFixed(1)} s on the main thread, ${cpu.otherS.toFixed(1)} s on the others (V8's GC and compiler helpers, OpenMP); ` : '';
  return {
    json: { threadCpu: cpu, gc },
    line: `Process: ${threads}${gc.major} full and ${gc.minor} minor collections (${gc.pauseMs.toFixed(0)} ms of pauses).`,
  };
}

function twoVariantOutcome(workload: string, r: W2Result, gc: GcCounts): BenchOutcome {
  const peak = peakRssMiB();
  const proc = processLine(gc);
  const flops = r.convFlopsPerStepWithout === undefined || r.convFlopsPerStepWith === undefined ? ''
    : ` Convolutions: ${(r.convFlopsPerStepWithout / 1e9).toFixed(1)} GFLOP per step (counted from the first warm-up step's conv calls), ${gflopsPerSecond(r.convFlopsPerStepWithout, r.msPerStepWithout).toFixed(1)} / ${gflopsPerSecond(r.convFlopsPerStepWith, r.msPerStepWith).toFixed(1)} GFLOP/s without / with the term.`;
  return {
    json: { workload, ...r, peakRssMiB: peak, ...proc.json },
    table: [
      `| backend | without IPixMatch (ms/step) | with IPixMatch (ms/step) | term's share | M per view | peak RSS (MiB) |`,
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      `| ${r.backend} | ${ms(r.msPerStepWithout)} | ${ms(r.msPerStepWith)} | ${(100 * r.termShare).toFixed(0)}% | ${r.pixelsPerView} | ${peak} |`,
    ].join('\n') + `\n\nMedian of ${r.steps} steps per variant; one variant after the other, one model held at a time, as the PyTorch reference does.${flops} ${proc.line}`,
  };
}

/** Runs one workload through its package's function and shapes the result for the terminal and BENCHMARKS.md. */
export async function runWorkload(workload: Workload, o: BenchOptions): Promise<BenchOutcome> {
  switch (workload) {
    case 'w1': {
      const r = await runW1({ backend: o.backend, steps: o.steps });
      const peak = peakRssMiB();
      return {
        json: { workload: 'W1', ...r, peakRssMiB: peak },
        table: `| backend | ms/step (median of ${r.steps}) | CPU ms/step | peak RSS (MiB) |\n| --- | ---: | ---: | ---: |\n| ${r.backend} | ${ms(r.msPerStep)} | ${ms(r.cpuMsPerStep)} | ${peak} |`,
      };
    }
    case 'w2': {
      const collections = countCollections();
      const r = await runW2({ backend: o.backend, steps: o.steps });
      return twoVariantOutcome('W2', r, await collections());
    }
    case 'w5': {
      const collections = countCollections();
      const r = await runW5({ backend: o.backend, steps: o.steps });
      return twoVariantOutcome('W5', r, await collections());
    }
    case 'w3': {
      const rows = await runW3({ backend: o.backend, repeats: o.steps, sizes: o.sizes ?? [1024, 4096], forms: o.forms });
      return { json: { workload: 'W3', backend: tf.getBackend(), rows, peakRssMiB: peakRssMiB() }, table: `Backend: ${tf.getBackend()}.\n\n${formatW3(rows)}` };
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
    case 'peak': {
      const r = await runPeak({ backend: o.backend, steps: o.steps });
      return {
        json: { workload: 'peak', ...r, peakRssMiB: peakRssMiB() },
        table: [
          `| backend | ${describeConv(r.conv)}: ms (median of ${r.steps}) | GFLOP/s |`, '| --- | ---: | ---: |',
          `| ${r.backend} | ${ms(r.msPerStep)} | ${r.gflops.toFixed(1)} |`,
        ].join('\n') + `\n\n${(r.flops / 1e9).toFixed(2)} GFLOP per convolution (2 per multiply-add, forward only).`,
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
