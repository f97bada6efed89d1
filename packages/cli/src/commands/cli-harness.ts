import { main } from '../main';

/** Runs `ssseg <args>` in-process, capturing stdout and stderr (for the command tests). */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const write = (sink: string[]) => ((chunk: string | Uint8Array) => (sink.push(String(chunk)), true)) as typeof process.stdout.write;
  const saved = [process.stdout.write, process.stderr.write] as const;
  process.stdout.write = write(out);
  process.stderr.write = write(err);
  try {
    const code = await main(['node', 'ssseg', '--backend', 'cpu', ...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = saved[0];
    process.stderr.write = saved[1];
  }
}
