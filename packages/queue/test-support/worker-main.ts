// A worker process for the integration test: the queue's worker with the test fixtures linked in,
// each batch slowed (SLOW_MS) so the test can kill it in the middle of a run; WORKER_VERBOSE=1 lets
// it say on stderr what `ssseg worker` says.
import { startWorker } from '../src/worker';
import { fixturesPlugin, stripesLoader } from '@ssseg/core/testing';

async function main() {
  const slowMs = Number(process.env.SLOW_MS ?? 0);
  const running = await startWorker({
    queueUrl: process.env.QUEUE_URL!,
    queueName: process.env.QUEUE_NAME,
    // Short enough that the killed worker's run is handed on within seconds, long enough that a
    // step on a loaded 2-core machine does not outlast the lock (the run would then be trained
    // twice at once and the second attempt would start without a checkpoint).
    lockDuration: 4000,
    stalledInterval: 1000,
    plugins: [fixturesPlugin],
    createLoader: () => (run) => {
      const loader = stripesLoader(run);
      const epoch = loader.epoch.bind(loader);
      return {
        ...loader,
        async *epoch(n: number) {
          for await (const batch of epoch(n)) {
            await new Promise((r) => setTimeout(r, slowMs));
            yield batch;
          }
        },
      };
    },
    progressInterval: 200,
    quiet: process.env.WORKER_VERBOSE !== '1',
  });
  running.worker.on('active', (job) => process.stdout.write(`active ${job.data.runId}\n`));
  running.worker.on('completed', (job) => process.stdout.write(`completed ${job.id}\n`));
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => void running.close().then(() => process.exit(0)));
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
