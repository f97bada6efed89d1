import { maskedCrc32c } from './crc32c';

/**
 * One TFRecord: little-endian uint64 length, masked CRC-32C of those 8 bytes, the data, masked
 * CRC-32C of the data. Event files are a sequence of these.
 */
export function tfRecord(data: Uint8Array): Buffer {
  const header = Buffer.alloc(12);
  header.writeBigUInt64LE(BigInt(data.length), 0);
  header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
  const footer = Buffer.alloc(4);
  footer.writeUInt32LE(maskedCrc32c(data), 0);
  return Buffer.concat([header, data, footer]);
}
