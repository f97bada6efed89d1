import { tf } from '../tf';
import { initEngine } from '../backends';
import { describeIf } from '../testing';
import { defaultNativeThreads, loadNativeAddon, nativeUnavailableReason, setNativeThreads } from './addon';

describe('native addon loader', () => {
  const saved = { disable: process.env.SSSEG_NATIVE_DISABLE, threads: process.env.SSSEG_NATIVE_THREADS };
  afterEach(async () => {
    for (const [key, value] of [['SSSEG_NATIVE_DISABLE', saved.disable], ['SSSEG_NATIVE_THREADS', saved.threads]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await initEngine({ backend: 'cpu', verbose: false });
  });

  it('gives a clear reason when the addon is off, and auto falls back to the next candidate', async () => {
    process.env.SSSEG_NATIVE_DISABLE = '1';
    expect(() => loadNativeAddon()).toThrow('@ssseg/engine native addon disabled by SSSEG_NATIVE_DISABLE=1');
    const info = await initEngine({ verbose: false });
    expect(info.skipped.native).toMatch(/native addon disabled/);
    expect(info.backend).not.toBe('native');
  });

  it('takes the thread count from SSSEG_NATIVE_THREADS, else the core count, and refuses a bad one', () => {
    process.env.SSSEG_NATIVE_THREADS = '3';
    expect(defaultNativeThreads()).toBe(3);
    process.env.SSSEG_NATIVE_THREADS = 'many';
    expect(() => defaultNativeThreads()).toThrow("SSSEG_NATIVE_THREADS must be a positive integer, got 'many'");
    delete process.env.SSSEG_NATIVE_THREADS;
    expect(defaultNativeThreads()).toBeGreaterThanOrEqual(1);
    expect(() => setNativeThreads(0)).toThrow('setNativeThreads: threads must be a positive integer, got 0');
  });
});

describeIf(nativeUnavailableReason(), 'native backend', () => {
  afterAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });

  it('is what auto picks when no tensorflow backend is installed, with the thread count asked for', async () => {
    const info = await initEngine({ verbose: false, threads: 1 });
    if (!('tensorflow' in tf.engine().registryFactory)) expect(info.backend).toBe('native');
    await initEngine({ backend: 'native', verbose: false, threads: 2 });
    expect(loadNativeAddon().getThreads()).toBe(2);
    expect(loadNativeAddon().version()).toMatch(/^oneDNN \d+\.\d+/);
  });

  it('names a bad kernel call in its error', () => {
    const addon = loadNativeAddon();
    expect(() => addon.conv2d(0, new Float32Array(4), new Float32Array(4), new Float32Array(4), Int32Array.from([1, 2]))).toThrow(
      'conv2d: expected 18 convolution attributes',
    );
    expect(() => addon.softmax(new Float32Array(6), new Float32Array(2), 3)).toThrow('softmax: output holds 2 values, needs 6');
    expect(() => addon.concat([new Float32Array(3)], Int32Array.of(2), new Float32Array(4), 2)).toThrow('concat: part holds 3 values, needs 4');
    expect(() => addon.concat([new Float32Array(4)], Int32Array.of(2, 1), new Float32Array(4), 2)).toThrow('concat: one inner length per part is needed');
  });
});
