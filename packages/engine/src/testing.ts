import { tf } from './tf';
import { initEngine } from './backends';
import { nativeUnavailableReason } from './native/addon';

/**
 * Backends every test suite runs on: cpu, wasm, and native where its addon is built (override with
 * SSSEG_TEST_BACKENDS=cpu,wasm,native).
 */
export function testBackends(): string[] {
  const env = process.env.SSSEG_TEST_BACKENDS;
  if (env) return env.split(',').map((s) => s.trim()).filter(Boolean);
  return nativeUnavailableReason() === undefined ? ['cpu', 'wasm', 'native'] : ['cpu', 'wasm'];
}

/**
 * Runs `fn` once per backend (as tfjs's describeWithFlags does), each block switching to its
 * backend first. Tests inside should check tf.memory().numTensors for leaks.
 */
export function describeWithBackends(title: string, fn: (backend: string) => void, backends = testBackends()): void {
  for (const backend of backends) {
    describe(`${title} [${backend}]`, () => {
      beforeAll(async () => {
        await initEngine({ backend, verbose: false });
      });
      fn(backend);
    });
  }
}

/**
 * Runs the block when `skipReason` is undefined; otherwise skips it and prints why, so a run
 * without an optional backend (tfjs-node) says what it did not test.
 */
export function describeIf(skipReason: string | undefined, title: string, fn: () => void): void {
  if (skipReason === undefined) {
    describe(title, fn);
    return;
  }
  process.stderr.write(`[ssseg] skipping '${title}': ${skipReason}\n`);
  describe.skip(`${title} (skipped: ${skipReason})`, fn);
}

/** Element-wise closeness with a relative and absolute tolerance, with a readable failure. */
export function expectArraysClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`element ${i}: ${a} differs from expected ${e} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

/** Runs fn and checks it left no tensor behind. */
export async function expectNoLeak<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await fn();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`leaked ${after - before} tensor(s)`);
  return out;
}
