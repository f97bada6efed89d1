import { SssegError } from '@ssseg/core';
import { unpickle, unpickleAt, UnpickleError, type AllowedGlobal } from './restricted-unpickler';
import { DTYPE_BYTES, SourceTensor, decodeElements, type SourceDtype } from './source-tensor';
import { readZipDirectory, zipEntryBytes, type ZipEntry } from './zip-archive';

const STORAGE_DTYPES: Record<string, SourceDtype> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8', BoolStorage: 'bool',
};

interface Storage {
  dtype: SourceDtype;
  key: string;
  /** Elements the file declares for it. */
  elements: number;
  /** Its bytes, read (inflated) when a tensor of it is first decoded. */
  read: () => Uint8Array;
}

/** A state dict's pickle is a few hundred KB: a larger one is not a state dict (or a decompression bomb). */
const PICKLE_LIMIT = 256 * 1024 * 1024;

/** PyTorch's legacy (before 1.6) files start with a pickled magic number instead of a zip header. */
export function isLegacyTorchFile(bytes: Uint8Array): boolean {
  return bytes[0] === 0x80 && bytes[1] === 0x02 && bytes[2] === 0x8a;
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * Reads a `torch.save` file (the zip format PyTorch writes since 1.6): the pickled object with its
 * tensors as SourceTensor, dicts as Map, lists and tuples as arrays. Nothing in the file is executed.
 */
export function readTorchFile(bytes: Uint8Array, file: string): unknown {
  try {
    if (isLegacyTorchFile(bytes)) return readLegacyTorchFile(bytes, file);
  } catch (err) {
    if (err instanceof UnpickleError) throw new SssegError(`legacy PyTorch file: ${err.message}`, file);
    throw err;
  }
  if (!isZip(bytes)) throw new SssegError('not a PyTorch file (no zip header)', file);
  const entries = readZipDirectory(bytes, file);
  const pickleName = [...entries.keys()].find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (!pickleName) throw new SssegError(`a zip file without '<name>/data.pkl': not written by torch.save (found ${[...entries.keys()].slice(0, 3).join(', ')})`, file);
  const root = pickleName.slice(0, -'data.pkl'.length);
  const small = (entry: ZipEntry, what: string) => {
    if (entry.size > BigInt(PICKLE_LIMIT)) throw new SssegError(`zip entry '${entry.name}' claims ${entry.size} bytes, over the ${PICKLE_LIMIT}-byte limit for ${what}`, file);
    return zipEntryBytes(bytes, entry, Number(entry.size), 'the archive says', file);
  };
  const byteorderEntry = entries.get(`${root}byteorder`);
  const byteorder = byteorderEntry && small(byteorderEntry, 'a byte order');
  if (byteorder && new TextDecoder().decode(byteorder).trim() !== 'little') throw new SssegError('a big-endian PyTorch file: re-save it on a little-endian machine', file);
  const pickle = small(entries.get(pickleName)!, "a state dict's pickle");

  const storages = new Map<string, Storage>();
  const persistentLoad = (pid: unknown): Storage => {
    if (!Array.isArray(pid) || pid[0] !== 'storage') throw new UnpickleError(`a persistent reference that is not a tensor storage (${JSON.stringify(pid)})`);
    const [, type, key, , numel] = pid as [string, AllowedGlobal, string, string, unknown];
    const dtype = STORAGE_DTYPES[type?.name];
    if (!dtype) throw new UnpickleError(`storage of unknown type '${type?.module}.${type?.name}'`);
    const cached = storages.get(key);
    if (cached) return cached;
    const entry = entries.get(`${root}data/${key}`);
    if (!entry) throw new UnpickleError(`tensor storage '${root}data/${key}' is missing from the archive (truncated file?)`);
    if (!(typeof numel === 'number' && Number.isSafeInteger(numel) && numel >= 0)) throw new UnpickleError(`storage '${key}' declares ${String(numel)} elements`);
    const declared = numel * DTYPE_BYTES[dtype];
    // checked before anything is inflated, and the inflation stops at the declared size
    if (entry.size !== BigInt(declared)) throw new SssegError(`zip entry '${entry.name}' claims ${entry.size} bytes where its storage declares ${declared} (${numel} ${dtype})`, file);
    let data: Uint8Array | undefined;
    const read = () => (data ??= zipEntryBytes(bytes, entry, declared, `its storage declares (${numel} ${dtype})`, file));
    const storage = { dtype, key, elements: numel, read };
    storages.set(key, storage);
    return storage;
  };
  try {
    return unpickle(pickle, { globals: torchGlobals(file), persistentLoad });
  } catch (err) {
    if (err instanceof UnpickleError) throw new SssegError(`${pickleName}: ${err.message}`, file);
    throw err;
  }
}

/**
 * The format torch.save wrote before PyTorch 1.6: pickles of the magic number, the protocol version
 * and the machine's type sizes, the object (storages as persistent ids), the sorted storage keys;
 * then each storage as its little-endian int64 element count and raw data.
 */
function readLegacyTorchFile(bytes: Uint8Array, file: string): unknown {
  const plain = { globals: new Map<string, AllowedGlobal>(), persistentLoad: () => { throw new UnpickleError('a persistent reference in the header'); } };
  const magic = unpickleAt(bytes, 0, plain);
  if (BigInt(magic.value as number | bigint) !== LEGACY_MAGIC) throw new SssegError('not a PyTorch file (wrong magic number)', file);
  const version = unpickleAt(bytes, magic.end, plain);
  if (version.value !== 1001) throw new SssegError(`legacy PyTorch file of protocol version ${String(version.value)}, ssseg reads 1001`, file);
  const sysInfo = unpickleAt(bytes, version.end, plain);
  if ((sysInfo.value as Map<string, unknown>)?.get?.('little_endian') !== true) throw new SssegError('a big-endian PyTorch file: re-save it on a little-endian machine', file);
  const storages = new Map<string, Storage>();
  const persistentLoad = (pid: unknown): Storage => {
    if (!Array.isArray(pid) || pid[0] !== 'storage') throw new UnpickleError(`a persistent reference that is not a tensor storage (${JSON.stringify(pid)})`);
    const [, type, key, , , view] = pid as [string, AllowedGlobal, string, string, number, unknown];
    if (view !== null && view !== undefined) throw new UnpickleError(`storage '${key}' is a view of another storage, which ssseg does not read: re-save the file with PyTorch 1.6 or later`);
    const dtype = STORAGE_DTYPES[type?.name];
    if (!dtype) throw new UnpickleError(`storage of unknown type '${type?.module}.${type?.name}'`);
    // the data follows the pickles: filled in below, read only when a tensor is decoded
    if (!storages.has(key)) storages.set(key, { dtype, key, elements: 0, read: () => new Uint8Array(0) });
    return storages.get(key)!;
  };
  const root = unpickleAt(bytes, sysInfo.end, { globals: torchGlobals(file), persistentLoad });
  const keys = unpickleAt(bytes, root.end, plain);
  if (!Array.isArray(keys.value)) throw new SssegError('legacy PyTorch file without its list of storages', file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = keys.end;
  for (const key of keys.value as string[]) {
    const storage = storages.get(String(key));
    if (pos + 8 > bytes.length) throw new SssegError(`legacy PyTorch file ends before storage '${key}' (truncated file?)`, file);
    const elements = view.getBigInt64(pos, true);
    const length = elements * BigInt(DTYPE_BYTES[storage?.dtype ?? 'uint8']);
    pos += 8;
    if (elements < 0n || BigInt(pos) + length > BigInt(bytes.length)) throw new SssegError(`legacy PyTorch file ends inside storage '${key}' of ${elements} elements (truncated file?)`, file);
    const data = bytes.subarray(pos, pos + Number(length));
    if (storage) Object.assign(storage, { elements: Number(elements), read: () => data });
    pos += Number(length);
  }
  return root.value;
}

function torchGlobals(file: string): Map<string, AllowedGlobal> {
  const globals: AllowedGlobal[] = [
    { module: 'collections', name: 'OrderedDict', call: () => new Map() },
    { module: 'torch._utils', name: '_rebuild_tensor_v2', call: (args) => rebuildTensor(args, file) },
    { module: 'torch._utils', name: '_rebuild_tensor', call: (args) => rebuildTensor(args, file) },
    // nn.Parameter(data, requires_grad, hooks): the data is all a state dict needs
    { module: 'torch._utils', name: '_rebuild_parameter', call: (args) => args[0] },
    ...Object.keys(STORAGE_DTYPES).map((name) => ({ module: 'torch', name })),
  ];
  return new Map(globals.map((g) => [`${g.module}.${g.name}`, g]));
}

/** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, ...): a view into a storage. */
function rebuildTensor(args: unknown[], file: string): SourceTensor {
  const [storage, offset, size, stride] = args as [Storage, number, number[], number[]];
  if (!storage?.read || !Array.isArray(size) || !Array.isArray(stride) || typeof offset !== 'number') {
    throw new UnpickleError('a tensor rebuilt from arguments other than (storage, offset, size, stride)');
  }
  const shape = size.map(Number), strides = stride.map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const last = count === 0 ? offset : offset + shape.reduce((s, n, d) => s + (n - 1) * strides[d], 0);
  return new SourceTensor(storage.dtype, shape, () => {
    if (last >= storage.elements && count > 0) throw new SssegError(`a tensor of shape [${shape}] reads past the end of its storage '${storage.key}' (${storage.elements} elements; truncated file?)`, file);
    return decodeElements(storage.read(), storage.dtype, shape, offset, strides);
  });
}
