import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { installRoot, pluginFolders, projectRoot } from './plugin-folders';
import { createHost } from './host';

const repoRoot = path.resolve(__dirname, '../../..');

function tempTree(): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-folders-')));
}

function writePackage(dir: string, pkg: Record<string, unknown>, index = ''): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
  fs.writeFileSync(path.join(dir, 'index.js'), index);
}

describe('where plugins are looked for', () => {
  it('the project is the nearest folder with a package.json, or the working directory', () => {
    const root = tempTree();
    writePackage(path.join(root, 'project'), { name: 'project' });
    fs.mkdirSync(path.join(root, 'project/configs/sub'), { recursive: true });
    fs.mkdirSync(path.join(root, 'loose/sub'), { recursive: true });
    expect(projectRoot(path.join(root, 'project/configs/sub'))).toBe(path.join(root, 'project'));
    expect(projectRoot(path.join(root, 'project'))).toBe(path.join(root, 'project'));
    expect(projectRoot(path.join(root, 'loose/sub'))).toBe(path.join(root, 'loose/sub'));
  });

  it('the CLI install is the folder whose node_modules holds it, installed or linked', () => {
    const root = tempTree();
    const installed = path.join(root, 'app/node_modules/@ssseg/cli');
    writePackage(installed, { name: '@ssseg/cli' });
    expect(installRoot(installed)).toBe(path.join(root, 'app'));
    // a workspace links it from its node_modules, as this repository does
    expect(installRoot(path.join(repoRoot, 'packages/cli'))).toBe(repoRoot);
    // a copy that no node_modules holds has no install folder
    writePackage(path.join(root, 'loose/cli'), { name: '@ssseg/cli' });
    expect(installRoot(path.join(root, 'loose/cli'))).toBeUndefined();
  });

  it('are the project, the CLI package and its install, not the folders above them', () => {
    const root = tempTree();
    const cli = path.join(root, 'app/node_modules/@ssseg/cli');
    writePackage(cli, { name: '@ssseg/cli' });
    fs.mkdirSync(path.join(root, 'outer/work'), { recursive: true });
    expect(pluginFolders(path.join(root, 'outer/work'), cli)).toEqual([path.join(root, 'outer/work'), cli, path.join(root, 'app')]);
  });

  it("never loads a plugin package from a parent folder's node_modules", () => {
    const root = tempTree();
    const marker = path.join(root, 'ran');
    writePackage(path.join(root, 'node_modules/evil-plugin'), { name: 'evil-plugin', version: '1.0.0', main: 'index.js', ssseg: { plugin: './index.js' } },
      `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x');`);
    const work = path.join(root, 'experiments/run1');
    fs.mkdirSync(work, { recursive: true });
    const host = createHost({ cwd: work });
    expect(fs.existsSync(marker)).toBe(false);
    // the CLI's own install still provides the shipped plugins
    expect(host.plugins().map((p) => p.name)).toEqual(expect.arrayContaining(['@ssseg/plugin-fixmatch', '@ssseg/plugin-ipixmatch']));
    expect(host.plugins().map((p) => p.name)).not.toContain('evil-plugin');
  });
});
