import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';

// the built CLI, which finds the queue's commands by plugin discovery (the test task builds it first)
export const CLI_BIN = path.resolve(__dirname, '../../../cli/dist/bin.js');

export interface ChildUnderTest {
  child: ChildProcess;
  /** Exit code, or 128 + signal number's name when killed by a signal (as `code ?? signal`). */
  exited: Promise<number | NodeJS.Signals | null>;
  /** Waits until its stderr (or stdout) matches `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stderr(): string;
  stdout(): string;
}

const running = new Set<ChildProcess>();

/** Kills (SIGKILL) every process startProcess started that still runs: a test never leaves one behind, even when it fails. */
export function killStartedProcesses(): void {
  for (const child of running) {
    child.kill('SIGCONT'); // a test may have stopped it
    child.kill('SIGKILL');
  }
  running.clear();
}

/** A node process (the built CLI by default) whose output is kept, and a way to wait for a line of it. */
export function startProcess(args: string[], options: { script?: string; env?: NodeJS.ProcessEnv } = {}): ChildUnderTest {
  const child = spawn(process.execPath, [options.script ?? CLI_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const waitFor = async (pattern: RegExp, timeoutMs = 60_000) => {
    for (const t = Date.now(); !pattern.test(stderr) && !pattern.test(stdout); await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() - t > timeoutMs) throw new Error(`no ${pattern} in:\n${stderr}\n${stdout}`);
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} without ${pattern}:\n${stderr}\n${stdout}`);
    }
  };
  return { child, exited, waitFor, stderr: () => stderr, stdout: () => stdout };
}
