// W1 benchmark (defined in BENCHMARKS.md): ms per training step, median of the timed steps.
//   npx tsup && node dist/bench/w1.js [--backend auto|wasm|cpu|tensorflow|...] [--steps N] [--warmup N] [--json]
import { initEngine, runW1 } from '../src/index';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const engine = await initEngine({ backend: option('backend') ?? 'auto', verbose: !json });
  const steps = Number(option('steps') ?? 10);
  const warmup = Number(option('warmup') ?? 3);
  const result = await runW1({ steps, warmup });
  const report = { ...result, backend: engine.backend };
  if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    process.stdout.write(`W1 on ${report.backend}: ${report.msPerStep.toFixed(1)} ms/step, ${report.cpuMsPerStep.toFixed(1)} ms CPU/step (medians of ${steps}; `);
    process.stdout.write(`steps ${report.timesMs.map((t) => t.toFixed(0)).join(' ')} ms)\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
