import { checkRedis, parseRedisUrl } from './redis-url';
import { startWorker } from './worker';
import { freePort, hasRedisServer, startRedis, type TestRedis } from './testing/redis-server';

describe('Redis URL', () => {
  it('reads host, port, password and database', () => {
    expect(parseRedisUrl('redis://:s%40cret@10.0.0.5:6380/2')).toEqual({ host: '10.0.0.5', port: 6380, db: 2, password: 's@cret' });
    expect(parseRedisUrl('redis://queue.lan')).toEqual({ host: 'queue.lan', port: 6379, db: 0 });
    expect(parseRedisUrl('redis://ops:pw@[::1]:7000')).toEqual({ host: '::1', port: 7000, db: 0, username: 'ops', password: 'pw' });
  });

  it.each([
    ['localhost:6379', /malformed Redis URL 'localhost:6379': protocol 'localhost:' is not redis:/],
    ['not a url', /malformed Redis URL 'not a url': not a URL/],
    ['http://host:6379', /protocol 'http:' is not redis:/],
    ['redis://host:6379/jobs', /database 'jobs' is not a number/],
    ['redis://:hunter2@host:99999', /malformed Redis URL 'redis:\/\/\*\*\*@host:99999': not a URL/],
  ])('rejects %s with a clear message', (url, message) => {
    expect(() => parseRedisUrl(url)).toThrow(message);
  });

  it('never shows the password of a malformed URL', () => {
    expect(() => parseRedisUrl('redis://:hunter2@host:6379/x')).toThrow(/^(?![\s\S]*hunter2)/);
  });

  it('names the server it cannot reach', async () => {
    const port = await freePort();
    await expect(checkRedis(`redis://127.0.0.1:${port}`)).rejects.toThrow(`cannot reach Redis at 127.0.0.1:${port}`);
  });
});

const describeRedis = hasRedisServer() ? describe : describe.skip;
if (!hasRedisServer()) console.warn('redis-server is not installed: the password tests are skipped');

describeRedis('a Redis server with a password', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis({ password: 'right-one' });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('accepts the right password', async () => {
    await expect(checkRedis(redis.url)).resolves.toBeUndefined();
  });

  it('says the password was refused, for the check and for a worker', async () => {
    const wrong = `redis://:wrong-one@127.0.0.1:${redis.port}`;
    await expect(checkRedis(wrong)).rejects.toThrow(`Redis at 127.0.0.1:${redis.port} refused the password`);
    await expect(startWorker({ queueUrl: wrong, quiet: true })).rejects.toThrow(`Redis at 127.0.0.1:${redis.port} refused the password`);
  });

  it('says a password is needed when none is given', async () => {
    await expect(checkRedis(`redis://127.0.0.1:${redis.port}`)).rejects.toThrow(`Redis at 127.0.0.1:${redis.port} requires a password`);
  });
});
