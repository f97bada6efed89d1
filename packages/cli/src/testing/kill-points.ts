import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '@ssseg/engine';
import { loadTensorFile, readMetrics } from '@ssseg/core';

/** The built CLI, as a user runs it (the test task builds it first). */
export const CLI_BIN = path.resolve(__dirname, '../../dist/bin.js');

export interface CliProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  pid: number;
  /** Resolves when the process has exited. */
  exited: Promise<CliProcessResult>;
  /** Resolves when it reached its pause point (SSSEG_TEST_PAUSE); rejects if it exited first. */
  paused: Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

const running = new Set<ReturnType<typeof spawn>>();

/** SIGKILLs every CLI process this module started that still runs (for a test's afterAll). */
export function killStartedProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** Starts `node dist/bin.js ...args`, optionally to stop at a pause point (see core's pausePoint). */
export function startCli(args: string[], options: { pauseAt?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): CliProcess {
  const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-pause-')), 'paused');
  const env: NodeJS.ProcessEnv = { ...process.env, SSSEG_NATIVE_THREADS: '1', ...options.env };
  if (options.pauseAt) Object.assign(env, { SSSEG_TEST_PAUSE: options.pauseAt, SSSEG_TEST_PAUSE_MARKER: marker });
  const child = spawn(process.execPath, [CLI_BIN, ...args], { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stdout = '', stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<CliProcessResult>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const paused = (async () => {
    let ended: CliProcessResult | undefined;
    void exited.then((r) => (ended = r));
    while (!fs.existsSync(marker)) {
      if (ended) throw new Error(`ssseg ${args.join(' ')} ended (code ${ended.code}) before reaching ${options.pauseAt}:\n${ended.stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  paused.catch(() => undefined);
  return { pid: child.pid!, exited, paused, kill: (signal) => child.kill(signal) };
}

/** Runs the CLI to its end. */
export function runCliProcess(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliProcessResult> {
  return startCli(args, options).exited;
}

/** Runs the CLI until it reaches `point`, then kills it with SIGKILL, as a crash or `kill -9` would. */
export async function killAt(args: string[], point: string, options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<void> {
  const cli = startCli(args, { ...options, pauseAt: point });
  await cli.paused;
  cli.kill('SIGKILL');
  const { signal } = await cli.exited;
  if (signal !== 'SIGKILL') throw new Error(`ssseg ${args.join(' ')} was not killed at ${point}`);
}

/** Every tensor of a checkpoint as its raw bytes (weights, EMA teacher, optimizer slots). */
export function checkpointBytes(file: string): Record<string, string> {
  const { tensors } = loadTensorFile(file);
  const out: Record<string, string> = {};
  for (const [name, t] of tensors) out[name] = Buffer.from(new Uint8Array(t.dataSync().buffer.slice(0))).toString('base64');
  tf.dispose([...tensors.values()]);
  return out;
}

/**
 * What a finished run folder holds, less what differs between any two runs (wall times, images
 * per second): checkpoints byte for byte, DONE's numbers, every step and evaluation record.
 */
export function runOutcome(dir: string): Record<string, unknown> {
  const { wallSeconds: _wall, ...done } = JSON.parse(fs.readFileSync(path.join(dir, 'DONE'), 'utf8')) as Record<string, unknown>;
  const records = readMetrics(path.join(dir, 'metrics.jsonl'))
    .filter((r) => r.event !== 'end')
    .map(({ time: _time, imagesPerSecond: _ips, ...rest }) => rest);
  return { last: checkpointBytes(path.join(dir, 'last.ckpt')), best: checkpointBytes(path.join(dir, 'best.ckpt')), done, records };
}
