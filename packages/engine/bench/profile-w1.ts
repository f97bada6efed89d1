// Per-kernel time of one W1 training step (defined in BENCHMARKS.md), after warm-up steps.
//   npx tsup && node dist/bench/profile-w1.js [--backend native|wasm|cpu] [--warmup N]
import { initEngine, W1Workload, profileKernels, formatKernelProfile } from '../src/index';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const engine = await initEngine({ backend: option('backend') ?? 'auto' });
  const workload = new W1Workload();
  try {
    for (let i = 0; i < Number(option('warmup') ?? 3); i++) workload.step();
    const profile = await profileKernels(() => workload.step());
    process.stdout.write(`W1 step on ${engine.backend}: ${formatKernelProfile(profile)}\n`);
  } finally {
    workload.dispose();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
