import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cliTesting } from '@ssseg/cli';

const ssseg = (args: string[], cwd?: string) => spawnSync(process.execPath, [cliTesting.CLI_BIN, ...args], { cwd, encoding: 'utf8' });

/** The CLI does not depend on the queue: the queue's commands arrive as contributions of an installed plugin. */
describe('commands contributed by installed packages', () => {
  it("the queue's worker and queue commands are commands of the built CLI, and run", () => {
    const help = ssseg(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/\n\s+worker \[options\]/);
    expect(help.stdout).toMatch(/\n\s+queue\s/);
    const worker = ssseg(['worker', '--queue', 'redis://host:abc']);
    expect(worker.status).toBe(1);
    expect(worker.stderr).toContain("malformed Redis URL 'redis://host:abc'");
    expect(worker.stderr).not.toMatch(/\n\s+at /);
  });

  it('a plugin of the project that fails to load is reported once and the other commands still work', () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-broken-plugin-'));
    const pkg = path.join(project, 'node_modules', 'ssseg-plugin-broken');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'project', version: '1.0.0' }));
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'ssseg-plugin-broken', version: '0.0.1', main: 'index.js', ssseg: { plugin: './index.js' } }));
    fs.writeFileSync(path.join(pkg, 'index.js'), "throw new Error('half-installed');");
    const help = ssseg(['--help'], project);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/\n\s+train \[options\]/);
    expect(help.stderr).toMatch(/warning: the commands of installed plugins are not available: plugin 'ssseg-plugin-broken' threw while loading: half-installed/);
    expect(help.stderr.match(/warning/g)).toHaveLength(1);
  });
});
