import * as fs from 'fs';
import * as protobuf from 'protobufjs';

// An independent reader: CRC-32C bit by bit (no table), and the Event/Summary messages decoded by
// protobufjs from their .proto text (field numbers as TensorFlow's event.proto and summary.proto).
export function crc32cBitwise(bytes: Uint8Array): number {
  let crc = ~0 >>> 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1));
  }
  return (~crc) >>> 0;
}

export function masked(bytes: Uint8Array): number {
  const crc = crc32cBitwise(bytes);
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

const schema = protobuf.parse(`
  syntax = "proto3";
  package tensorflow;
  message Event { double wall_time = 1; int64 step = 2; oneof what { string file_version = 3; Summary summary = 5; } }
  message Summary {
    message Image { int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4; }
    message Value { string tag = 1; oneof value { float simple_value = 2; Image image = 4; } }
    repeated Value value = 1;
  }
`).root;
const EventType = schema.lookupType('tensorflow.Event');

export interface DecodedEvent {
  wallTime: number; step: number; fileVersion?: string;
  summary?: { value: { tag: string; simpleValue?: number; image?: { height: number; width: number; colorspace: number; encodedImageString: Uint8Array } }[] };
}

export function readEvents(file: string): DecodedEvent[] {
  const data = fs.readFileSync(file);
  const events: DecodedEvent[] = [];
  let at = 0;
  while (at < data.length) {
    const lengthBytes = data.subarray(at, at + 8);
    if (data.readUInt32LE(at + 8) !== masked(lengthBytes)) throw new Error(`${file}: bad length CRC at byte ${at}`);
    const length = Number(data.readBigUInt64LE(at));
    const payload = data.subarray(at + 12, at + 12 + length);
    if (data.readUInt32LE(at + 12 + length) !== masked(payload)) throw new Error(`${file}: bad data CRC at byte ${at}`);
    const message = EventType.toObject(EventType.decode(payload), { longs: Number, defaults: false }) as DecodedEvent;
    events.push(message);
    at += 12 + length + 4;
  }
  return events;
}

