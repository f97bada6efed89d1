import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeVocTree } from '../../packages/datasets/src/testing/fixtures';

const repoRoot = path.resolve(__dirname, '../..');
const bin = path.join(repoRoot, 'packages/cli/dist/bin.js');

/** `ssseg <args>` as a user runs it: the built CLI in its own process. */
function ssseg(args: string[], cwd = repoRoot): { code: number | null; out: string; err: string } {
  // a run that should have been refused would train for minutes: stop it, the test fails on its output
  const run = spawnSync(process.execPath, [bin, '--backend', 'cpu', ...args], { cwd, encoding: 'utf8', timeout: 90_000, env: { ...process.env, SSSEG_NATIVE_THREADS: '1' } });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

function tempDir(): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-bad-input-')));
}

/** A user's mistake is answered with its message alone: no stack trace. */
function expectNoStack(text: string): void {
  expect(text).not.toMatch(/^\s+at .+\(.*:\d+:\d+\)$/m);
}

describe('bad input through the ssseg command', () => {
  const dir = tempDir();
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('refuses misspelt keys of a run config, naming the file, the path and the key meant, and trains nothing', () => {
    const file = write('typo.yaml', [
      'model: { type: unet, baseWidth: 8, depth: 2 }',
      'data: { type: mnist-seg, size: 32, valSize: 8 }',
      'regularisers: [{ type: ipixmatch }]',
      'train: { maxStep: 3, optimizer: { weight_decay: 0 } }',
    ].join('\n'));
    const out = path.join(dir, 'typo-run');
    const run = ssseg(['train', '--config', file, '--out', out]);
    expect(run.err).toBe([
      `ssseg: ${file}: invalid config:`,
      "  train.maxStep: unknown key; did you mean 'maxSteps'?",
      "  regularisers: unknown key; did you mean 'regularizers'?",
      '',
    ].join('\n'));
    expect(run.code).toBe(1);
    expect(fs.existsSync(out)).toBe(false);
    // the optimizer is a registry type, validated by its own options once the config's shape is right
    const fixed = write('typo-optimizer.yaml', [
      'model: { type: unet, baseWidth: 8, depth: 2 }',
      'data: { type: mnist-seg, size: 32, valSize: 8 }',
      'train: { maxSteps: 3, optimizer: { type: adam, weight_decay: 0 } }',
    ].join('\n'));
    const again = ssseg(['train', '--config', fixed, '--out', out]);
    expect(again.err).toMatch(/train\.optimizer\.weight_decay/);
    expect(again.err).not.toMatch(/\n\s+at /);
    expect(again.code).toBe(1);
    expect(fs.existsSync(path.join(out, 'last.ckpt'))).toBe(false);
  });

  it('refuses a misspelt key in a compare file base the same way', () => {
    const file = write('compare.yaml', 'base:\n  model: { type: unet }\n  data: { type: mnist-seg, split: 1_32 }\n  train: { maxStep: 3 }\n');
    const run = ssseg(['compare', '--config', file, '--out', path.join(dir, 'compare-out')]);
    expect(run.err).toBe(`ssseg: ${file}: invalid compare config:\n  base.train.maxStep: unknown key; did you mean 'maxSteps'?\n`);
    expect(run.code).toBe(1);
  });

  it("refuses a bad option in a compare file's last variant before the first run trains or is queued", () => {
    const file = write('compare-variant.yaml', [
      'base:',
      '  model: { type: unet, baseWidth: 8, depth: 2 }',
      '  data: { type: mnist-seg, size: 32, valSize: 8 }',
      '  train: { maxSteps: 3 }',
      'methods: [{ type: fixmatch }]',
      'variants:',
      '  none: []',
      '  ramped: [{ type: ipixmatch, rampup: 300 }]',
      'splits: [1_32]',
    ].join('\n'));
    const out = path.join(dir, 'compare-variant-out');
    // the queue's address is never reached: nothing answers on port 1
    for (const queue of [[], ['--queue', 'redis://127.0.0.1:1']]) {
      const run = ssseg(['compare', '--config', file, '--out', out, ...queue]);
      expect(run.err.startsWith(`ssseg: ${file}: fixmatch+ramped/1_32/seed1: regularizers[0]: invalid options for Regularizer 'ipixmatch'`)).toBe(true);
      expect(run.err).toMatch(/rampup: unknown key; did you mean 'rampUp'\?/);
      expectNoStack(run.err);
      expect(run.code).toBe(1);
      expect(fs.existsSync(out)).toBe(false);
    }
  });

  it("refuses a misspelt option of a plugin's component whose schema is a plain z.object, nested keys too", () => {
    const project = tempDir();
    const pkg = path.join(project, 'node_modules/ssseg-plugin-plain-term');
    fs.mkdirSync(pkg, { recursive: true });
    fs.mkdirSync(path.join(project, 'node_modules/@ssseg'));
    fs.symlinkSync(path.join(repoRoot, 'packages/core'), path.join(project, 'node_modules/@ssseg/core'));
    for (const dep of ['inversify', 'zod']) fs.symlinkSync(path.join(repoRoot, 'node_modules', dep), path.join(project, 'node_modules', dep));
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'ssseg-plugin-plain-term', version: '1.0.0', main: 'index.js' }));
    // as docs/PLUGINS.md once showed it: z.object, which on its own drops keys it does not know
    fs.writeFileSync(path.join(pkg, 'index.js'), `
      const { ContainerModule, inject, injectable } = require('inversify');
      const { z } = require('zod');
      const core = require('@ssseg/core');
      class PlainTerm { constructor(o) { this.type = 'plain-term'; this.name = 'plain-term'; this.o = o; } loss() { throw new Error('unused'); } }
      PlainTerm.type = 'plain-term';
      PlainTerm.options = z.object({ weight: z.number().default(0.1), ramp: z.object({ steps: z.number().default(0) }).default({ steps: 0 }) });
      inject(core.ComponentOptions)(PlainTerm, undefined, 0);
      injectable()(PlainTerm);
      module.exports = core.definePlugin({ name: 'ssseg-plugin-plain-term', version: '1.0.0',
        module: new ContainerModule(({ bind }) => core.provide(bind, core.Regularizer, PlainTerm)) });
    `);
    const file = path.join(project, 'plain.yaml');
    fs.writeFileSync(file, [
      "plugins: ['ssseg-plugin-plain-term']",
      'method: { type: fixmatch }',
      'regularizers: [{ type: plain-term, weight: 1 }]',
      'model: { type: unet, baseWidth: 4, depth: 1 }',
      'data: { type: mnist-seg, size: 32, valSize: 8 }',
      'train: { maxSteps: 1 }',
    ].join('\n'));
    const printed = ssseg(['config', 'print', file], project);
    expect(printed.code).toBe(0);
    expect(printed.out).toMatch(/type: plain-term\n\s+weight: 1\n\s+ramp:\n\s+steps: 0\n/);
    const out = path.join(project, 'run');
    const run = ssseg(['train', '--config', file, '--out', out, '--set', 'regularizers[0].wieght=3', '--set', 'regularizers[0].ramp.stesp=5'], project);
    // the source names the flags that set the keys
    const source = `${file} (with --set regularizers[0].wieght=3 --set regularizers[0].ramp.stesp=5)`;
    expect(run.err).toContain([
      `ssseg: ${source}: regularizers[0]: invalid options for Regularizer 'plain-term':`,
      `  ${source}: regularizers[0].ramp.stesp: unknown key; did you mean 'steps'?`,
      `  ${source}: regularizers[0].wieght: unknown key; did you mean 'weight'?`,
      '',
    ].join('\n'));
    expectNoStack(run.err);
    expect(run.code).toBe(1);
    expect(fs.existsSync(path.join(out, 'last.ckpt'))).toBe(false);
  });

  it('refuses a config over the size limit with the file name', () => {
    const file = write('huge.yaml', '');
    fs.truncateSync(file, 50 * 1024 * 1024);
    const run = ssseg(['train', '--config', file, '--out', path.join(dir, 'huge-run')]);
    expect(run.err).toBe(`ssseg: ${file}: config is 50.0 MB, over the 1.0 MB limit for config files; is this the right file?\n`);
    expect(run.code).toBe(1);
  });

  it('refuses a YAML alias bomb with the file name and no stack trace', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const file = write('bomb.yaml', lines.join('\n') + '\nmodel: { type: unet }\n');
    const run = ssseg(['config', 'print', file]);
    expect(run.err).toBe(`ssseg: ${file}: invalid YAML: Excessive alias count indicates a resource exhaustion attack\n`);
    expect(run.code).toBe(1);
  });

  it('refuses a split file line outside the data root before training, naming the split file and line', async () => {
    const { root } = await makeVocTree(5);
    fs.writeFileSync(path.join(root, 'splits/2/labeled.txt'), 'JPEGImages/2007_000000.jpg SegmentationClass/2007_000000.png\n../../../../etc/passwd SegmentationClass/2007_000000.png\n');
    const file = write('voc.yaml', [
      'model: { type: unet, baseWidth: 4, depth: 1 }',
      `data: { type: pascal-voc, root: ${JSON.stringify(root)}, split: '2', cropSize: 8 }`,
      'train: { maxSteps: 1, batchSize: 1 }',
    ].join('\n'));
    const run = ssseg(['train', '--config', file, '--out', path.join(dir, 'voc-run')]);
    expect(run.err).toContain(
      `ssseg: ${file}: data: building Dataset 'pascal-voc' (from @ssseg/datasets) failed: ` +
        `${path.join(root, 'splits/2/labeled.txt')}:2: image path ../../../../etc/passwd leaves the data root ${root}\n`,
    );
    expectNoStack(run.err);
    expect(run.code).toBe(1);
  });

  it("runs no plugin package from a parent folder's node_modules", () => {
    const parent = tempDir();
    const marker = path.join(parent, 'plugin-code-ran');
    const pkg = path.join(parent, 'node_modules/ssseg-plugin-stray');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'ssseg-plugin-stray', version: '1.0.0', main: 'index.js', ssseg: { plugin: './index.js' } }));
    fs.writeFileSync(path.join(pkg, 'index.js'), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');`);
    const work = path.join(parent, 'experiments/today');
    fs.mkdirSync(work, { recursive: true });
    const run = ssseg(['plugins', 'list'], work);
    expect(fs.existsSync(marker)).toBe(false);
    expect(run.code).toBe(0);
    // the CLI's own install still brings the shipped plugins
    expect(run.out).toMatch(/fixmatch +@ssseg\/plugin-fixmatch@/);
    expect(run.out).not.toContain('stray');
  });
  it('plugin link refuses a folder that is no built plugin, and unlink one that is not linked, recording nothing', () => {
    const work = tempDir();
    const plugin = path.join(work, 'ssseg-plugin-unbuilt');
    fs.mkdirSync(plugin);
    fs.writeFileSync(path.join(plugin, 'package.json'), JSON.stringify({ name: '@acme/unbuilt', version: '1.0.0', main: 'dist/index.js', ssseg: { plugin: './dist/index.js' } }));
    const link = ssseg(['plugin', 'link', 'ssseg-plugin-unbuilt'], work);
    expect(link.code).toBe(1);
    expect(link.err).toContain(`does not exist (is the plugin built? npm run build in ${plugin})`);
    expectNoStack(link.err);
    expect(fs.existsSync(path.join(work, 'package.json'))).toBe(false);
    const unlink = ssseg(['plugin', 'unlink', 'ssseg-plugin-unbuilt'], work);
    expect(unlink.code).toBe(1);
    expect(unlink.err).toContain(`${plugin} is not linked in ${path.join(work, 'package.json')} (linked: none)`);
    expectNoStack(unlink.err);
  });

  it('answers an unknown backend with the list, the native one in it, and no stack trace', () => {
    const run = ssseg(['--backend', 'gpu', 'config', 'print', path.join(repoRoot, 'configs/mnist-seg/fixmatch.yaml')]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/'gpu' is invalid\. Allowed choices are auto, .*native.*cpu/);
    expectNoStack(run.err);
  });

  it('shows the stack trace of an error only with --debug', () => {
    const missing = path.join(dir, 'missing.yaml');
    const plain = ssseg(['train', '--config', missing]);
    expect(plain.err).toBe(`ssseg: ${missing}: cannot read config: no such file (looked for ${missing})\n`);
    const debug = ssseg(['--debug', 'train', '--config', missing]);
    expect(debug.code).toBe(1);
    expect(debug.err).toMatch(/^ssseg: ConfigError: .*missing\.yaml: cannot read config: no such file/);
    expect(debug.err).toMatch(/^\s+at .+\(.*:\d+:\d+\)$/m);
  });
});
