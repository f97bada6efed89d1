import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import type { AddressInfo } from 'net';
import { RUN_FILES, readMetricsFrom } from '@ssseg/core';
import { galleryFile, readGalleryIndex } from '@ssseg/report';
import { listRuns, resolveRunDir } from './run-index';

export interface ServeOptions {
  /** A run folder, a comparison folder, or a folder holding either. */
  dir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

const STATIC_DIR = path.join(__dirname, '..', 'static');
const VENDOR: Record<string, [string, string]> = {
  'vega.min.js': ['vega', 'build/vega.min.js'],
  'vega-lite.min.js': ['vega-lite', 'build/vega-lite.min.js'],
  'vega-embed.min.js': ['vega-embed', 'build/vega-embed.min.js'],
};

/** A file inside an installed package, found the way require finds the package (its "exports" hide build/). */
function packageFile(name: string, relative: string): string {
  for (const dir of require.resolve.paths(name) ?? []) {
    const file = path.join(dir, name, relative);
    if (fs.existsSync(file)) return file;
  }
  throw new Error(`${name} is not installed (needed for ${relative})`);
}
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png' };

/** The dashboard's HTTP server: static pages plus a JSON API over the run folders, which it never writes. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const root = path.resolve(options.dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new Error(`no such folder: ${options.dir}`);
  const server = http.createServer((req, res) => {
    try {
      route(root, req, res);
    } catch (err) {
      send(res, 500, { error: (err as Error).message });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function route(root: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'read-only: GET only' });
  const url = new URL(req.url ?? '/', 'http://localhost');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return sendFile(res, path.join(STATIC_DIR, 'index.html'));
  if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
  if (parts[0] === 'static' && parts.length === 2 && /^[\w.-]+$/.test(parts[1])) return sendFile(res, path.join(STATIC_DIR, parts[1]));
  if (parts[0] === 'vendor' && parts.length === 2 && VENDOR[parts[1]]) return sendFile(res, packageFile(...VENDOR[parts[1]]));
  if (parts[0] === 'api') return api(root, parts.slice(1), url, res);
  send(res, 404, { error: `not found: ${url.pathname}` });
}

/**
 * /api/runs                         the runs with status and progress
 * /api/run/metrics?id=ID&from=N     complete metrics.jsonl records from byte N on, and the next offset
 * /api/run/gallery?id=ID            the run's gallery index
 * /api/run/gallery-file?id=ID&name=F  one gallery PNG
 */
function api(root: string, parts: string[], url: URL, res: http.ServerResponse): void {
  if (parts.join('/') === 'runs') return send(res, 200, { root: path.basename(root), runs: listRuns(root) });
  if (parts[0] !== 'run' || parts.length !== 2) return send(res, 404, { error: `no API ${parts.join('/')}` });
  const id = url.searchParams.get('id') ?? '';
  const runDir = resolveRunDir(root, id);
  if (!runDir) return send(res, 404, { error: `no run '${id}' here` });
  switch (parts[1]) {
    case 'metrics': {
      const from = Number(url.searchParams.get('from') ?? 0);
      return send(res, 200, readMetricsFrom(path.join(runDir, RUN_FILES.metrics), Number.isInteger(from) && from >= 0 ? from : 0));
    }
    case 'gallery':
      return send(res, 200, readGalleryIndex(runDir) ?? null);
    case 'gallery-file': {
      const file = galleryFile(runDir, url.searchParams.get('name') ?? '');
      return file ? sendFile(res, file) : send(res, 404, { error: 'no such gallery image' });
    }
    default:
      return send(res, 404, { error: `no API run/${parts[1]}` });
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendFile(res: http.ServerResponse, file: string): void {
  if (!fs.existsSync(file)) return send(res, 404, { error: `not found: ${path.basename(file)}` });
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
  fs.createReadStream(file).pipe(res);
}
