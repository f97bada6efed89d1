import type { Command } from 'commander';
import { SssegError } from '@ssseg/core';
import { newToken, startServer } from '@ssseg/serve';

const TOKEN_FORMAT = /^[\w.~-]{16,}$/;

export function registerServeCommand(program: Command): void {
  program
    .command('serve <dir>')
    .description('a live dashboard of the runs in DIR (a run, a comparison, or a folder of them) in the browser; reads only')
    .option('--port <n>', 'port (0: any free one)', '6006')
    .option('--host <address>', 'address to listen on (127.0.0.1: this machine only; another one prints a warning, see --token)', '127.0.0.1')
    .option('--token [value]', 'every request must carry this token (none given: a random one); the printed address holds it for the first page load')
    .option('--allow-host <names>', 'comma-separated Host names to accept besides this machine\'s own (a DNS name or proxy in front of it)')
    .action(async (dir: string, opts: { port: string; host: string; token?: string | true; allowHost?: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SssegError(`--port must be an integer in 0..65535, got '${opts.port}'`);
      if (typeof opts.token === 'string' && !TOKEN_FORMAT.test(opts.token)) {
        throw new SssegError('--token must be at least 16 letters, digits or - _ . ~ (or give --token alone for a random one)');
      }
      const token = opts.token === true ? newToken() : opts.token;
      const allowHosts = opts.allowHost?.split(',').map((h) => h.trim()).filter(Boolean);
      let server;
      try {
        server = await startServer({ dir, port, host: opts.host, token, allowHosts });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new SssegError(`port ${port} is in use: pick another with --port (0 takes any free one)`);
        throw new SssegError((err as Error).message);
      }
      if (!server.loopback) process.stderr.write(exposureWarning(opts.host, token !== undefined));
      const address = token === undefined ? server.url : `${server.url}?token=${token}`;
      process.stdout.write(`serving ${dir} at ${address} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => void server.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

function exposureWarning(host: string, withToken: boolean): string {
  const reach = `WARNING: --host ${host} lets other machines reach this dashboard over plain HTTP`;
  return withToken
    ? `${reach}; each request must carry the token, which anyone watching the network can read.\n`
    : `${reach} with no authentication: anyone who reaches the port reads every run served. Add --token, or keep --host 127.0.0.1 and use an SSH tunnel.\n`;
}
