import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { pipeline } from 'stream';
import type { AddressInfo } from 'net';
import { RUN_FILES, galleryFile, galleryIndexFile, parseGalleryIndex, readMetricsFromDescriptor, type GalleryIndex } from '@ssseg/core';
import { allowedHostNames, hostHeaderName, isLoopback, requestTokens, sameToken, tokenCookieName } from './access';
import { listRuns, resolveRunDir } from './run-index';
import { ServedFolder } from './served-folder';

export interface ServeOptions {
  /** A run folder, a comparison folder, or a folder holding either. */
  dir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** When set, every request must carry it (`?token=`, then the cookie it sets, or `Authorization: Bearer`). */
  token?: string;
  /** Host header names accepted besides this machine's own (a DNS name or proxy in front of it). */
  allowHosts?: string[];
}

export interface RunningServer {
  url: string;
  /** True when only this machine can reach the address it listens on. */
  loopback: boolean;
  close(): Promise<void>;
}

interface Served {
  folder: ServedFolder;
  hostNames: Set<string>;
  token?: string;
  cookie: string;
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

/**
 * The dashboard's HTTP server: static pages plus a JSON API over the run folders, which it never
 * writes. It serves only files inside the folder once links are resolved, answers only Host names
 * of this machine (no DNS rebinding), and with a token only requests that carry it.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const folder = new ServedFolder(options.dir);
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  // the allowed Host names and the cookie's name depend on the address and port bound
  const { address, port } = server.address() as AddressInfo;
  const served: Served = {
    folder,
    hostNames: allowedHostNames(options.host ?? '127.0.0.1', address, options.allowHosts),
    token: options.token,
    cookie: tokenCookieName(port),
  };
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    try {
      handle(served, req, res);
    } catch (err) {
      if (!res.headersSent) send(res, 500, { error: (err as Error).message });
    }
  });
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/`,
    loopback: isLoopback(address),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function handle(served: Served, req: http.IncomingMessage, res: http.ServerResponse): void {
  const hostName = hostHeaderName(req.headers.host);
  if (!hostName || !served.hostNames.has(hostName)) {
    return sendText(res, 403, `ssseg serve: refused the Host '${req.headers.host ?? ''}': this server answers only its own names (--allow-host adds one)\n`);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'read-only: GET only' });
  const url = parseRequestUrl(req.url);
  if (!url) return send(res, 400, { error: 'malformed URL' });
  if (served.token !== undefined) {
    const tokens = requestTokens(req, url, served.cookie);
    const fromQuery = tokens.query !== undefined && sameToken(tokens.query, served.token);
    if (!fromQuery && !tokens.other.some((t) => sameToken(t, served.token!))) {
      return sendText(res, 401, 'ssseg serve: this dashboard needs its token: open the address ssseg serve printed (it ends in ?token=...)\n');
    }
    // the page remembers the token in a cookie, and drops it from the address bar
    if (fromQuery) res.setHeader('set-cookie', `${served.cookie}=${served.token}; Path=/; HttpOnly; SameSite=Lax`);
    if (fromQuery && url.pathname === '/') return void res.writeHead(303, { location: '/' }).end();
  }
  route(served.folder, url, res);
}

/** The request's URL, or undefined for one that is not a path or holds a malformed percent escape. */
function parseRequestUrl(raw: string | undefined): URL | undefined {
  if (!raw?.startsWith('/') || raw.startsWith('//')) return undefined;
  try {
    decodeURIComponent(raw);
    return new URL(raw, 'http://localhost');
  } catch {
    return undefined;
  }
}

function route(folder: ServedFolder, url: URL, res: http.ServerResponse): void {
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return sendFile(res, path.join(STATIC_DIR, 'index.html'));
  if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
  if (parts[0] === 'static' && parts.length === 2 && /^[\w.-]+$/.test(parts[1])) return sendFile(res, path.join(STATIC_DIR, parts[1]));
  if (parts[0] === 'vendor' && parts.length === 2 && VENDOR[parts[1]]) return sendFile(res, packageFile(...VENDOR[parts[1]]));
  if (parts[0] === 'api') return api(folder, parts.slice(1), url, res);
  send(res, 404, { error: `not found: ${url.pathname}` });
}

/**
 * /api/runs                         the runs with status and progress
 * /api/run/metrics?id=ID&from=N     complete metrics.jsonl records from byte N on, and the next offset
 * /api/run/gallery?id=ID            the run's gallery index
 * /api/run/gallery-file?id=ID&name=F  one gallery PNG
 */
function api(folder: ServedFolder, parts: string[], url: URL, res: http.ServerResponse): void {
  if (parts.join('/') === 'runs') return send(res, 200, { root: path.basename(folder.root), runs: listRuns(folder) });
  if (parts[0] !== 'run' || parts.length !== 2) return send(res, 404, { error: `no API ${parts.join('/')}` });
  const id = url.searchParams.get('id');
  if (!id) return send(res, 400, { error: 'missing ?id= (a run id from /api/runs)' });
  const runDir = resolveRunDir(folder, id);
  if (!runDir) return send(res, 404, { error: `no run '${id}' here` });
  switch (parts[1]) {
    case 'metrics': {
      const from = url.searchParams.get('from') ?? '0';
      if (!/^\d+$/.test(from) || !Number.isSafeInteger(Number(from))) return send(res, 400, { error: `?from= must be a byte offset (an integer >= 0), got '${from}'` });
      const chunk = folder.read(path.join(runDir, RUN_FILES.metrics), (fd) => readMetricsFromDescriptor(fd, Number(from)));
      return send(res, 200, chunk ?? { records: [], next: 0 });
    }
    case 'gallery': {
      const file = galleryIndexFile(runDir);
      const text = folder.read(file, (fd) => fs.readFileSync(fd, 'utf8'));
      return send(res, 200, text !== undefined ? galleryOrNone(text, file) : null);
    }
    case 'gallery-file': {
      const name = url.searchParams.get('name');
      if (!name) return send(res, 400, { error: 'missing ?name= (a file of the gallery index)' });
      const file = galleryFile(runDir, name);
      const fd = file !== undefined ? folder.open(file) : undefined;
      return fd !== undefined ? sendOpenFile(res, fd, file!) : send(res, 404, { error: 'no such gallery image' });
    }
    default:
      return send(res, 404, { error: `no API run/${parts[1]}` });
  }
}

/** The gallery index; a damaged one shows as no gallery, so the run's curves still update (report and resume name the file). */
function galleryOrNone(text: string, file: string): GalleryIndex | null {
  try {
    return parseGalleryIndex(text, file);
  } catch {
    return null;
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/** One of the dashboard's own files (the page, the chart libraries). */
function sendFile(res: http.ServerResponse, file: string): void {
  if (!fs.existsSync(file)) return send(res, 404, { error: `not found: ${path.basename(file)}` });
  sendOpenFile(res, fs.openSync(file, 'r'), file);
}

/** An opened file, typed by the extension of `name`; the descriptor is closed when sent or abandoned. */
function sendOpenFile(res: http.ServerResponse, fd: number, name: string): void {
  res.writeHead(200, { 'content-type': TYPES[path.extname(name)] ?? 'application/octet-stream', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  pipeline(fs.createReadStream(name, { fd }), res, () => undefined);
}
