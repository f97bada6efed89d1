import * as path from 'path';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '../../../..');

/**
 * Bundles a TypeScript entry for a child `node` process, with @ssseg/* (and @ssseg/core/testing)
 * taken from their sources (as jest maps them) and every other package left to node_modules.
 */
export async function bundleForNode(entry: string, outfile: string): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'error',
    tsconfig: path.join(root, 'tsconfig.jest.json'),
    plugins: [
      {
        name: 'ssseg-sources',
        setup(b) {
          b.onResolve({ filter: /^@ssseg\/core\/testing$/ }, () => ({ path: path.join(root, 'packages/core/src/testing/fixtures.ts') }));
          b.onResolve({ filter: /^@ssseg\/[a-z-]+$/ }, (args) => {
            const name = args.path.slice('@ssseg/'.length);
            const dir = name.startsWith('plugin-') ? `plugins/${name.slice('plugin-'.length)}` : `packages/${name}`;
            return { path: path.join(root, dir, 'src/index.ts') };
          });
        },
      },
    ],
  });
  return outfile;
}
