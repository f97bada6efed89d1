import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as net from 'net';

export interface TestRedis {
  url: string;
  port: number;
  /** The redis-server's pid (it changes on restart). */
  pid(): number;
  /** SIGKILLs this redis-server (a crash: it saves nothing) and waits for it to exit. */
  crash(): Promise<void>;
  /** Starts it again on the same port, with the same options. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface TestRedisOptions {
  password?: string;
  /** Persist with an append-only file (fsync always) in this folder; default: no persistence. */
  appendonlyDir?: string;
  /** More redis-server arguments. */
  args?: string[];
}

/** Whether `redis-server` is on the PATH (tests that need one skip otherwise). */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A throwaway redis-server on a free loopback port, without persistence unless asked. */
export async function startRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', ''];
  if (options.appendonlyDir) args.push('--appendonly', 'yes', '--appendfsync', 'always', '--dir', options.appendonlyDir);
  else args.push('--appendonly', 'no');
  if (options.password) args.push('--requirepass', options.password);
  args.push(...(options.args ?? []));
  let child: ChildProcess;
  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(await accepts(port)); i++) await new Promise((r) => setTimeout(r, 50));
  };
  const end = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  await start();
  const auth = options.password ? `:${options.password}@` : '';
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    pid: () => child.pid!,
    crash: () => end('SIGKILL'),
    restart: start,
    stop: () => end('SIGTERM'),
  };
}
