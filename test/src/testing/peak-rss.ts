import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cliTesting } from '@ssseg/cli';

// loaded before the CLI: at exit, the process's own peak resident set (KiB) goes to the file the test names
const REPORTER = "process.on('exit', () => require('fs').writeFileSync(process.env.SSSEG_TEST_PEAK_RSS_FILE, String(process.resourceUsage().maxRSS)));\n";

export interface MeasuredRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident memory of the CLI process, MiB (Infinity if it died before it could say). */
  peakRssMiB: number;
  seconds: number;
}

/** `ssseg <args>` as a user runs it (the built CLI, its own process, one thread), with its peak RSS and wall time. */
export function runCliMeasured(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): MeasuredRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-rss-'));
  const reporter = path.join(dir, 'reporter.js'), report = path.join(dir, 'peak');
  fs.writeFileSync(reporter, REPORTER);
  const started = Date.now();
  try {
    const run = spawnSync(process.execPath, ['--require', reporter, cliTesting.CLI_BIN, '--backend', 'cpu', ...args], {
      cwd: options.cwd, encoding: 'utf8', timeout: options.timeoutMs ?? 180_000,
      env: { ...process.env, SSSEG_NATIVE_THREADS: '1', SSSEG_TEST_PEAK_RSS_FILE: report },
    });
    const seconds = (Date.now() - started) / 1000;
    const peakRssMiB = fs.existsSync(report) ? Number(fs.readFileSync(report, 'utf8')) / 1024 : Infinity;
    return { code: run.status, stdout: run.stdout, stderr: run.stderr, peakRssMiB, seconds };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
