import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { addPluginLink, pluginLinks, removePluginLink } from './plugin-links';
import { createHost } from './host';

const repoRoot = path.resolve(__dirname, '../../..');

/** A plugin package in a folder of its own (`root/name`), registering nothing, with inversify reachable from it. */
function pluginFolder(root: string, name: string, pkgName: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.symlinkSync(path.join(repoRoot, 'node_modules/inversify'), path.join(dir, 'node_modules/inversify'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: pkgName, version: '2.0.0', main: 'index.js', ssseg: { plugin: './index.js' } }));
  fs.writeFileSync(path.join(dir, 'index.js'), `const { ContainerModule } = require('inversify');
    module.exports = { name: ${JSON.stringify(pkgName)}, version: '2.0.0', module: new ContainerModule(() => {}) };`);
  return dir;
}

describe('plugin folders a project links (ssseg plugin link)', () => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-links-')));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("are recorded relative to the project's package.json, keeping its other fields and indentation, and loaded by every host there", () => {
    const project = path.join(root, 'project');
    fs.mkdirSync(path.join(project, 'configs'), { recursive: true });
    fs.writeFileSync(path.join(project, 'package.json'), '{\n    "name": "project",\n    "ssseg": { "other": 1 }\n}\n');
    const plugin = pluginFolder(root, 'ssseg-plugin-linked', '@acme/linked');
    expect(addPluginLink(project, plugin)).toBe(true);
    expect(addPluginLink(project, path.join(project, '../ssseg-plugin-linked/'))).toBe(false);
    expect(fs.readFileSync(path.join(project, 'package.json'), 'utf8')).toBe(
      '{\n    "name": "project",\n    "ssseg": {\n        "other": 1,\n        "plugins": [\n            "../ssseg-plugin-linked"\n        ]\n    }\n}\n',
    );
    expect(pluginLinks(project)).toEqual({ file: path.join(project, 'package.json'), folders: [plugin] });
    // from any folder of the project
    const host = createHost({ cwd: path.join(project, 'configs') });
    expect(host.plugins()).toContainEqual({ name: '@acme/linked', version: '2.0.0', source: '@acme/linked', folder: plugin });
    expect(removePluginLink(project, '../ssseg-plugin-linked')).toBe(false); // relative to the working directory, not the project
    expect(removePluginLink(project, plugin)).toBe(true);
    expect(pluginLinks(project).folders).toEqual([]);
    expect(createHost({ cwd: project }).plugins().map((p) => p.name)).not.toContain('@acme/linked');
  });

  it('make a package.json for a folder that has none', () => {
    const loose = path.join(root, 'loose');
    fs.mkdirSync(loose);
    expect(addPluginLink(loose, path.join(loose, 'plugins/mine'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(loose, 'package.json'), 'utf8'))).toEqual({ private: true, ssseg: { plugins: ['./plugins/mine'] } });
  });

  it('name the package.json when a linked folder is gone or the field is malformed', () => {
    const project = path.join(root, 'broken');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ ssseg: { plugins: ['../gone'] } }));
    expect(() => createHost({ cwd: project })).toThrow(
      `plugin folder ${path.join(root, 'gone')} (named in ${path.join(project, 'package.json')}, ssseg.plugins; unlink it with 'ssseg plugin unlink ${path.join(root, 'gone')}') does not exist`,
    );
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ ssseg: { plugins: '../gone' } }));
    expect(() => pluginLinks(project)).toThrow(`${path.join(project, 'package.json')}: ssseg.plugins: expected a list of plugin folders`);
  });
});
