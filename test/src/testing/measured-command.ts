import { spawn } from 'child_process';
import * as fs from 'fs';

export interface MeasuredCommand {
  code: number | null;
  out: string;
  err: string;
  /** Peak resident memory of the command (GNU time's %M), or the highest seen while polling when it had to be killed. */
  peakRssBytes: number;
  seconds: number;
  /** Set when the command passed `killAboveBytes` and was killed. */
  killed: boolean;
}

const residentBytes = (pid: number, key: 'VmRSS' | 'VmHWM'): number => {
  try {
    return Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0; // it has exited
  }
};

/**
 * A command in its own process under /usr/bin/time, with its peak resident memory. It is killed
 * once it holds more than `killAboveBytes`, so a command that should be refused cannot take the
 * machine's memory (and the test fails on `killed` instead).
 */
export function measuredCommand(command: string[], options: { cwd: string; env: NodeJS.ProcessEnv; killAboveBytes: number; timeoutMs: number }): Promise<MeasuredCommand> {
  const started = Date.now();
  const child = spawn('/usr/bin/time', ['-f', 'PEAK_RSS_KB %M', ...command], { cwd: options.cwd, env: options.env, detached: true });
  let out = '', err = '', polledPeak = 0, killed = false;
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const kill = () => {
    killed = true;
    process.kill(-child.pid!, 'SIGKILL');
  };
  const poll = setInterval(() => {
    const children = (() => {
      try {
        return fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      } catch {
        return [];
      }
    })();
    for (const pid of children) {
      polledPeak = Math.max(polledPeak, residentBytes(pid, 'VmHWM'));
      if (residentBytes(pid, 'VmRSS') > options.killAboveBytes) kill();
    }
    if (Date.now() - started > options.timeoutMs) kill();
  }, 50);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(poll);
      const timed = /PEAK_RSS_KB (\d+)\n?$/.exec(err);
      resolve({
        code, out, err: timed ? err.slice(0, timed.index) : err, peakRssBytes: timed ? Number(timed[1]) * 1024 : polledPeak,
        seconds: (Date.now() - started) / 1000, killed,
      });
    });
  });
}
