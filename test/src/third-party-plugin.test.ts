import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initEngine } from '@ssseg/engine';
import { parseRunConfig, readMetrics } from '@ssseg/core';
import { Runner, createHost } from '@ssseg/runner';
import { repoRoot, shellBlocks, shellPrelude } from './docs-shell';

/**
 * The third-party path end to end, as docs/PLUGINS.md tells it: its first shell block, run as
 * written in a folder outside the repository with npm offline (no registry), writes the package,
 * installs it against this checkout's ssseg, builds it, passes its own tests (the example plugin's,
 * renamed) and type-checks; then a training run loads it by package name from a config and logs
 * its loss term.
 */
describe('a plugin made with `ssseg plugin new`, outside the workspace', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-third-party-'));
  const pluginDir = path.join(base, 'ssseg-plugin-consistency');
  const project = path.join(base, 'project');

  beforeAll(async () => {
    await initEngine({ backend: 'wasm', verbose: false });
  });

  it('installs offline, builds and tests as the guide says, and a run loads it by name and logs its term', async () => {
    const guide = path.join(repoRoot, 'docs/PLUGINS.md');
    const firstBlock = shellBlocks(guide)[0];
    expect(firstBlock.map((l) => l.command)).toEqual([
      'npx ssseg plugin new @acme/ssseg-plugin-consistency --kind regularizer',
      'cd ssseg-plugin-consistency && npm install && npm run build && npm test',
    ]);
    const run = spawnSync('bash', ['-c', `set -e\n${shellPrelude}\n${firstBlock.map((l) => l.command).join('\n')}`], {
      cwd: base, encoding: 'utf8', timeout: 300_000,
      // no registry: an empty cache and npm offline, so anything not linked from this checkout fails
      env: { ...process.env, npm_config_offline: 'true', npm_config_cache: path.join(base, 'npm-cache'), npm_config_audit: 'false', npm_config_fund: 'false' },
    });
    if (run.status !== 0) throw new Error(`the guide's commands failed (${run.status}):\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-3000)}`);
    // the example plugin's tests, renamed: all of them pass, on every backend this machine has
    expect(run.stderr).toMatch(/Tests: +(\d+) passed, \1 total/);
    expect(run.stderr).toContain('consistency [cpu]');
    // the package's own type-check (tsc with its tsconfig.json) passes as well
    const typecheck = spawnSync('npm', ['run', 'typecheck'], { cwd: pluginDir, encoding: 'utf8', timeout: 120_000 });
    expect(typecheck.stderr + typecheck.stdout).not.toMatch(/error TS/);
    expect(typecheck.status).toBe(0);
    const linked = JSON.parse(fs.readFileSync(path.join(pluginDir, 'package.json'), 'utf8')).devDependencies['@ssseg/core'];
    expect(fs.realpathSync(linked.replace(/^file:/, ''))).toBe(fs.realpathSync(path.join(repoRoot, 'packages/core')));
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
