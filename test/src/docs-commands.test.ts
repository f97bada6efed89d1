import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LAUNCHER, documentedCommands, quickArgs, repoRoot, shellPrelude, shellQuoted } from './docs-shell';

/**
 * Documentation that is executed: every `ssseg` / `npx ssseg` line of a shell block in README.md
 * and docs/*.md runs, in document order, as written, through the built CLI, in a temporary folder
 * holding a copy of configs/. Trainings get a few overrides that make them tiny (`QUICK`); a
 * command that cannot run here is listed in `SKIPPED` with the reason, so a new documented command
 * runs unless someone says why not.
 */

/** Commands (as written, comment removed) that do not run here, and why. */
const SKIPPED: Record<string, string> = {
  'SSSEG_NATIVE_THREADS=1 npx ssseg worker --queue redis://127.0.0.1:6390 &':
    'a worker runs until stopped, on port 6390 (taken by a running experiment here); the queue tests run workers on a free port',
  'npx ssseg compare --config configs/compare-mnist-lowest.yaml --queue redis://127.0.0.1:6390':
    'needs the Redis server and workers above',
  'npx ssseg compare --config configs/search-ipixmatch-mnist.yaml --queue redis://127.0.0.1:6390 --out runs/search-ipixmatch':
    'needs the Redis server and workers above',
  'npx ssseg compare --config configs/ipixmatch-experiment/stage1-unimatch-literal.yaml --queue redis://127.0.0.1:6390':
    'needs the Redis server and workers above',
  'npx ssseg compare --config configs/ipixmatch-experiment/stage2-unimatch-search.yaml --queue redis://127.0.0.1:6390':
    'needs the Redis server and workers above',
  'npx ssseg compare --config configs/ipixmatch-experiment/stage3-unimatch-ratio-0.3x.yaml --queue redis://127.0.0.1:6390':
    'needs the Redis server and workers above',
  'npx ssseg compare --config configs/ipixmatch-experiment/stage4-fixmatch-1_16.yaml --queue redis://127.0.0.1:6390':
    'needs the Redis server and workers above',
  'npx ssseg compare --config configs/ipixmatch-experiment/stage4-unimatch-1_32.yaml --queue redis://127.0.0.1:6390':
    'needs the Redis server and workers above',
  'ssseg worker --queue redis://:SECRET@queue-host:6379/0': 'needs a Redis server at queue-host',
  'ssseg compare --config compare.yaml --queue redis://:SECRET@queue-host:6379/0 --out /shared/runs/cmp':
    'needs a Redis server at queue-host and shared storage',
  'ssseg queue status --queue redis://:SECRET@queue-host:6379/0': 'needs a Redis server at queue-host',
  'ssseg queue clear --queue redis://:SECRET@queue-host:6379/0 --out /shared/runs/old': 'needs a Redis server at queue-host',
  'ssseg queue drain --queue redis://:SECRET@queue-host:6379/0': 'needs a Redis server at queue-host',
  'npx ssseg import-backbone --from pretrained/resnet101.pth': "needs UniMatch's ImageNet weights, a download",
  'npx ssseg import-backbone --from resnet50-0676ba61.pth': "needs torchvision's ImageNet weights, a download",
  'npx ssseg serve runs/demo': 'serves until stopped (test/src/serve-dashboard.test.ts starts it)',
  'npx ssseg plugin new @acme/ssseg-plugin-consistency --kind regularizer --dir ../ssseg-plugin-consistency':
    'writes beside the folder it runs in; test/src/third-party-plugin.test.ts runs this walk-through as written, in a folder of its own',
  'npx ssseg plugins list --plugin .': 'runs in the plugin folder the walk-through builds (test/src/third-party-plugin.test.ts)',
  "npx ssseg train --config configs/mnist-seg/fixmatch.yaml --set 'regularizers=[{type: consistency, weight: 1}]' --out runs/consistency":
    'needs the plugin the walk-through builds and links (test/src/third-party-plugin.test.ts)',
};

const docs = ['README.md', ...fs.readdirSync(path.join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const commands = docs.flatMap((f) => documentedCommands(path.join(repoRoot, f)));

/**
 * Runs a bash script to its end, or, with `killAtMarker`, until the CLI writes its pid to that file
 * at its pause point (core's pausePoint), then kills that process with SIGKILL.
 */
async function runShell(script: string, o: { cwd: string; env: NodeJS.ProcessEnv; killAtMarker?: string }): Promise<{ code: number | null; stderr: string }> {
  const child = spawn('bash', ['-c', script], { cwd: o.cwd, env: o.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
  let watching: NodeJS.Timeout | undefined;
  if (o.killAtMarker) {
    const marker = o.killAtMarker;
    watching = setInterval(() => {
      if (!fs.existsSync(marker)) return;
      const pid = Number(fs.readFileSync(marker, 'utf8'));
      if (!pid) return;
      clearInterval(watching);
      fs.rmSync(marker);
      process.kill(pid, 'SIGKILL');
    }, 50);
  }
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c, signal) => resolve(c ?? (signal ? 128 + 9 : null))));
  clearTimeout(timer);
  if (watching) clearInterval(watching);
  return { code, stderr };
}

describe('the documented commands', () => {
  const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-docs-')));
  fs.cpSync(path.join(repoRoot, 'configs'), path.join(work, 'configs'), { recursive: true });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('are found in README.md and docs/, and every skipped one is still documented', () => {
    expect(commands.length).toBeGreaterThan(20);
    const written = new Set(commands.map((c) => c.command));
    expect(Object.keys(SKIPPED).filter((c) => !written.has(c))).toEqual([]);
  });

  it('npx finds the ssseg of this checkout (node_modules/.bin/ssseg is the committed launcher)', () => {
    expect(fs.realpathSync(path.join(repoRoot, 'node_modules/.bin/ssseg'))).toBe(fs.realpathSync(LAUNCHER));
  });

  const runnable = commands.filter((c) => !(c.command in SKIPPED));
  it.each(runnable.map((c, i) => [`${c.where}: ${c.command}`, c, runnable[i + 1]] as const))('%s', async (_name, c, next) => {
    const extra = quickArgs(c.command);
    // a run the next line resumes is first stopped as a crash stops it: kill -9 after step 2's checkpoint
    const resumedNext = next && /\bssseg train --resume (\S+)/.exec(next.command)?.[1];
    const crash = resumedNext && c.command.includes(`--out ${resumedNext}`);
    if (crash) extra.push('--set', 'train.maxSteps=4');
    const line = [c.command, ...shellQuoted(extra)].join(' ');
    const marker = path.join(work, '.paused');
    const env = {
      ...process.env, SSSEG_NATIVE_THREADS: '1', SSSEG_CACHE_DIR: path.join(work, '.cache'),
      ...(crash ? { SSSEG_TEST_PAUSE: 'after-step:2', SSSEG_TEST_PAUSE_MARKER: marker } : {}),
    };
    const run = await runShell(`${shellPrelude}\n${line}`, { cwd: work, env, killAtMarker: crash ? marker : undefined });
    if (crash) {
      expect(run.code).toBe(137);
      expect(fs.existsSync(path.join(work, resumedNext, 'last.ckpt'))).toBe(true);
      expect(fs.existsSync(path.join(work, resumedNext, 'DONE'))).toBe(false);
      return;
    }
    if (run.code !== 0) throw new Error(`${c.where}: \`${line}\` exited ${run.code}\n${run.stderr.slice(-3000)}`);
    expect(run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  }, 300_000);
});
