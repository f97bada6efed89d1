import { unpickle, type AllowedGlobal } from './restricted-unpickler';

// Pickles assembled by hand, opcode by opcode (protocol 2, as torch.save writes).
const bytes = (...parts: (number[] | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));
const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
const str = (s: string) => ['X'.charCodeAt(0), ...u32(Buffer.byteLength(s)), ...Buffer.from(s)];
const orderedDict: AllowedGlobal = { module: 'collections', name: 'OrderedDict', call: () => new Map() };
const options = (persistentLoad = (pid: unknown): unknown => ({ pid })) => ({ globals: new Map([['collections.OrderedDict', orderedDict]]), persistentLoad });

describe('restricted unpickler', () => {
  it("reads dicts, lists, numbers, strings and memo references as Python's pickle wrote them", () => {
    // {'a': 7, 'b': [1.5, 256, None, True, -2], 'c': <the same list>}
    const pickle = bytes([0x80, 2], '}', [0x71, 0], '(', str('a'), 'K', [7], str('b'), ']', [0x71, 1], '(',
      'G', [0x3f, 0xf8, 0, 0, 0, 0, 0, 0], [0x8a, 2, 0x00, 0x01], 'N', [0x88], 'J', u32(-2 >>> 0), 'e', str('c'), 'h', [1], 'u.');
    const value = unpickle(pickle, options()) as Map<string, unknown>;
    expect([...value.keys()]).toEqual(['a', 'b', 'c']);
    expect(value.get('a')).toBe(7);
    expect(value.get('b')).toEqual([1.5, 256, null, true, -2]);
    expect(value.get('c')).toBe(value.get('b'));
  });

  it('calls only allowed globals, and hands persistent ids to the caller', () => {
    // OrderedDict() then SETITEM 'w' -> persistent_load(('storage', 3)), then BUILD with a _metadata dict
    const pickle = bytes([0x80, 2], 'ccollections\nOrderedDict\n', ')', 'R', str('w'), '(', str('storage'), 'K', [3], 't', 'Q', 's', '}', 'b.');
    const value = unpickle(pickle, options((pid) => ({ loaded: pid }))) as Map<string, unknown>;
    expect(value).toBeInstanceOf(Map);
    expect(value.get('w')).toEqual({ loaded: ['storage', 3] });
  });

  it('refuses any other global before anything could run, with its name and byte offset', () => {
    const pickle = bytes([0x80, 2], 'cos\nsystem\n', str('touch /tmp/x'), [0x85], 'R.');
    expect(() => unpickle(pickle, options())).toThrow(/^refuses the global 'os\.system' at byte 2: only tensors, dicts, lists, strings and numbers are read/);
    const stacked = bytes([0x80, 4], [0x8c, 8], 'builtins', [0x8c, 4], 'eval', [0x93], '.');
    expect(() => unpickle(stacked, options())).toThrow(/refuses the global 'builtins\.eval' at byte 18/);
  });

  it('refuses opcodes a state dict does not use, and says where a truncated pickle ends', () => {
    expect(() => unpickle(bytes([0x80, 2], '(i__builtin__\nobject\n.'), options())).toThrow(/^refuses pickle opcode 0x69 \('i'\) at byte 3/);
    expect(() => unpickle(bytes([0x80, 2], 'X', u32(5), 'ab'), options())).toThrow('pickle ends inside an opcode at byte 7 (truncated file?)');
    expect(() => unpickle(bytes([0x80, 2], 'h', [9], '.'), options())).toThrow('memo 9 read before it was written at byte 2');
    // BUILD on an object (what a pickled class instance does) is not a dict's attributes
    expect(() => unpickle(bytes([0x80, 2], ']', '}', 'b.'), options())).toThrow(/BUILD of an object at byte 4/);
  });
});
