import { defineConfig } from 'tsup';

export default defineConfig({
  // bench/w1 bundles the sources it imports; tfjs stays external, so it shares the one tf instance.
  entry: { index: 'src/index.ts', 'bench/w1': 'bench/w1.ts', 'bench/profile_w1': 'bench/profile_w1.ts', 'bench/affinity_kl': 'bench/affinity_kl.ts' },
  format: ['cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
