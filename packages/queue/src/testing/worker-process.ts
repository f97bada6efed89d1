import * as path from 'path';
import { bundleForNode } from './bundle';
import { startProcess, type ChildUnderTest } from './cli-process';

let bundled: Promise<string> | undefined;

/**
 * test-support/worker-main.ts in a node process of its own: the queue's worker with the test
 * fixtures linked in, each batch slowed by `slowMs`, printing `active <run id>` as it takes a run;
 * `verbose`, it says on stderr what `ssseg worker` says.
 */
export async function startWorkerProcess(queueUrl: string, queueName: string, options: { slowMs: number; verbose?: boolean }): Promise<ChildUnderTest> {
  bundled ??= bundleForNode(path.join(__dirname, '../../test-support/worker-main.ts'), path.join(__dirname, '../../.test-build/worker-main.js'));
  const env = { ...process.env, QUEUE_URL: queueUrl, QUEUE_NAME: queueName, SLOW_MS: String(options.slowMs), ...(options.verbose ? { WORKER_VERBOSE: '1' } : {}) };
  return startProcess([], { script: await bundled, env });
}
