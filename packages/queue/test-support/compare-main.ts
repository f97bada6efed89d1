// A `compare --queue` follower for the integration tests: the queue's executor as the CLI calls it,
// without the CLI's check of each run's components (the tests' fixture types are no installed plugin).
import { QueuedCompare } from '../src/queued-compare';

new QueuedCompare()
  .execute({
    file: process.env.COMPARE_FILE!,
    outDir: process.env.OUT_DIR!,
    queueUrl: process.env.QUEUE_URL!,
    queueName: process.env.QUEUE_NAME,
    attempts: 3,
    wait: process.env.NO_WAIT !== '1',
    overrides: {},
  })
  .then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`ssseg: ${err.message}\n`);
      process.exit(1);
    },
  );
