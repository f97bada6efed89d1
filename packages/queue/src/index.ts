export { parseRedisUrl, connectionOptions, checkRedis, explainRedisError, QueueConnectionError, type RedisTarget } from './redis-url';
export { DEFAULT_QUEUE_NAME, RunJobSchema, RunJobError, jobIdFor, parseRunJob, type RunJob } from './run-job';
export { lastLoggedStep } from './progress';
export { enqueueMatrix, waitForMatrix, type EnqueueOptions, type EnqueueResult, type MatrixProgress, type WaitOptions, type WaitResult } from './enqueue';
export { startWorker, processRunJob, type WorkerOptions, type RunJobResult, type RunProgress, type RunningWorker } from './worker';
export { registerQueueCommands } from './commands';
