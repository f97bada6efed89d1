import * as fs from 'fs';
import * as path from 'path';
import { GALLERY_FOLDER, GALLERY_INDEX_FILE, LOCK_FILE, RUN_FILES, folderWriter, parseRunConfig, readConfigFile, runStatus } from '@ssseg/core';
import { MATRIX_INDEX_FILE, readMatrixIndex } from '@ssseg/report';
import type { ServedFolder } from './served-folder';

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

/** The files the dashboard reads from a run folder: one that links outside the served folder hides the run. */
const RUN_FILES_READ = [RUN_FILES.config, RUN_FILES.metrics, RUN_FILES.done, LOCK_FILE, path.join(GALLERY_FOLDER, GALLERY_INDEX_FILE)];

type FolderKind = 'run' | 'comparison' | 'other' | 'links-out';

/**
 * The runs under the served folder: the folder itself when it is a run, the planned runs of a
 * comparison (matrix.json; runs not started yet are 'queued'), and otherwise every run or
 * comparison found below it. Linked folders are not walked into; a run or comparison whose files
 * link outside the served folder is left out. Reads only.
 */
export function listRuns(folder: ServedFolder): RunView[] {
  const views = new Map<string, RunView>();
  collect(folder, folder.root, 0, views);
  return [...views.values()].sort((a, b) => a.id.localeCompare(b.id));
}

function collect(folder: ServedFolder, dir: string, depth: number, into: Map<string, RunView>): void {
  const kind = folderKind(folder, dir);
  if (kind === 'links-out') return;
  if (kind === 'run') {
    const id = relativeId(folder, dir);
    into.set(id, describeRun(dir, id));
    return;
  }
  if (kind === 'comparison') {
    for (const planned of readMatrixIndex(dir).runs) {
      const runDir = path.resolve(dir, planned.dir);
      const runKind = fs.existsSync(runDir) ? folderKind(folder, runDir) : 'other';
      if (!folder.contains(runDir) || runKind === 'links-out' || runKind === 'comparison') continue;
      const id = relativeId(folder, runDir);
      const view = runKind === 'run' ? describeRun(runDir, id) : { id, status: 'queued' as const, step: 0, totalSteps: planned.config.train.maxSteps ?? null, regularizers: [] };
      into.set(id, { ...view, method: planned.method, variant: planned.variant, split: planned.split, seed: planned.seed });
    }
    return;
  }
  if (depth >= MAX_DEPTH) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') collect(folder, path.join(dir, entry.name), depth + 1, into);
  }
}

/** What a folder is to the dashboard; 'links-out' when it, or a file it would read there, leads outside the served folder. */
function folderKind(folder: ServedFolder, dir: string): FolderKind {
  if (folder.resolve(dir) === undefined) return 'links-out';
  const file = (name: string) => path.join(dir, name);
  if (fs.existsSync(file(MATRIX_INDEX_FILE))) return folder.leadsOut(file(MATRIX_INDEX_FILE)) ? 'links-out' : 'comparison';
  if (!fs.existsSync(file(RUN_FILES.config))) return 'other';
  return RUN_FILES_READ.some((name) => folder.leadsOut(file(name))) ? 'links-out' : 'run';
}

function relativeId(folder: ServedFolder, dir: string): string {
  return path.relative(folder.root, dir).split(path.sep).join('/') || '.';
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
    // a run folder's config.yaml is the validated config (no `extends:`), so nothing outside the folder is read
    const file = path.join(dir, RUN_FILES.config);
    config = parseRunConfig(readConfigFile(file), file);
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

/** The real folder of the run an id from the browser names, refusing anything that resolves outside the served folder. */
export function resolveRunDir(folder: ServedFolder, id: string): string | undefined {
  const dir = folder.resolve(path.resolve(folder.root, id));
  return dir !== undefined && folderKind(folder, dir) === 'run' ? dir : undefined;
}
