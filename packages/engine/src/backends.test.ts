import { tf } from './tf';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { backendCandidates, initEngine, missingPackageReason, registerBackendCandidate } from './backends';
import { describeIf, describeWithBackends, expectNoLeak } from './testing';
import { W1Workload } from './w1';
import { loadNativeAddon, nativeUnavailableReason } from './native/addon';

describeWithBackends('engine', (backend) => {
  it('runs on the requested backend without leaking', async () => {
    expect(tf.getBackend()).toBe(backend);
    await expectNoLeak(() => {
      const y = tf.tidy(() => tf.add(tf.ones([2, 2]), 1).sum());
      expect(y.dataSync()[0]).toBe(8);
      y.dispose();
    });
  });
});

describe('initEngine', () => {
  afterAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });

  it('auto takes the fastest candidate present and says why faster ones were skipped', async () => {
    const info = await initEngine({ verbose: false });
    const present = backendCandidates().find((c) => !(c.name in info.skipped));
    expect(info.backend).toBe(present!.name);
    expect(tf.getBackend()).toBe(info.tfBackend);
    for (const id of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      const name = id.endsWith('gpu') ? 'tensorflow-gpu' : 'tensorflow';
      if (missingPackageReason(id)) expect(info.skipped[name]).toMatch(/not installed/);
    }
    if (missingPackageReason('@tensorflow/tfjs-node')) expect(info.backend).toBe(nativeUnavailableReason() === undefined ? 'native' : 'wasm');
  });

  it('lets a package add a candidate, and skips one whose loader fails, with its reason', async () => {
    tf.registerBackend('engine-test-fast', () => new MathBackendCPU());
    const removeFast = registerBackendCandidate('engine-test-fast', 1000, () => 'engine-test-fast');
    const removeBroken = registerBackendCandidate('engine-test-broken', 2000, () => {
      throw new Error('native addon not built');
    });
    try {
      const info = await initEngine({ verbose: false });
      expect(info.backend).toBe('engine-test-fast');
      expect(info.skipped['engine-test-broken']).toBe('native addon not built');
    } finally {
      removeFast();
      removeBroken();
      await initEngine({ backend: 'cpu', verbose: false });
      tf.removeBackend('engine-test-fast');
    }
    expect(backendCandidates().map((c) => c.name)).not.toContain('engine-test-fast');
  });

  it('prints its choice when verbose', async () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await initEngine({ backend: 'wasm', verbose: true });
      expect(String(write.mock.calls[0][0])).toBe('[ssseg] backend: wasm\n');
    } finally {
      write.mockRestore();
    }
  });

  const itNative = nativeUnavailableReason() === undefined ? it : it.skip;
  itNative('names the native thread count it set: the option, else SSSEG_NATIVE_THREADS', async () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const saved = process.env.SSSEG_NATIVE_THREADS;
    try {
      await initEngine({ backend: 'native', threads: 1, verbose: true });
      process.env.SSSEG_NATIVE_THREADS = '3';
      await initEngine({ backend: 'native', verbose: true });
      expect(write.mock.calls.map((c) => String(c[0]))).toEqual(['[ssseg] backend: native, 1 thread\n', '[ssseg] backend: native, 3 threads\n']);
      expect(loadNativeAddon().getThreads()).toBe(3);
    } finally {
      write.mockRestore();
      if (saved === undefined) delete process.env.SSSEG_NATIVE_THREADS;
      else process.env.SSSEG_NATIVE_THREADS = saved;
      await initEngine({ backend: 'cpu', verbose: false });
    }
  });

  it('names the known backends for an unknown one, and refuses a bad thread count', async () => {
    await expect(initEngine({ backend: 'tpu', verbose: false })).rejects.toThrow(/unknown backend 'tpu'; known: auto, tensorflow-gpu, tensorflow, native, wasm, cpu/);
    await expect(initEngine({ backend: 'wasm', threads: 0, verbose: false })).rejects.toThrow(/threads must be a positive integer, got 0/);
  });

  it('reports an absent optional backend asked for by name', async () => {
    const reason = missingPackageReason('@tensorflow/tfjs-node');
    if (!reason) return;
    await expect(initEngine({ backend: 'tensorflow', verbose: false })).rejects.toThrow(/tensorflow: @tensorflow\/tfjs-node is not installed/);
  });
});

for (const [name, id] of [['tensorflow', '@tensorflow/tfjs-node'], ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu']]) {
  describeIf(missingPackageReason(id), `W1 on ${name}`, () => {
    it('trains: the loss falls', async () => {
      await initEngine({ backend: name, verbose: false });
      await expectNoLeak(() => {
        const w1 = new W1Workload({ batchSize: 2, imageSize: 32 });
        const losses = [0, 1, 2, 3, 4].map(() => w1.step());
        w1.dispose();
        expect(losses[4]).toBeLessThan(losses[0]);
      });
    });
  });
}
