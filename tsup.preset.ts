import { defineConfig, type Options } from 'tsup';

/**
 * Every package's build: CommonJS for node 20 with declarations and source maps, into an emptied
 * dist/. A package's tsup.config.ts passes only what differs (its entries, code splitting).
 */
export function packageBuild(options: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    ...options,
  });
}
