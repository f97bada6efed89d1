import { packageBuild } from '../../tsup.preset';

export default packageBuild({
  // `@ssseg/core/testing`: the fixtures other packages' tests use, kept out of the runtime index
  entry: { index: 'src/index.ts', testing: 'src/testing/fixtures.ts' },
  // one copy of the modules both entries use (the tokens, the plugin helpers), in a shared chunk
  splitting: true,
});
