import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * For tests: PyTorch writes weight files and what its network computes (scripts/write-torch-weights.py),
 * as the independent reference the importers are checked against. Never used at run time.
 */

/** Debian's python3-torch and python3-torchvision install for the system python, not a pyenv one. */
export const TORCH_PYTHON = '/usr/bin/python3';
// from the sources (src/weights-import) or the bundle (dist)
const SCRIPT = [path.join(__dirname, '../../scripts/write-torch-weights.py'), path.join(__dirname, '../scripts/write-torch-weights.py')].find((f) => fs.existsSync(f))!;

/** Why the PyTorch-backed tests cannot run here, or undefined when they can. */
export function torchUnavailableReason(): string | undefined {
  if (!fs.existsSync(TORCH_PYTHON)) return `${TORCH_PYTHON} not found`;
  const probe = spawnSync(TORCH_PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'ignore' });
  return probe.status === 0 ? undefined : `${TORCH_PYTHON} cannot import torch and torchvision (apt-get install python3-torch python3-torchvision)`;
}

export interface TorchJob {
  arch: string;
  kind: string;
  out: string;
  size: number;
}

export interface TorchOutputs {
  /** The input, NCHW. */
  input: number[];
  outputs: Record<string, { shape: number[]; data: number[] }>;
}

/** Writes every job's file with one python process (importing torch is most of its time). */
export function writeTorchFiles(jobs: TorchJob[], dir: string): void {
  const list = path.join(dir, `jobs-${process.pid}-${Date.now()}.json`);
  fs.writeFileSync(list, JSON.stringify(jobs));
  const run = spawnSync(TORCH_PYTHON, [SCRIPT, list], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`write-torch-weights.py failed: ${run.stderr}`);
}

/** What the PyTorch network computed on its input (written beside the file). */
export function torchOutputs(file: string): TorchOutputs {
  return JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'));
}

/** max |a - b| over max(1, max |b|): the relative error the import tests bound. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != expected ${expected.length}`);
  let worst = 0, scale = 1;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return worst / scale;
}

/**
 * For tests: runs a PyTorch script (a method's reference formula) with `input` as JSON on stdin
 * and returns what it prints as JSON on stdout. Throws with the script's stderr when it fails.
 */
export function runTorchScript<T>(script: string, input: unknown): T {
  const run = spawnSync(TORCH_PYTHON, [script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`${path.basename(script)} failed (exit ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}
