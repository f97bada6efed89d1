import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expandMatrix, parseCompareConfig, writeMatrixIndex } from '@ssseg/report';
import { startServer, type RunningServer } from './server';

function runFolder(dir: string, lines: object[], extra = ''): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.yaml'), 'method: { type: fixmatch }\nmodel: { type: unet }\nregularizers: [{ type: ipixmatch }]\ndata: { type: mnist-seg, split: 1_16 }\ntrain: { maxSteps: 10, seed: 2 }\n');
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l) + '\n').join('') + extra);
}

/** Names, sizes and modification times of every file below a folder. */
function snapshot(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => path.join(e.parentPath, e.name))
    .map((f) => { const s = fs.statSync(f); return `${path.relative(dir, f)} ${s.size} ${s.mtimeMs}`; })
    .sort();
}

describe('ssseg serve API', () => {
  let root: string;
  let server: RunningServer;
  const get = (p: string) => fetch(new URL(p, server.url));

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-serve-'));
    runFolder(path.join(root, 'a'), [
      { event: 'step', step: 1, epoch: 0, time: 1, loss: 2 },
      { event: 'eval', step: 1, epoch: 0, time: 2, miou: 0.25, iou: [0.5, 0], classNames: ['bg', 'fg'] },
    ], '{"event":"step","step":2,"ep'); // torn: the run is writing, or was killed mid-line
    // a's writer is alive (this process holds its lock); c's died
    fs.writeFileSync(path.join(root, 'a', 'LOCK'), JSON.stringify({ pid: process.pid, host: os.hostname(), started: new Date().toISOString(), purpose: 'ssseg train' }));
    runFolder(path.join(root, 'c'), [{ event: 'step', step: 3, epoch: 0, time: 1, loss: 1 }]);
    fs.writeFileSync(path.join(root, 'c', 'LOCK'), JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), started: new Date().toISOString(), purpose: 'ssseg train' }));
    runFolder(path.join(root, 'nested', 'b'), [{ event: 'step', step: 10, epoch: 0, time: 1, loss: 1 }]);
    fs.writeFileSync(path.join(root, 'nested', 'b', 'DONE'), '{}');
    fs.mkdirSync(path.join(root, 'a', 'gallery'));
    fs.writeFileSync(path.join(root, 'a', 'gallery', 'image-0.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    fs.writeFileSync(path.join(root, 'a', 'gallery', 'index.json'), JSON.stringify({ classNames: ['bg', 'fg'], palette: [[0, 0, 0], [128, 0, 0]], images: [{ id: 'x', image: 'image-0.png', truth: 'image-0.png' }], evaluations: [] }));
    server = await startServer({ dir: root, port: 0 });
  });
  afterAll(() => server.close());

  it('listens on this machine only unless told otherwise', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('lists every run below the folder with status, progress and identity', async () => {
    const body = await (await get('/api/runs')).json() as any;
    expect(body.runs).toEqual([
      expect.objectContaining({ id: 'a', status: 'running', step: 1, totalSteps: 10, method: 'fixmatch', split: '1_16', seed: 2, regularizers: ['ipixmatch'] }),
      expect.objectContaining({ id: 'c', status: 'stopped', step: 3 }),
      expect.objectContaining({ id: 'nested/b', status: 'done', step: 10 }),
    ]);
  });

  it('sends complete metrics lines from an offset, and a line once it is complete', async () => {
    const first = await (await get('/api/run/metrics?id=a&from=0')).json() as any;
    expect(first.records.map((r: { event: string }) => r.event)).toEqual(['step', 'eval']);
    const again = await (await get(`/api/run/metrics?id=a&from=${first.next}`)).json() as any;
    expect(again).toEqual({ records: [], next: first.next });
    fs.appendFileSync(path.join(root, 'a', 'metrics.jsonl'), 'och":0,"time":3,"loss":1.5}\n');
    const completed = await (await get(`/api/run/metrics?id=a&from=${first.next}`)).json() as any;
    expect(completed.records).toEqual([{ event: 'step', step: 2, epoch: 0, time: 3, loss: 1.5 }]);
  });

  it('serves gallery files and refuses anything outside the served folder', async () => {
    expect((await get('/api/run/gallery?id=a')).status).toBe(200);
    const image = await get('/api/run/gallery-file?id=a&name=image-0.png');
    expect(image.headers.get('content-type')).toBe('image/png');
    expect((await get('/api/run/gallery-file?id=a&name=../config.yaml')).status).toBe(404);
    expect((await get('/api/run/gallery-file?id=a&name=../../../etc/passwd.png')).status).toBe(404);
    expect((await get(`/api/run/metrics?id=${encodeURIComponent('../' + path.basename(root))}`)).status).toBe(404);
    expect((await get('/api/run/metrics?id=/etc')).status).toBe(404);
    expect((await get('/static/..%2Fpackage.json')).status).toBe(404);
  });

  it('serves the page and the chart libraries', async () => {
    expect(await (await get('/')).text()).toMatch(/<title>ssseg<\/title>/);
    for (const lib of ['vega.min.js', 'vega-lite.min.js', 'vega-embed.min.js']) expect((await get(`/vendor/${lib}`)).status).toBe(200);
  });

  it('never writes to the run folders and answers only GET', async () => {
    const before = snapshot(root);
    expect((await fetch(new URL('/api/runs', server.url), { method: 'POST' })).status).toBe(405);
    await get('/api/runs');
    await get('/api/run/metrics?id=nested/b');
    await get('/api/run/gallery?id=a');
    expect(snapshot(root)).toEqual(before);
  });

  it('lists a comparison\'s runs that have not started as queued', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-serve-cmp-'));
    const compare = parseCompareConfig({
      base: { model: { type: 'unet' }, data: { type: 'mnist-seg' }, train: { maxSteps: 5 } },
      methods: [{ type: 'supervised' }], splits: ['1_16'], seeds: [1, 2],
    });
    writeMatrixIndex(dir, expandMatrix(compare));
    const local = await startServer({ dir, port: 0 });
    try {
      const body = await (await fetch(new URL('/api/runs', local.url))).json() as any;
      expect(body.runs.map((r: { status: string; seed: number }) => [r.status, r.seed])).toEqual([['queued', 1], ['queued', 2]]);
    } finally {
      await local.close();
    }
  });

  it('refuses a folder that does not exist', async () => {
    await expect(startServer({ dir: path.join(root, 'missing') })).rejects.toThrow(/no such folder/);
  });
});
