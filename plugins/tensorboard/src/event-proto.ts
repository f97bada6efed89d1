// The few protobuf messages an event file needs (tensorflow.Event and tensorflow.Summary),
// encoded by hand: field numbers as in TensorFlow's event.proto and summary.proto.

export type SummaryValue =
  | { tag: string; simpleValue: number }
  | { tag: string; image: { height: number; width: number; colorspace: number; png: Uint8Array } };

export type EventBody = { fileVersion: string } | { summary: SummaryValue[] };

export function encodeEvent(wallTime: number, step: number, body: EventBody): Buffer {
  const out = new ProtoWriter();
  out.double(1, wallTime);
  if (step !== 0) out.varint(2, step); // proto3 leaves default values out
  if ('fileVersion' in body) out.bytes(3, Buffer.from(body.fileVersion, 'utf8'));
  else out.bytes(5, encodeSummary(body.summary));
  return out.finish();
}

function encodeSummary(values: SummaryValue[]): Buffer {
  const out = new ProtoWriter();
  for (const value of values) out.bytes(1, encodeValue(value));
  return out.finish();
}

function encodeValue(value: SummaryValue): Buffer {
  const out = new ProtoWriter();
  out.bytes(1, Buffer.from(value.tag, 'utf8'));
  if ('simpleValue' in value) out.float(2, value.simpleValue);
  else {
    const image = new ProtoWriter();
    image.varint(1, value.image.height);
    image.varint(2, value.image.width);
    image.varint(3, value.image.colorspace);
    image.bytes(4, value.image.png);
    out.bytes(4, image.finish());
  }
  return out.finish();
}

const WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_BYTES = 2, WIRE_FIXED32 = 5;

class ProtoWriter {
  private readonly parts: Buffer[] = [];

  varint(field: number, value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`protobuf varint field ${field}: expected a non-negative integer, got ${value}`);
    this.parts.push(varintBytes(field * 8 + WIRE_VARINT), varintBytes(value));
  }

  double(field: number, value: number): void {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value, 0);
    this.parts.push(varintBytes(field * 8 + WIRE_FIXED64), b);
  }

  float(field: number, value: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(value, 0);
    this.parts.push(varintBytes(field * 8 + WIRE_FIXED32), b);
  }

  bytes(field: number, value: Uint8Array): void {
    this.parts.push(varintBytes(field * 8 + WIRE_BYTES), varintBytes(value.length), Buffer.from(value));
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function varintBytes(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}
