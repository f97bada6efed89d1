import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readMetrics } from '@ssseg/core';
import { LAUNCHER, quickArgs, repoRoot, shellBlocks, shellQuoted } from './docs-shell';

/**
 * The third-party path end to end, as docs/PLUGINS.md tells it: its first shell block, run as
 * written with npm offline and an empty cache (no registry), from a stand-in for a fresh clone
 * (a folder whose node_modules/.bin/ssseg is this checkout's launcher, as `npm ci` makes it):
 * writes the plugin into a folder of its own outside the repository, installs it against this
 * checkout's ssseg, builds it, passes its own tests (the example plugin's, renamed), runs
 * `npx ssseg` in the plugin's folder, links the folder into the project, lists it, and trains
 * with it. Trainings get the same few-step overrides as the documented commands' test.
 */
describe('a plugin made with `ssseg plugin new`, in a folder of its own', () => {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-third-party-')));
  const clone = path.join(base, 'ssseg');
  const pluginDir = path.join(base, 'ssseg-plugin-consistency');
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it('builds, tests, links and trains as the guide says, and plugins list shows its folder', () => {
    const guide = path.join(repoRoot, 'docs/PLUGINS.md');
    const firstBlock = shellBlocks(guide)[0].map((l) => l.command);
    expect(firstBlock).toEqual([
      'npx ssseg plugin new @acme/ssseg-plugin-consistency --kind regularizer --dir ../ssseg-plugin-consistency',
      'cd ../ssseg-plugin-consistency && npm install && npm run build && npm test',
      'npx ssseg plugins list --plugin .',
      'cd - && npx ssseg plugin link ../ssseg-plugin-consistency',
      'npx ssseg plugins list',
      "npx ssseg train --config configs/mnist-seg/fixmatch.yaml --set 'regularizers=[{type: consistency, weight: 1}]' --out runs/consistency",
    ]);
    // the user's clone: its package.json, its configs, and npx finding its ssseg in node_modules/.bin
    fs.mkdirSync(path.join(clone, 'node_modules/.bin'), { recursive: true });
    fs.writeFileSync(path.join(clone, 'package.json'), JSON.stringify({ name: 'ssseg-workspace', private: true }, null, 2) + '\n');
    fs.cpSync(path.join(repoRoot, 'configs'), path.join(clone, 'configs'), { recursive: true });
    fs.symlinkSync(LAUNCHER, path.join(clone, 'node_modules/.bin/ssseg'));
    const script = firstBlock.map((line) => [line, ...shellQuoted(quickArgs(line))].join(' ')).join('\n');
    const run = spawnSync('bash', ['-c', `set -e\n${script}`], {
      cwd: clone, encoding: 'utf8', timeout: 400_000,
      // no registry: an empty cache and npm offline, so anything not linked from this checkout fails
      env: {
        ...process.env, npm_config_offline: 'true', npm_config_cache: path.join(base, 'npm-cache'), npm_config_audit: 'false',
        npm_config_fund: 'false', npm_config_update_notifier: 'false', SSSEG_NATIVE_THREADS: '1', SSSEG_CACHE_DIR: path.join(base, '.cache'),
      },
    });
    if (run.status !== 0) throw new Error(`the guide's commands failed (${run.status}):\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
    // the example plugin's tests, renamed: all of them pass, on every backend this machine has
    expect(run.stderr).toMatch(/Tests: +(\d+) passed, \1 total/);
    expect(run.stderr).toContain('consistency [cpu]');
    expect(run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

    // npx ssseg in the plugin's folder is this checkout's, through the plugin's own devDependency
    expect(fs.realpathSync(path.join(pluginDir, 'node_modules/.bin/ssseg'))).toBe(fs.realpathSync(LAUNCHER));
    // both listings (in the plugin's folder, then in the project that linked it) show its type and its folder
    const escaped = pluginDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(run.stdout.match(/^ {2}consistency +@acme\/ssseg-plugin-consistency@0\.1\.0 /gm)).toHaveLength(2);
    expect(run.stdout.match(new RegExp(`^ {2}@acme/ssseg-plugin-consistency@0\\.1\\.0 +${escaped}$`, 'gm'))).toHaveLength(2);
    expect(run.stdout).toContain(`linked @acme/ssseg-plugin-consistency@0.1.0 (${pluginDir}) in ${path.join(clone, 'package.json')}`);
    // the link is in the project's package.json, relative, beside what was there
    expect(JSON.parse(fs.readFileSync(path.join(clone, 'package.json'), 'utf8'))).toEqual({
      name: 'ssseg-workspace', private: true, ssseg: { plugins: ['../ssseg-plugin-consistency'] },
    });
    // the run used the plugin: its term in every step of metrics.jsonl
    const steps = readMetrics(path.join(clone, 'runs/consistency/metrics.jsonl')).filter((r) => r.event === 'step');
    expect(steps).toHaveLength(2);
    for (const s of steps) expect(s['loss/consistency'] as number).toBeGreaterThan(0);

    // the package's own type-check (tsc with its tsconfig.json) passes as well
    const typecheck = spawnSync('npm', ['run', 'typecheck'], { cwd: pluginDir, encoding: 'utf8', timeout: 120_000 });
    expect(typecheck.stderr + typecheck.stdout).not.toMatch(/error TS/);
    expect(typecheck.status).toBe(0);
    const linked = JSON.parse(fs.readFileSync(path.join(pluginDir, 'package.json'), 'utf8')).devDependencies['@ssseg/core'];
    expect(fs.realpathSync(linked.replace(/^file:/, ''))).toBe(fs.realpathSync(path.join(repoRoot, 'packages/core')));
  }, 600_000);

  it("refuses a plugin that is neither installed, linked nor named by folder, naming the steps that work", () => {
    const config = { extends: path.join(repoRoot, 'configs/mnist-seg/fixmatch.yaml'), plugins: ['@acme/ssseg-plugin-elsewhere'] };
    fs.writeFileSync(path.join(base, 'named.yaml'), JSON.stringify(config));
    const run = spawnSync('node', [LAUNCHER, 'config', 'print', path.join(base, 'named.yaml')], { cwd: base, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(
      "plugin '@acme/ssseg-plugin-elsewhere' is not installed (looked from " + base + "); link its folder with 'npx ssseg plugin link /path/to/plugin'",
    );
    expect(run.stderr).not.toContain('npm install');
    expect(run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });
});
