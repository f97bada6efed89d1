import type { Command } from 'commander';
import { SssegError } from '@ssseg/core';
import { startServer } from '@ssseg/serve';

export function registerServeCommand(program: Command): void {
  program
    .command('serve <dir>')
    .description('a live dashboard of the runs in DIR (a run, a comparison, or a folder of them) in the browser; reads only')
    .option('--port <n>', 'port (0: any free one)', '6006')
    .option('--host <address>', 'address to listen on (127.0.0.1: this machine only)', '127.0.0.1')
    .action(async (dir: string, opts: { port: string; host: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SssegError(`--port must be an integer in 0..65535, got '${opts.port}'`);
      let server;
      try {
        server = await startServer({ dir, port, host: opts.host });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new SssegError(`port ${port} is in use: pick another with --port (0 takes any free one)`);
        throw new SssegError((err as Error).message);
      }
      process.stdout.write(`serving ${dir} at ${server.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => void server.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
