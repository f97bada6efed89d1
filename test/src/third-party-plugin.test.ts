import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initEngine } from '@ssseg/engine';
import { parseRunConfig, readMetrics } from '@ssseg/core';
import { writePluginSkeleton } from '@ssseg/cli';
import { Runner, createHost } from '@ssseg/runner';

const repoRoot = path.resolve(__dirname, '../..');

/**
 * The third-party path end to end: `ssseg plugin new` writes a package outside the workspace, it
 * builds with its own tsup config, and a training run loads it by package name from a config and
 * logs its loss term.
 */
describe('a plugin made with `ssseg plugin new`, outside the workspace', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-third-party-'));
  const pluginDir = path.join(base, 'ssseg-plugin-consistency');
  const project = path.join(base, 'project');

  beforeAll(async () => {
    await initEngine({ backend: 'wasm', verbose: false });
  });

  it('builds, and a run loads it by name and logs its term', async () => {
    writePluginSkeleton({ name: '@acme/ssseg-plugin-consistency', kind: 'regularizer', dir: pluginDir });
    // stands in for `npm install` in the plugin folder: the host's packages, as a registry would give them
    fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(pluginDir, 'node_modules'));
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/tsup/dist/cli-default.js')], { cwd: pluginDir, stdio: 'pipe' });
    expect(fs.existsSync(path.join(pluginDir, 'dist/index.js'))).toBe(true);
    expect(fs.existsSync(path.join(pluginDir, 'dist/index.d.ts'))).toBe(true);

    // a user project with the plugin installed next to ssseg
    fs.mkdirSync(path.join(project, 'node_modules/@acme'), { recursive: true });
    fs.symlinkSync(pluginDir, path.join(project, 'node_modules/@acme/ssseg-plugin-consistency'));
    const config = parseRunConfig({
      plugins: ['@acme/ssseg-plugin-consistency'],
      method: { type: 'fixmatch', pseudoLabeler: { type: 'threshold', confThreshold: 0 } },
      regularizers: [{ type: 'consistency', weight: 1 }],
      model: { type: 'unet', baseWidth: 4, depth: 1 },
      data: { type: 'mnist-seg', size: 32, valSize: 4, canvas: 32, cacheDir: path.join(base, 'cache') },
      train: { epochs: 100, maxSteps: 2, batchSize: 2, lr: 0.01, evalEverySteps: 2, optimizer: { type: 'adam', weightDecay: 0 } },
      engine: { backend: 'wasm' },
    });
    const host = createHost({ cwd: project, plugins: config.plugins });
    expect(host.plugins().map((p) => p.name)).toContain('@acme/ssseg-plugin-consistency');
    const outDir = path.join(base, 'run');
    const result = await Runner.fromConfig(config, { out: outDir, host, quiet: true }).run();
    expect(result.failed).toBe(false);
    const steps = readMetrics(path.join(outDir, 'metrics.jsonl')).filter((r) => r.event === 'step');
    expect(steps).toHaveLength(2);
    for (const s of steps) expect(s['loss/consistency'] as number).toBeGreaterThan(0);
  });
});
