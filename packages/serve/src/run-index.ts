import * as fs from 'fs';
import * as path from 'path';
import { RUN_FILES, folderWriter, loadRunConfig } from '@ssseg/core';
import { MATRIX_INDEX_FILE, readMatrixIndex, runStatus } from '@ssseg/report';

export type RunView = {
  /** The run's folder relative to the served folder, '/'-separated ('.' when the served folder is one run). */
  id: string;
  status: 'queued' | 'running' | 'stopped' | 'done' | 'failed';
  step: number;
  totalSteps: number | null;
  method?: string;
  variant?: string;
  split?: string;
  seed?: number;
  regularizers: string[];
};

const MAX_DEPTH = 4;

/**
 * The runs under a folder: the folder itself when it is a run, the planned runs of a comparison
 * (matrix.json; runs not started yet are 'queued'), and otherwise every run or comparison found
 * below it. Reads only.
 */
export function listRuns(root: string): RunView[] {
  const views = new Map<string, RunView>();
  collect(path.resolve(root), path.resolve(root), 0, views);
  return [...views.values()].sort((a, b) => a.id.localeCompare(b.id));
}

function collect(root: string, dir: string, depth: number, into: Map<string, RunView>): void {
  if (isRunFolder(dir)) {
    const id = relativeId(root, dir);
    into.set(id, describeRun(dir, id));
    return;
  }
  if (fs.existsSync(path.join(dir, MATRIX_INDEX_FILE))) {
    for (const planned of readMatrixIndex(dir).runs) {
      const runDir = path.join(dir, planned.dir);
      const id = relativeId(root, runDir);
      const view = isRunFolder(runDir) ? describeRun(runDir, id) : { id, status: 'queued' as const, step: 0, totalSteps: planned.config.train.maxSteps ?? null, regularizers: [] };
      into.set(id, { ...view, method: planned.method, variant: planned.variant, split: planned.split, seed: planned.seed });
    }
    return;
  }
  if (depth >= MAX_DEPTH) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') collect(root, path.join(dir, entry.name), depth + 1, into);
  }
}

export function isRunFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, RUN_FILES.config)) && !fs.existsSync(path.join(dir, MATRIX_INDEX_FILE));
}

function relativeId(root: string, dir: string): string {
  return path.relative(root, dir).split(path.sep).join('/') || '.';
}

function describeRun(dir: string, id: string): RunView {
  const config = readConfig(dir);
  const status = runStatus(dir);
  // a live writer holds the run folder's lock (one on another host is taken to be alive)
  const writer = folderWriter(dir);
  const training = writer !== undefined && writer.running !== false;
  const state: RunView['status'] = status.state === 'done' ? 'done'
    : status.state === 'failed' ? 'failed'
      : training ? 'running'
        : status.state === 'not-started' ? 'queued' : 'stopped';
  return {
    id,
    status: state,
    step: status.step ?? (state === 'done' ? config.maxSteps ?? 0 : 0),
    totalSteps: config.maxSteps,
    method: config.method,
    split: config.split,
    seed: config.seed,
    regularizers: config.regularizers,
  };
}

function readConfig(dir: string): { method?: string; split?: string; seed?: number; maxSteps: number | null; regularizers: string[] } {
  let config;
  try {
    config = loadRunConfig(path.join(dir, RUN_FILES.config));
  } catch {
    // a config being written, or one this version cannot read: the run is listed without details
    return { maxSteps: null, regularizers: [] };
  }
  const split = config.data.split;
  return {
    method: config.method.type,
    split: typeof split === 'string' ? split : undefined,
    seed: config.train.seed,
    maxSteps: config.train.maxSteps ?? null,
    regularizers: config.regularizers.map((r) => String(r.name ?? r.type)),
  };
}

/** The run folder for an id from the browser, refusing anything outside the served folder. */
export function resolveRunDir(root: string, id: string): string | undefined {
  const base = path.resolve(root);
  const dir = path.resolve(base, id);
  if (dir !== base && !dir.startsWith(base + path.sep)) return undefined;
  return isRunFolder(dir) ? dir : undefined;
}
