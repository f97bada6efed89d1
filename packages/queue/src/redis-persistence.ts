import type IORedis from 'ioredis';
import { parseRedisUrl, withRedis } from './redis-url';

/** Whether a Redis keeps its data across a restart, as its CONFIG says. */
export type RedisPersistence =
  | { kind: 'appendonly' | 'snapshots' }
  | { kind: 'none' }
  /** CONFIG is disabled or renamed (managed services do this): persistence cannot be read. */
  | { kind: 'unknown'; why: string };

async function configValue(client: IORedis, name: string): Promise<string> {
  const reply = (await client.call('CONFIG', 'GET', name)) as string[];
  return reply[1] ?? '';
}

/** Reads `appendonly` and `save` (the RDB snapshot rules) of the Redis at `url`. */
export async function redisPersistence(url: string): Promise<RedisPersistence> {
  return withRedis(url, async (client) => {
    let appendonly: string, save: string;
    try {
      appendonly = await configValue(client, 'appendonly');
      save = await configValue(client, 'save');
    } catch (error) {
      return { kind: 'unknown', why: (error as Error).message };
    }
    if (appendonly === 'yes') return { kind: 'appendonly' };
    return save.trim() ? { kind: 'snapshots' } : { kind: 'none' };
  });
}

/** One line for a Redis that may lose the queue on a restart; undefined when it persists. */
export function persistenceWarning(url: string, persistence: RedisPersistence): string | undefined {
  const target = parseRedisUrl(url);
  const where = `Redis at ${target.host}:${target.port}`;
  const consequence = "a restart of it loses the queued runs ('compare --queue' queues them again from the run folders while it follows its matrix)";
  if (persistence.kind === 'none') {
    return `warning: ${where} does not persist the queue (appendonly no, no RDB save): ${consequence}; start it with --appendonly yes`;
  }
  if (persistence.kind === 'unknown') {
    return `warning: ${where}: persistence unknown (CONFIG GET refused: ${persistence.why}); without appendonly or RDB saves, ${consequence}`;
  }
  return undefined;
}

/** Writes the persistence warning for the Redis at `url` to stderr, if there is one. */
export async function warnIfNotPersistent(url: string): Promise<void> {
  const warning = persistenceWarning(url, await redisPersistence(url));
  if (warning) process.stderr.write(`${warning}\n`);
}
