import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from './main';

const repoRoot = path.resolve(__dirname, '../../..');

/** A user project outside the workspace with one third-party plugin installed in node_modules. */
function projectWithPlugin(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-cli-'));
  const pkgDir = path.join(dir, 'node_modules/@acme/ssseg-plugin-const');
  fs.mkdirSync(pkgDir, { recursive: true });
  fs.mkdirSync(path.join(dir, 'node_modules/@ssseg'), { recursive: true });
  fs.symlinkSync(path.join(repoRoot, 'packages/core'), path.join(dir, 'node_modules/@ssseg/core'));
  fs.symlinkSync(path.join(repoRoot, 'node_modules/inversify'), path.join(dir, 'node_modules/inversify'));
  fs.symlinkSync(path.join(repoRoot, 'node_modules/zod'), path.join(dir, 'node_modules/zod'));
  fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({
    name: '@acme/ssseg-plugin-const', version: '2.0.0', main: 'index.js', ssseg: { plugin: './index.js' },
  }));
  fs.writeFileSync(path.join(pkgDir, 'index.js'), `
    const { ContainerModule, injectable, inject } = require('inversify');
    const { z } = require('zod');
    const core = require('@ssseg/core');
    class Const { constructor(o) { this.type = 'const'; this.name = 'const'; this.value = o.value; } loss() { throw new Error('unused'); } }
    Const.options = z.object({ value: z.number().default(3) });
    Const.type = 'const';
    Const.summary = 'a constant loss for tests';
    inject(core.ComponentOptions)(Const, undefined, 0);
    injectable()(Const);
    module.exports = core.definePlugin({ name: '@acme/ssseg-plugin-const', version: '2.0.0',
      module: new ContainerModule(({ bind }) => core.provide(bind, core.Regularizer, Const)) });
  `);
  return dir;
}

async function run(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const write = (sink: string[]) => ((chunk: string | Uint8Array) => (sink.push(String(chunk)), true)) as typeof process.stdout.write;
  const saved = [process.stdout.write, process.stderr.write, process.cwd()] as const;
  process.stdout.write = write(out);
  process.stderr.write = write(err);
  process.chdir(cwd);
  try {
    const code = await main(['node', 'ssseg', ...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = saved[0];
    process.stderr.write = saved[1];
    process.chdir(saved[2]);
  }
}

describe('ssseg CLI', () => {
  it('plugins list shows a third-party plugin and the package it came from', async () => {
    const dir = projectWithPlugin();
    const { code, out } = await run(['plugins', 'list', '--json'], dir);
    expect(code).toBe(0);
    const rows = JSON.parse(out);
    expect(rows).toContainEqual(expect.objectContaining({
      extensionPoint: 'Regularizer', type: 'const', plugin: '@acme/ssseg-plugin-const', version: '2.0.0',
    }));
  });

  it('config print fills component defaults and names the path of a bad option', async () => {
    const dir = projectWithPlugin();
    const regs = '[{ type: const }]';
    fs.writeFileSync(path.join(dir, 'ok.yaml'), `method: { type: nomethod }\nmodel: { type: m }\ndata: { type: d }\nregularizers: ${regs}\n`);
    const bad = await run(['config', 'print', 'ok.yaml'], dir);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/ok\.yaml: method\.type: unknown Method type 'nomethod'\. Known Method types: /);
    fs.writeFileSync(path.join(dir, 'bad.yaml'), `model: { type: m }\ndata: { type: d }\ntrain: { epochs: -1 }\n`);
    const invalid = await run(['config', 'print', 'bad.yaml'], dir);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/bad\.yaml: invalid config:\n {2}train\.epochs: /);
  });
});
