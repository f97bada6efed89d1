import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { runCli } from './cli-harness';

const repo = path.resolve(__dirname, '../../../..');
const example = path.join(repo, 'plugins/entropy-min');
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-plugin-new-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

/** Every file under dir, by path relative to it. */
function filesUnder(dir: string, prefix = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = path.posix.join(prefix, entry.name);
    if (entry.isDirectory()) Object.assign(files, filesUnder(dir, rel));
    else files[rel] = fs.readFileSync(path.join(dir, rel), 'utf8');
  }
  return files;
}

/** The compiler options a tsconfig file gives, as TypeScript parses them (extends resolved). */
function compilerOptions(file: string): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(file, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); } });
  const { configFilePath: _where, ...options } = parsed!.options;
  return options;
}

async function pluginNew(name: string, ...args: string[]): Promise<{ dir: string; files: Record<string, string> }> {
  const dir = path.join(base, name.replace(/\W/g, '-'));
  const { code, err } = await runCli(['plugin', 'new', name, '--kind', 'regularizer', '--dir', dir, '--registry', ...args]);
  expect(err).toBe('');
  expect(code).toBe(0);
  return { dir, files: filesUnder(dir) };
}

describe('ssseg plugin new', () => {
  it("made with the example plugin's own name, is the example: its src/ and README as they are, the workspace's build config and compiler options", async () => {
    const { dir, files } = await pluginNew('ssseg-plugin-entropy-min');
    const real = filesUnder(example, '');
    const { 'package.json': realPackage, ...realFiles } = Object.fromEntries(
      Object.entries(real).filter(([rel]) => rel === 'package.json' || rel === 'README.md' || rel.startsWith('src/')),
    );
    const { 'package.json': madePackage, '.npmrc': npmrc, 'tsconfig.json': _tsconfig, 'tsup.config.ts': tsup, ...made } = files;
    expect(made).toEqual(realFiles);
    // the workspace's preset, written out with the call plugins/tsup.config.ts makes
    expect(tsup).toBe(`${fs.readFileSync(path.join(repo, 'tsup.preset.ts'), 'utf8')}\nexport default packageBuild();\n`);
    expect(fs.readFileSync(path.join(repo, 'plugins/tsup.config.ts'), 'utf8')).toContain('export default packageBuild();');
    expect(compilerOptions(path.join(dir, 'tsconfig.json'))).toEqual(compilerOptions(path.join(repo, 'plugins/tsconfig.json')));
    expect(npmrc).toBe('ignore-scripts=true\n');

    // package.json: the example's, but for what standing alone needs
    const pkg = JSON.parse(madePackage);
    const examplePkg = JSON.parse(realPackage);
    const standalone = ['description', 'license', 'jest', 'scripts', 'devDependencies'];
    const without = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => !standalone.includes(k)));
    expect(without(pkg)).toEqual(without(examplePkg));
    expect(pkg.license).toBeUndefined();
    expect(pkg.scripts).toEqual({ ...examplePkg.scripts, typecheck: 'tsc --noEmit -p .' });
    expect(pkg.jest.preset).toBe('ts-jest');
    const rootPkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
    for (const tool of ['jest', 'ts-jest', 'tsup', 'typescript']) expect(pkg.devDependencies[tool]).toBe(rootPkg.devDependencies[tool]);
    expect(pkg.devDependencies['@ssseg/core']).toBe(examplePkg.devDependencies['@ssseg/core']);
  });

  it("made with another name, replaces the example's package name, type, class and term name everywhere", async () => {
    const { files } = await pluginNew('@acme/ssseg-plugin-consistency');
    expect(Object.keys(files).sort()).toEqual([
      '.npmrc', 'README.md', 'package.json', 'src/consistency.test.ts', 'src/consistency.ts', 'src/index.ts', 'tsconfig.json', 'tsup.config.ts',
    ]);
    const leftovers = Object.entries(files).filter(([rel, text]) => /entropy-min|EntropyMinimisation|'entropy'/.test(rel + text));
    expect(leftovers.map(([rel]) => rel)).toEqual([]);
    expect(files['src/consistency.ts']).toMatch(/export class Consistency implements Regularizer/);
    expect(files['src/consistency.ts']).toContain("static readonly type = 'consistency';");
    expect(files['src/consistency.ts']).toContain("name: z.string().default('consistency')");
    expect(files['src/index.ts']).toContain("import { Consistency } from './consistency';");
    expect(files['README.md']).toContain("plugins: ['@acme/ssseg-plugin-consistency']");
    expect(JSON.parse(files['package.json'])).toMatchObject({ name: '@acme/ssseg-plugin-consistency', description: 'ssseg plugin: consistency (regularizer)' });
  });

  it('refuses a bad package name, an unknown kind, a type that cannot name a file, and a folder that is not empty, saying which', async () => {
    const dir = path.join(base, 'refused');
    const cases: [string[], string][] = [
      [['Bad Name', '--kind', 'regularizer'], "'Bad Name' is not a valid npm package name"],
      [['ssseg-plugin-x', '--kind', 'optimizer'], "unknown plugin kind 'optimizer': use one of regularizer"],
      [['ssseg-plugin-x', '--kind', 'regularizer', '--type', 'My_Term'], "'My_Term' is not a usable plugin type"],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await runCli(['plugin', 'new', ...args, '--dir', dir]);
      expect(code).not.toBe(0);
      expect(err).toContain(message);
      expect(err).not.toMatch(/\n\s+at /);
      expect(fs.existsSync(dir)).toBe(false);
    }
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'keep.txt'), 'mine');
    const { code, err } = await runCli(['plugin', 'new', 'ssseg-plugin-x', '--kind', 'regularizer', '--dir', dir]);
    expect(code).not.toBe(0);
    expect(err).toContain(`${dir} is not empty; choose a new folder`);
    expect(fs.readdirSync(dir)).toEqual(['keep.txt']);
  });
});
