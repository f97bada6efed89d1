import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'packages/cli/dist/bin.js');

// the demo's supervised cell alone: about a minute of two cores idle, several under load
jest.setTimeout(900_000);

describe('the demo (npm start)', () => {
  it('learns: its supervised run segments digits well above the background-only ~9 % mIoU', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-demo-'));
    const run = spawnSync(process.execPath, [cli, 'compare', '--config', 'configs/demo-mnist.yaml', '--out', out, '--set', 'methods=[{type: supervised}]'], {
      cwd: root, encoding: 'utf8',
    });
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.status).toBe(0);
    const done = JSON.parse(fs.readFileSync(path.join(out, 'supervised+none/1_16/seed1/DONE'), 'utf8'));
    expect(done.finalMiou).toBeGreaterThan(0.2);
    expect(fs.existsSync(path.join(out, 'predictions.png'))).toBe(true);
    fs.rmSync(out, { recursive: true, force: true });
  });
});
