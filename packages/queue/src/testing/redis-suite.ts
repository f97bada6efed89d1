import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Queue, QueueEvents } from 'bullmq';
import { connectionOptions } from '../redis-url';
import { killStartedProcesses } from './cli-process';
import { hasRedisServer, startRedis, type TestRedis, type TestRedisOptions } from './redis-server';

export interface RedisSuite {
  /** The block's redis-server, started before its tests (and before the `beforeAll`s its body declares). */
  redis: TestRedis;
  /** A temporary folder for the block's files, removed after its tests. */
  root: string;
  /** One more redis-server, stopped with the block's. */
  startRedis(options?: TestRedisOptions): Promise<TestRedis>;
  /** A BullMQ queue named `name` on the block's redis-server and its events, ready; closed after the block's tests. */
  openQueue(name: string): Promise<{ queue: Queue; events: QueueEvents }>;
}

/**
 * `describe` for tests against a real redis-server, skipped with a warning where none is installed.
 * After its tests, and after the `afterAll`s its body declares, it closes the queues it opened,
 * kills every process `startProcess` started that still runs, stops its redis-servers and removes
 * its folder.
 */
export function describeRedis(title: string, body: (suite: RedisSuite) => void): void {
  const installed = hasRedisServer();
  if (!installed) console.warn(`redis-server is not installed: '${title}' is skipped`);
  (installed ? describe : describe.skip)(title, () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-redis-suite-'));
    const servers: TestRedis[] = [];
    const clients: { close(): Promise<void> }[] = [];
    const start = async (options?: TestRedisOptions) => {
      const server = await startRedis(options);
      servers.push(server);
      return server;
    };
    const first = () => {
      if (!servers[0]) throw new Error(`${title}: its redis-server starts in beforeAll`);
      return servers[0];
    };
    const redis: TestRedis = {
      get url() {
        return first().url;
      },
      get port() {
        return first().port;
      },
      pid: () => first().pid(),
      crash: () => first().crash(),
      restart: () => first().restart(),
      stop: () => first().stop(),
    };
    const openQueue = async (name: string) => {
      const queue = new Queue(name, { connection: connectionOptions(redis.url) });
      const events = new QueueEvents(name, { connection: connectionOptions(redis.url) });
      clients.push(queue, events);
      await events.waitUntilReady();
      return { queue, events };
    };

    beforeAll(() => start());
    body({ redis, root, startRedis: start, openQueue });
    afterAll(async () => {
      for (const client of clients) await client.close();
      killStartedProcesses();
      for (const server of servers) await server.stop();
      fs.rmSync(root, { recursive: true, force: true });
    });
  });
}
