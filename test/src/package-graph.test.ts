import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const script = path.resolve(__dirname, '../../scripts/check-package-graph.js');

/** A workspace with packages low (layer 0) and high (layer 1); `edit` changes it before the check. */
function workspace(edit: (write: (file: string, text: string) => void) => void = () => undefined): { code: number; out: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-graph-'));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  write('package.json', JSON.stringify({ workspaces: ['packages/*'] }));
  write('packages/low/package.json', JSON.stringify({ name: '@x/low' }));
  write('packages/low/src/index.ts', "export const low = 1;\n");
  write('packages/high/package.json', JSON.stringify({ name: '@x/high', dependencies: { '@x/low': '1.0.0' } }));
  write('packages/high/src/index.ts', "import { low } from '@x/low';\nexport const high = low + 1;\n");
  write('docs/ARCHITECTURE.md', '# A\n\n<!-- package-graph -->\n```text\n0 @x/low\n1 @x/high -> @x/low\n```\n');
  edit(write);
  const run = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
  return { code: run.status ?? 1, out: run.stdout + run.stderr };
}

describe('scripts/check-package-graph.js', () => {
  it('passes a workspace whose imports are declared, point down and match the doc', () => {
    const { code, out } = workspace();
    expect(out).toContain('package graph: 2 packages, no cycle, no upward edge');
    expect(code).toBe(0);
  });

  it('fails on an import of a workspace package that package.json does not declare, pointing up', () => {
    const { code, out } = workspace((write) => write('packages/low/src/up.ts', "\n\nconst high = require('@x/high');\n"));
    expect(code).toBe(1);
    expect(out).toContain('packages/low/src/up.ts:3: imports @x/high, which packages/low/package.json does not declare');
    expect(out).toContain('@x/low (layer 0) depends on @x/high (layer 1): dependencies must point to a lower layer');
    expect(out).toMatch(/dependency cycle: @x\/(low -> @x\/high -> @x\/low|high -> @x\/low -> @x\/high)/);
  });

  it('fails when the graph in docs/ARCHITECTURE.md differs from package.json, or leaves a package out', () => {
    const changed = workspace((write) => write('docs/ARCHITECTURE.md', '<!-- package-graph -->\n```text\n0 @x/low\n1 @x/high\n```\n'));
    expect(changed.code).toBe(1);
    expect(changed.out).toContain('the graph says @x/high -> (nothing), but packages/high/package.json declares @x/low');
    const missing = workspace((write) => write('docs/ARCHITECTURE.md', '<!-- package-graph -->\n```text\n0 @x/low\n```\n'));
    expect(missing.out).toContain('@x/high (packages/high) is missing from the package graph');
  });

  it('fails on a dependency no file uses, and on a runtime dependency only tests use', () => {
    const { code, out } = workspace((write) => {
      write('packages/high/package.json', JSON.stringify({ name: '@x/high', dependencies: { '@x/low': '1.0.0', 'left-pad': '1', zod: '4' } }));
      write('packages/high/src/index.test.ts', "import { z } from 'zod';\n");
    });
    expect(code).toBe(1);
    expect(out).toContain('packages/high/package.json: declares left-pad, which no file in src/ or bin/ uses; remove it');
    expect(out).toContain('packages/high/package.json: zod is used only by tests; move it to devDependencies');
  });

  it('counts a plugin package, @types of a used package, require.resolve and a listed unimported dependency as uses', () => {
    const { code, out } = workspace((write) => {
      write('packages/plugin/package.json', JSON.stringify({ name: '@x/plugin', ssseg: { plugin: './dist/index.js' } }));
      write('packages/high/package.json', JSON.stringify({
        name: '@x/high',
        dependencies: { '@x/low': '1.0.0', '@x/plugin': '1.0.0', semver: '7', '@types/semver': '7', 'data-pkg': '1', vega: '5' },
        ssseg: { unimportedDependencies: { vega: 'served to the browser' } },
      }));
      write('packages/high/src/uses.ts', "import * as semver from 'semver';\nconst dir = require.resolve('data-pkg/package.json');\n");
      write('docs/ARCHITECTURE.md', '<!-- package-graph -->\n```text\n0 @x/low\n0 @x/plugin\n1 @x/high -> @x/low @x/plugin\n```\n');
    });
    expect(out).toContain('every dependency used');
    expect(code).toBe(0);
  });
});
