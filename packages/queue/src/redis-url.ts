import IORedis, { type RedisOptions } from 'ioredis';
import { SssegError } from '@ssseg/core';

/** ioredis options from a `redis://[[user]:password@]host[:port][/db]` URL. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
}

export class QueueConnectionError extends SssegError {}

/** Parses a Redis URL; a malformed one is a QueueConnectionError naming the URL (password hidden). */
export function parseRedisUrl(url: string): RedisTarget {
  const shown = url.replace(/\/\/([^@/]*)@/, '//***@');
  const fail = (why: string): never => {
    throw new QueueConnectionError(`malformed Redis URL '${shown}': ${why}; expected redis://[:password@]host:port[/db]`);
  };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('not a URL');
  }
  if (parsed.protocol !== 'redis:') fail(`protocol '${parsed.protocol}' is not redis:`);
  if (!parsed.hostname) fail('no host');
  const port = parsed.port ? Number(parsed.port) : 6379;
  const dbText = parsed.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d+$/.test(dbText)) fail(`database '${dbText}' is not a number`);
  if (parsed.search || parsed.hash) fail('query and fragment are not supported');
  const target: RedisTarget = { host: parsed.hostname.replace(/^\[|\]$/g, ''), port, db: dbText === '' ? 0 : Number(dbText) };
  if (parsed.username) target.username = decodeURIComponent(parsed.username);
  if (parsed.password) target.password = decodeURIComponent(parsed.password);
  return target;
}

/** Options for BullMQ's connections (BullMQ requires maxRetriesPerRequest: null on workers). */
export function connectionOptions(url: string): RedisOptions {
  return { ...parseRedisUrl(url), maxRetriesPerRequest: null };
}

/** Turns ioredis' failures into messages naming the server. */
export function explainRedisError(error: unknown, target: RedisTarget): Error {
  const message = error instanceof Error ? error.message : String(error);
  const where = `${target.host}:${target.port}`;
  if (/WRONGPASS|invalid password|invalid username-password/i.test(message)) {
    return new QueueConnectionError(`Redis at ${where} refused the password`);
  }
  if (/NOAUTH/i.test(message)) return new QueueConnectionError(`Redis at ${where} requires a password (redis://:PASSWORD@${where})`);
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|Connection is closed/i.test(message)) {
    return new QueueConnectionError(`cannot reach Redis at ${where}: ${message}`);
  }
  return new QueueConnectionError(`Redis at ${where}: ${message}`);
}

/**
 * Connects once and pings, so a wrong URL or password is reported clearly before BullMQ starts
 * (whose own connections retry forever).
 */
export async function checkRedis(url: string): Promise<void> {
  await withRedis(url, async (client) => {
    await client.ping();
  });
}

/**
 * Runs `use` on one connection that does not retry, closed afterwards; a failure to connect is
 * explained (explainRedisError), as is any error of `use` that the connection raised.
 */
export async function withRedis<T>(url: string, use: (client: IORedis) => Promise<T>): Promise<T> {
  const target = parseRedisUrl(url);
  const client = new IORedis({
    ...target, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5000,
  });
  // the refused AUTH arrives as an 'error' event; the pending command then only sees the closed connection
  let emitted: unknown;
  client.on('error', (error) => {
    emitted ??= error;
  });
  try {
    await client.connect();
    return await use(client);
  } catch (error) {
    throw explainRedisError(emitted ?? error, target);
  } finally {
    client.disconnect();
  }
}
