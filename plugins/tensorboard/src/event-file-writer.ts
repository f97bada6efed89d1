import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeEvent, type EventBody, type SummaryValue } from './event-proto';
import { tfRecord } from './tfrecord';

/**
 * Writes one TensorBoard event file. Each record is appended whole, so a reader (TensorBoard, or
 * ssseg serve) sees every record written so far while the run trains; a process killed mid-record
 * leaves at most one torn record at the end, which TensorBoard skips.
 */
export class EventFileWriter {
  readonly file: string;
  private readonly fd: number;

  constructor(logDir: string, now = Date.now()) {
    fs.mkdirSync(logDir, { recursive: true });
    // TensorBoard picks up files whose name holds "tfevents"; the pid keeps a resumed run's new file apart.
    this.file = path.join(logDir, `events.out.tfevents.${Math.floor(now / 1000)}.${os.hostname()}.${process.pid}`);
    this.fd = fs.openSync(this.file, 'a');
    this.append(now, 0, { fileVersion: 'brain.Event:2' });
  }

  scalars(step: number, values: Record<string, number>, now = Date.now()): void {
    const summary: SummaryValue[] = Object.entries(values)
      .filter(([, v]) => typeof v === 'number' && Number.isFinite(v))
      .map(([tag, v]) => ({ tag, simpleValue: v }));
    if (summary.length) this.append(now, step, { summary });
  }

  /** A PNG image (TensorBoard's colorspace: 1 grey, 3 RGB, 4 RGBA). */
  image(step: number, tag: string, png: Uint8Array, size: { height: number; width: number; channels: 1 | 3 | 4 }, now = Date.now()): void {
    this.append(now, step, { summary: [{ tag, image: { height: size.height, width: size.width, colorspace: size.channels, png } }] });
  }

  flush(): void {
    fs.fsyncSync(this.fd);
  }

  close(): void {
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
  }

  private append(now: number, step: number, body: EventBody): void {
    fs.writeSync(this.fd, tfRecord(encodeEvent(now / 1000, step, body)));
  }
}
