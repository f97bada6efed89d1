import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UnrecoverableError } from 'bullmq';
import { initEngine, nativeUnavailableReason, tf } from '@ssseg/engine';
import { parseRunConfig } from '@ssseg/core';
import { Runner } from '@ssseg/runner';
import { processRunJob } from './worker';

describe('a job whose run folder holds a damaged last checkpoint', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-worker-damaged-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const backend = nativeUnavailableReason() === undefined ? 'native' : 'wasm';
  beforeAll(() => initEngine({ backend, threads: 1, verbose: false }));

  it('fails at once, without a retry, naming the checkpoint and the one that verifies, and leaves the folder as it was', async () => {
    const raw = {
      method: { type: 'supervised' },
      model: { type: 'unet', baseWidth: 4, depth: 1 },
      data: { type: 'mnist-seg', split: '1_16', size: 64, valSize: 8, canvas: 32, cacheDir: path.join(root, 'cache') },
      train: { epochs: 10, maxSteps: 8, evalEverySteps: 2, batchSize: 2, lr: 0.003, optimizer: { type: 'adam', weightDecay: 0 } },
      engine: { backend, threads: 1 },
    };
    const dir = path.join(root, 'run');
    await Runner.fromConfig(parseRunConfig(raw), { out: dir, quiet: true, stopAfterSteps: 4 }).run();
    const last = path.join(dir, 'last.ckpt');
    const bytes = fs.readFileSync(last);
    bytes[bytes.length - 40] ^= 0xff;
    fs.writeFileSync(last, bytes);
    const before = new Map(fs.readdirSync(dir).filter((f) => f.endsWith('.ckpt') || f.endsWith('.jsonl')).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
    const tensors = tf.memory().numTensors;

    const failure = processRunJob({ runId: 'r', dir, config: raw }, 'j', { queueUrl: 'redis://unused', quiet: true });
    await expect(failure).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(failure).rejects.toThrow(`job r: checkpoint ${last} is damaged (checksum mismatch); ${path.join(dir, 'best.ckpt')} verifies (step `);
    await expect(failure).rejects.toThrow(`: copy it over ${last} to resume from it`);
    expect(tf.memory().numTensors).toBe(tensors);
    for (const [f, content] of before) expect(fs.readFileSync(path.join(dir, f)).equals(content)).toBe(true);
  });
});
