import { packageBuild } from '../../tsup.preset';

export default packageBuild({
  // bench/w1 bundles the sources it imports; tfjs stays external, so it shares the one tf instance.
  entry: { index: 'src/index.ts', 'bench/w1': 'bench/w1.ts', 'bench/profile-w1': 'bench/profile-w1.ts', 'bench/affinity-kl': 'bench/affinity-kl.ts' },
  dts: { entry: { index: 'src/index.ts' } },
});
