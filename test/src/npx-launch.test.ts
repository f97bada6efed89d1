import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '../..');

describe('npx ssseg in the repository', () => {
  it('prints no npm warning before the command runs (the project sets no npm config npm does not know)', () => {
    const env = { ...process.env };
    for (const key of Object.keys(env)) if (/^npm_config_onnxruntime/i.test(key) || key === 'ONNXRUNTIME_NODE_INSTALL') delete env[key];
    const run = spawnSync('npx', ['ssseg', '--version'], { cwd: root, env, encoding: 'utf8' });
    expect(run.stderr).not.toMatch(/npm warn/i);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(run.status).toBe(0);
  });
});
