import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { initEngine, nativeUnavailableReason } from '@ssseg/engine';
import { cliTesting } from '@ssseg/cli';
import { queueTesting } from '@ssseg/queue';

const { killAt, killStartedProcesses, runCliProcess, runOutcome, startCli } = cliTesting;
const { describeRedis } = queueTesting;

// each test starts several CLI processes: on a loaded 2-core machine that outlasts the default 120 s
jest.setTimeout(600_000);

describeRedis('a queued FixMatch run whose `ssseg worker` is SIGKILLed at three points', ({ redis, root }) => {
  const native = nativeUnavailableReason() === undefined;
  beforeAll(() => initEngine({ backend: 'cpu', verbose: false }));
  // a worker runs until stopped: never leave one behind, even when the test fails (before Redis stops)
  afterAll(() => killStartedProcesses());

  it('is taken over by the next worker each time and ends bit-identical to a local uninterrupted run', async () => {
    const compare = path.join(root, 'compare.yaml');
    fs.writeFileSync(compare, YAML.stringify({
      name: 'worker kill test',
      base: {
        model: { type: 'unet', baseWidth: 8, depth: 2 },
        data: { type: 'mnist-seg', size: 64, valSize: 8, canvas: 32, cacheDir: path.join(root, 'cache') },
        train: { epochs: 10, maxSteps: 8, evalEverySteps: 4, checkpointEverySteps: 2, batchSize: 2, lr: 0.003, optimizer: { type: 'adam', weightDecay: 0 } },
        // no engine.threads: the workers' --threads sets them, and the local run's --threads the same
        engine: { backend: native ? 'native' : 'wasm' },
      },
      methods: [{ type: 'fixmatch' }],
      variants: { none: [] },
      splits: ['1_16'],
      seeds: [1],
    }));
    const queued = path.join(root, 'queued');
    const enqueue = await runCliProcess(['compare', '--config', compare, '--queue', redis.url, '--queue-name', 'kill', '--out', queued, '--no-wait']);
    expect(enqueue.stderr).toMatch(/queued 1 runs/);
    // a killed worker's job is handed on once its queue lock expires (8 s: under load, building the
    // dataset and starting the engine can keep a worker from renewing a shorter one)
    const worker = ['worker', '--queue', redis.url, '--queue-name', 'kill', '--lock-duration', '8000', '--threads', '1'];
    await killAt(worker, 'after-step:3');
    await killAt(worker, 'after-eval:4');
    await killAt(worker, 'rename:last.ckpt*2');
    const last = startCli(worker);
    const [run] = fs.readdirSync(queued, { recursive: true }).filter((f) => String(f).endsWith('metrics.jsonl')).map((f) => path.dirname(String(f)));
    const done = path.join(queued, run, 'DONE');
    for (const t = Date.now(); !fs.existsSync(done) && Date.now() - t < 240_000; ) await new Promise((r) => setTimeout(r, 100));
    last.kill('SIGTERM');
    const ended = await last.exited;
    expect(ended.stderr).toMatch(/taking over the lock of ssseg worker, job \S+ \(pid \d+/);
    expect(ended.stderr).toMatch(/finished /);
    if (native) expect(ended.stderr).toMatch(/backend: native, 1 thread\n/);

    const local = path.join(root, 'local');
    expect((await runCliProcess(['compare', '--config', compare, '--out', local, '--threads', '1'])).code).toBe(0);
    expect(runOutcome(path.join(queued, run))).toEqual(runOutcome(path.join(local, run)));
  });
});
