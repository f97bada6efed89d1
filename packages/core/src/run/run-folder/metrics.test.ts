import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MetricsWriter, lastLoggedStep, readMetrics, readMetricsFrom } from './metrics';

const tempFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-metrics-')), 'metrics.jsonl');
const step = (n: number) => ({ event: 'step' as const, step: n, epoch: 0, time: 0, loss: 1 / n });

describe('metrics.jsonl, written and read in one module', () => {
  it('appends whole lines, truncates on resume, drops a torn last line with a warning and names a bad line elsewhere', () => {
    const file = tempFile();
    const writer = new MetricsWriter(file);
    for (let n = 1; n <= 3; n++) writer.write(step(n));
    writer.write({ event: 'eval', step: 3, epoch: 0, time: 0, miou: Number.NaN, iou: [] });
    const records = readMetrics(file);
    expect(records.map((r) => [r.event, r.step])).toEqual([['step', 1], ['step', 2], ['step', 3], ['eval', 3]]);
    // non-finite numbers are written as strings (JSON has no NaN)
    expect(records[3].miou).toBe('NaN');
    writer.truncateAfter(2);
    expect(readMetrics(file).map((r) => r.step)).toEqual([1, 2]);
    // a process killed while appending leaves a torn last line: dropped, with a warning naming it
    fs.appendFileSync(file, '{"event":"step","st');
    const warnings: string[] = [];
    expect(readMetrics(file, (w) => warnings.push(w)).map((r) => r.step)).toEqual([1, 2]);
    expect(warnings).toEqual([expect.stringMatching(/metrics\.jsonl:3: dropped a torn last line/)]);
    // resuming rewrites the file whole, so the next record is not glued to the torn one
    new MetricsWriter(file).truncateAfter(2, () => undefined);
    expect(fs.readFileSync(file, 'utf8').endsWith('}\n')).toBe(true);
    // anywhere else a bad line is corruption, named by line
    fs.appendFileSync(file, '{broken\n{"event":"step","step":3,"epoch":0,"time":0}\n');
    expect(() => readMetrics(file)).toThrow(/metrics\.jsonl:3: not a JSON line/);
  });

  it('a reader following a run gets each complete record once, and starts over when a resume rewrote the file', () => {
    const file = tempFile();
    expect(readMetricsFrom(file)).toEqual({ records: [], next: 0 });
    const writer = new MetricsWriter(file);
    writer.write(step(1));
    fs.appendFileSync(file, '{"event":"step","step":2,'); // being written
    const first = readMetricsFrom(file);
    expect(first.records.map((r) => r.step)).toEqual([1]);
    fs.appendFileSync(file, '"epoch":0,"time":0}\n');
    const second = readMetricsFrom(file, first.next);
    expect(second.records.map((r) => r.step)).toEqual([2]);
    expect(readMetricsFrom(file, second.next).records).toEqual([]);
    writer.truncateAfter(1);
    expect(readMetricsFrom(file, second.next).records.map((r) => r.step)).toEqual([1]);
  });

  it('the last logged step comes from the tail: evaluations and a torn line after it do not hide it', () => {
    const file = tempFile();
    expect(lastLoggedStep(file)).toBeNull();
    const writer = new MetricsWriter(file);
    writer.write({ event: 'eval', step: 0, epoch: 0, time: 0, miou: 0.1, iou: [] });
    expect(lastLoggedStep(file)).toBeNull();
    for (let n = 1; n <= 400; n++) writer.write(step(n));
    writer.write({ event: 'eval', step: 400, epoch: 0, time: 0, miou: 0.5, iou: [0.5] });
    fs.appendFileSync(file, '{"event":"step","step":401');
    expect(fs.statSync(file).size).toBeGreaterThan(8192);
    expect(lastLoggedStep(file)).toBe(400);
  });
});
