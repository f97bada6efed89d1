import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const cliRoot = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(cliRoot, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[]; version: string };

describe('the ssseg bin', () => {
  // npm links a workspace's bin at install time, before any build: a target under dist/ is not linked.
  it('points at a committed file that exists before the build and ships with the package', () => {
    const target = pkg.bin.ssseg;
    expect(target).toBeDefined();
    expect(target).not.toMatch(/^(\.\/)?dist\//);
    expect(fs.existsSync(path.join(cliRoot, target))).toBe(true);
    expect(pkg.files.some((f) => target.replace(/^\.\//, '').startsWith(f))).toBe(true);
  });

  it('says how to build when the CLI is not built, without a stack trace', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-bin-'));
    fs.mkdirSync(path.join(copy, 'bin'));
    fs.copyFileSync(path.join(cliRoot, pkg.bin.ssseg), path.join(copy, 'bin', 'ssseg.js'));
    const result = spawnSync(process.execPath, [path.join(copy, 'bin', 'ssseg.js'), '--version'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/not built yet .*run `npm run build`/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs the built CLI: --version prints the package version', () => {
    if (!fs.existsSync(path.join(cliRoot, 'dist', 'bin.js'))) throw new Error('build the CLI first (npm test builds it)');
    const result = spawnSync(process.execPath, [path.join(cliRoot, pkg.bin.ssseg), '--version'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });
});
