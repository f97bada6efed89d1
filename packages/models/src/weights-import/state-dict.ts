import { SssegError } from '@ssseg/core';
import { SourceTensor } from './source-tensor';

/** Where checkpoints keep the weights, most likely first (PyTorch training scripts' conventions). */
const STATE_DICT_KEYS = ['state_dict', 'model', 'model_state_dict', 'model_state', 'net', 'network', 'module', 'weights', 'params'];

export interface FoundStateDict {
  tensors: Map<string, SourceTensor>;
  /** '' when the file is the state dict itself, else the checkpoint key holding it. */
  key: string;
}

function isStateDict(value: unknown): value is Map<string, SourceTensor> {
  return value instanceof Map && value.size > 0 && [...value.values()].every((v) => v instanceof SourceTensor);
}

/**
 * The state dict in what torch.load would return: the object itself, or the dict under `key`, or
 * under the first of the usual checkpoint keys ('state_dict', 'model', ...) that holds one.
 */
export function findStateDict(root: unknown, file: string, key?: string): FoundStateDict {
  if (key !== undefined) {
    const value = root instanceof Map ? root.get(key) : undefined;
    if (!isStateDict(value)) throw new SssegError(`no state dict under the key '${key}' (keys: ${keysOf(root)})`, file);
    return { tensors: value, key };
  }
  if (isStateDict(root)) return { tensors: root, key: '' };
  if (root instanceof Map) {
    const candidates = [...root.entries()].filter(([, v]) => isStateDict(v)).map(([k]) => String(k));
    const chosen = STATE_DICT_KEYS.find((k) => candidates.includes(k)) ?? (candidates.length === 1 ? candidates[0] : undefined);
    if (chosen) return { tensors: root.get(chosen) as Map<string, SourceTensor>, key: chosen };
    if (candidates.length > 1) throw new SssegError(`the checkpoint holds several state dicts (${candidates.map((c) => `'${c}'`).join(', ')}): choose one with --key`, file);
  }
  throw new SssegError(`no state dict (a dict of tensors) at the top of the file or under ${STATE_DICT_KEYS.map((k) => `'${k}'`).join(', ')} (keys: ${keysOf(root)})`, file);
}

function keysOf(root: unknown): string {
  if (!(root instanceof Map)) return `none: the file holds ${Array.isArray(root) ? 'a list' : typeof root}`;
  const keys = [...root.keys()].map((k) => `'${k}'`);
  return keys.slice(0, 8).join(', ') + (keys.length > 8 ? `, ... (${keys.length})` : '');
}

/**
 * The prefix to strip from the file's names so that most of them become names the model expects
 * ('module.' of DataParallel, 'backbone.' of a whole segmentation model, '' when they already fit).
 */
export function detectPrefix(names: Iterable<string>, expected: Set<string>): string {
  const votes = new Map<string, number>();
  for (const name of names) {
    for (let cut = 0; cut >= 0 && cut < name.length; cut = nextCut(name, cut)) {
      if (expected.has(name.slice(cut))) {
        const prefix = name.slice(0, cut);
        votes.set(prefix, (votes.get(prefix) ?? 0) + 1);
        break;
      }
    }
  }
  let best = '', bestVotes = 0;
  for (const [prefix, n] of votes) if (n > bestVotes || (n === bestVotes && prefix.length < best.length)) [best, bestVotes] = [prefix, n];
  return best;
}

function nextCut(name: string, cut: number): number {
  const dot = name.indexOf('.', cut);
  return dot < 0 ? -1 : dot + 1;
}

/** The tensors under `prefix`, renamed without it; the others are counted as outside. */
export function withoutPrefix(tensors: Map<string, SourceTensor>, prefix: string): { inside: Map<string, SourceTensor>; outside: string[] } {
  const inside = new Map<string, SourceTensor>();
  const outside: string[] = [];
  for (const [name, t] of tensors) {
    if (name.startsWith(prefix)) inside.set(name.slice(prefix.length), t);
    else outside.push(name);
  }
  return { inside, outside };
}
