import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EventFileWriter } from './event-file-writer';
import { crc32c, maskedCrc32c } from './crc32c';
import { crc32cBitwise, masked, readEvents } from './testing/event-decoder';

describe('TensorBoard event files', () => {
  it('CRC-32C matches the standard check value and a bitwise implementation', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    const random = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919 + 13) % 256));
    expect(crc32c(random)).toBe(crc32cBitwise(random));
    expect(maskedCrc32c(random)).toBe(masked(random));
  });

  it('writes a file version, scalars and a PNG image that an independent decoder reads back', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-tb-'));
    const writer = new EventFileWriter(dir, 1_700_000_000_000);
    writer.scalars(1, { 'loss/total': 0.75, lr: 0.003, 'eval/miou': Number.NaN }, 1_700_000_001_000);
    writer.scalars(300, { 'loss/total': 0.125 }, 1_700_000_002_500);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    writer.image(300, 'gallery/0', png, { height: 64, width: 192, channels: 3 });
    writer.close();

    expect(path.basename(writer.file)).toMatch(/^events\.out\.tfevents\.1700000000\./);
    const events = readEvents(writer.file);
    expect(events[0]).toEqual({ wallTime: 1_700_000_000, fileVersion: 'brain.Event:2' });
    expect(events[1].step).toBe(1);
    expect(events[1].wallTime).toBe(1_700_000_001);
    // non-finite values are not logged (TensorBoard's charts break on them)
    expect(events[1].summary!.value.map((v) => v.tag)).toEqual(['loss/total', 'lr']);
    expect(events[1].summary!.value[0].simpleValue).toBeCloseTo(0.75, 7);
    expect(events[1].summary!.value[1].simpleValue).toBeCloseTo(0.003, 7);
    expect(events[2]).toMatchObject({ step: 300, wallTime: 1_700_000_002.5 });
    const image = events[3].summary!.value[0];
    expect(image.tag).toBe('gallery/0');
    expect(image.image).toMatchObject({ height: 64, width: 192, colorspace: 3 });
    expect(Buffer.from(image.image!.encodedImageString)).toEqual(png);
  });

  it('steps beyond 2^31 and a record torn by a kill leave the earlier records readable', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-tb-'));
    const writer = new EventFileWriter(dir);
    writer.scalars(2 ** 33 + 5, { x: 1 });
    writer.close();
    const whole = fs.readFileSync(writer.file);
    expect(readEvents(writer.file)[1].step).toBe(2 ** 33 + 5);
    fs.writeFileSync(writer.file, whole.subarray(0, whole.length - 3));
    const data = fs.readFileSync(writer.file);
    const firstLength = Number(data.readBigUInt64LE(0));
    // the first record is intact; the second's data CRC no longer matches
    expect(data.readUInt32LE(12 + firstLength)).toBe(masked(data.subarray(12, 12 + firstLength)));
    expect(() => readEvents(writer.file)).toThrow();
  });
});
