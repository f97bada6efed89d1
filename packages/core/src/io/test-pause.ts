import * as fs from 'fs';

const seen = new Map<string, number>();

/**
 * A named point where fault-injection tests of the real CLI stop a process. Inert unless
 * SSSEG_TEST_PAUSE names the point (`rename:last.ckpt`, `after-step:12`; `*N` picks its N-th
 * occurrence): then the process writes the file SSSEG_TEST_PAUSE_MARKER and blocks, so the test
 * can SIGKILL it exactly there.
 */
export function pausePoint(point: string): void {
  const wanted = process.env.SSSEG_TEST_PAUSE;
  if (!wanted) return;
  const [name, nth = '1'] = wanted.split('*');
  if (name !== point) return;
  const count = (seen.get(point) ?? 0) + 1;
  seen.set(point, count);
  if (count !== Number(nth)) return;
  if (process.env.SSSEG_TEST_PAUSE_MARKER) fs.writeFileSync(process.env.SSSEG_TEST_PAUSE_MARKER, `${process.pid}\n`);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(cell, 0, 0, 60_000);
}
