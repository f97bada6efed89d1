/**
 * A pickle reader for PyTorch state dicts that executes nothing: it knows the opcodes that dicts,
 * lists, tuples, strings, numbers and tensor references use, resolves only the globals the caller
 * allows, and refuses everything else with the opcode or global and its byte offset. (A pickle is a
 * program: Python's own unpickler would import and call whatever the file names.)
 */

/** A global the caller allowed, as GLOBAL pushes it: called by REDUCE with its argument tuple. */
export interface AllowedGlobal {
  readonly module: string;
  readonly name: string;
  /** Called by REDUCE; absent for globals that are only ever passed as values (storage types). */
  readonly call?: (args: unknown[]) => unknown;
}

export interface UnpickleOptions {
  /** 'module.name' -> what GLOBAL pushes for it. */
  globals: Map<string, AllowedGlobal>;
  /** BINPERSID: PyTorch's reference to a tensor storage stored beside the pickle. */
  persistentLoad: (pid: unknown) => unknown;
}

export class UnpickleError extends Error {}

/** A Python dict's keys are strings or numbers in a state dict; other objects key nothing here. */
export type PyDict = Map<string | number, unknown>;

const MARK = Symbol('mark');

export function unpickle(bytes: Uint8Array, options: UnpickleOptions): unknown {
  return unpickleAt(bytes, 0, options).value;
}

/** One pickle starting at `start`, and where it ends (PyTorch's legacy files hold several in a row). */
export function unpickleAt(bytes: Uint8Array, start: number, options: UnpickleOptions): { value: unknown; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let pos = start;

  const need = (n: number): void => {
    if (pos + n > bytes.length) throw new UnpickleError(`pickle ends inside an opcode at byte ${pos} (truncated file?)`);
  };
  const u8 = (): number => (need(1), bytes[pos++]);
  const u16 = (): number => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = (): number => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = (): number => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const u64 = (): number => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new UnpickleError(`length ${v} at byte ${pos - 8} is too large`);
    return Number(v);
  };
  const take = (n: number): Uint8Array => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new UnpickleError(`pickle ends inside a text line at byte ${pos}`);
    const text = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const pop = (): unknown => {
    if (!stack.length || stack[stack.length - 1] === MARK) throw new UnpickleError(`stack underflow at byte ${pos}`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (!stack.length) throw new UnpickleError(`stack underflow at byte ${pos}`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) throw new UnpickleError(`no MARK on the stack at byte ${pos}`);
    const items = stack.splice(at);
    return items.slice(1);
  };
  const global = (module: string, name: string, at: number): AllowedGlobal => {
    const allowed = options.globals.get(`${module}.${name}`);
    if (!allowed) {
      throw new UnpickleError(
        `refuses the global '${module}.${name}' at byte ${at}: only tensors, dicts, lists, strings and numbers are read ` +
          `(a pickle can run any Python it names). Save just the state dict: torch.save(model.state_dict(), 'weights.pth')`,
      );
    }
    return allowed;
  };
  const setItems = (dict: unknown, items: unknown[], at: number): void => {
    if (!(dict instanceof Map)) throw new UnpickleError(`SETITEM(S) on something that is not a dict at byte ${at}`);
    for (let i = 0; i + 1 < items.length; i += 2) dict.set(dictKey(items[i], at), items[i + 1]);
  };
  const append = (list: unknown, items: unknown[], at: number): void => {
    if (!Array.isArray(list)) throw new UnpickleError(`APPEND(S) on something that is not a list at byte ${at}`);
    list.push(...items);
  };

  for (;;) {
    const at = pos;
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME: a length hint only
      case 0x2e: // STOP
        if (stack.length !== 1) throw new UnpickleError(`STOP with ${stack.length} values on the stack at byte ${at}`);
        return { value: stack[0], end: pos };
      case 0x28: stack.push(MARK); break; // MARK
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x64: { // DICT
        const items = popMark();
        const dict: PyDict = new Map();
        setItems(dict, items, at);
        stack.push(dict);
        break;
      }
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(), a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(), b = pop(), a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: stack.push(fromMemo(memo, u8(), at)); break; // BINGET
      case 0x6a: stack.push(fromMemo(memo, u32(), at)); break; // LONG_BINGET
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(long(take(u8()))); break; // LONG1
      case 0x47: need(8); stack.push(view.getFloat64(pos, false)); pos += 8; break; // BINFLOAT (big-endian)
      case 0x58: stack.push(utf8.decode(take(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(utf8.decode(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(utf8.decode(take(u64()))); break; // BINUNICODE8
      case 0x55: stack.push(new TextDecoder('latin1').decode(take(u8()))); break; // SHORT_BINSTRING
      case 0x54: stack.push(new TextDecoder('latin1').decode(take(u32()))); break; // BINSTRING
      case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x42: stack.push(take(u32()).slice()); break; // BINBYTES
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x73: { const v = pop(), k = pop(); setItems(top(), [k, v], at); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items, at); break; } // SETITEMS
      case 0x61: { const v = pop(); append(top(), [v], at); break; } // APPEND
      case 0x65: { const items = popMark(); append(top(), items, at); break; } // APPENDS
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x63: { const module = line(); stack.push(global(module, line(), at)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop(), module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new UnpickleError(`STACK_GLOBAL without two strings at byte ${at}`);
        stack.push(global(module, name, at));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop(), fn = pop() as AllowedGlobal;
        if (!fn?.call || !Array.isArray(args)) throw new UnpickleError(`REDUCE of '${describe(fn)}' at byte ${at}: not a callable this reader allows`);
        stack.push(fn.call(args));
        break;
      }
      case 0x62: { // BUILD: only an OrderedDict's attributes (a state dict's _metadata), which are dropped
        const state = pop();
        if (!(top() instanceof Map) || !(state instanceof Map || state === null)) throw new UnpickleError(`BUILD of an object at byte ${at}: only dicts are read`);
        break;
      }
      case 0x51: stack.push(options.persistentLoad(pop())); break; // BINPERSID
      default:
        throw new UnpickleError(`refuses pickle opcode 0x${op.toString(16).padStart(2, '0')} ('${String.fromCharCode(op)}') at byte ${at}: a state dict needs only dicts, lists, tuples, strings, numbers and tensors`);
    }
  }
}

function fromMemo(memo: Map<number, unknown>, key: number, at: number): unknown {
  if (!memo.has(key)) throw new UnpickleError(`memo ${key} read before it was written at byte ${at}`);
  return memo.get(key);
}

function dictKey(key: unknown, at: number): string | number {
  if (typeof key === 'string' || typeof key === 'number') return key;
  throw new UnpickleError(`a dict key that is not a string or number at byte ${at}`);
}

/** Little-endian two's complement integer; a number when it fits exactly. */
function long(bytes: Uint8Array): number | bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  if (bytes.length && bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function describe(value: unknown): string {
  const g = value as AllowedGlobal | undefined;
  return g && typeof g === 'object' && 'module' in g ? `${g.module}.${g.name}` : typeof value;
}
