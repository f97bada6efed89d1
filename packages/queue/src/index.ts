export { parseRedisUrl, connectionOptions, checkRedis, explainRedisError, QueueConnectionError, type RedisTarget } from './redis-url';
export { DEFAULT_QUEUE_NAME, RunJobSchema, RunJobError, jobIdFor, parseRunJob, type RunJob } from './run-job';
export { enqueueMatrix, waitForMatrix, type EnqueueOptions, type EnqueueResult, type MatrixProgress, type WaitOptions, type WaitResult } from './enqueue';
export { startWorker, processRunJob, type WorkerOptions, type RunJobResult, type RunningWorker } from './worker';
export { ProgressReportSink, type JobProgress } from './progress-report-sink';
export { registerQueueCommands } from './commands';
export { queuePlugin as default, QueueCommands } from './plugin';
export * as queueTesting from './testing';
export type { TestRedis } from './testing/redis-server';
