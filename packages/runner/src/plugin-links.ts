import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, writeFileAtomic } from '@ssseg/core';

/**
 * Plugin folders a project links (`ssseg plugin link DIR`): its package.json's
 * `"ssseg": { "plugins": [...] }`, each a folder relative to that package.json. npm keeps the
 * field through installs, and a linked plugin needs no registry and no copy in node_modules.
 */
export interface PluginLinks {
  /** The package.json that holds (or will hold) the links. */
  file: string;
  /** The linked folders, absolute. */
  folders: string[];
}

export function pluginLinks(projectDir: string): PluginLinks {
  const file = path.join(projectDir, 'package.json');
  const pkg = readPackageJson(file);
  return { file, folders: linksIn(pkg, file).map((p) => path.resolve(projectDir, p)) };
}

/** Records `folder` in the project's links (creating a package.json when the project has none); false when it was there. */
export function addPluginLink(projectDir: string, folder: string): boolean {
  return editLinks(projectDir, (links, entry) => (links.includes(entry) ? undefined : [...links, entry]), folder);
}

/** Removes `folder` from the project's links; false when it was not linked. */
export function removePluginLink(projectDir: string, folder: string): boolean {
  return editLinks(projectDir, (links, entry) => (links.includes(entry) ? links.filter((l) => l !== entry) : undefined), folder);
}

/** How a link is written: relative to the project, with '/', so a project moved with its plugins keeps them. */
function linkEntry(projectDir: string, folder: string): string {
  const relative = path.relative(projectDir, path.resolve(folder)).split(path.sep).join('/');
  return relative === '' ? '.' : relative.startsWith('..') ? relative : `./${relative}`;
}

function editLinks(projectDir: string, change: (links: string[], entry: string) => string[] | undefined, folder: string): boolean {
  const file = path.join(projectDir, 'package.json');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  const pkg = text === undefined ? { private: true } : readPackageJson(file);
  const entry = linkEntry(projectDir, folder);
  const links = linksIn(pkg, file);
  // an entry written by hand may spell the folder differently: compare where they point
  const same = links.find((l) => path.resolve(projectDir, l) === path.resolve(projectDir, entry));
  const next = change(links, same ?? entry);
  if (!next) return false;
  const ssseg = { ...(pkg.ssseg as Record<string, unknown> | undefined), plugins: next };
  const indent = /^[ \t]+(?=")/m.exec(text ?? '')?.[0] ?? 2;
  writeFileAtomic(file, JSON.stringify({ ...pkg, ssseg }, null, indent) + '\n');
  return true;
}

function readPackageJson(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) return {};
  let pkg: unknown;
  try {
    pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`not valid JSON (${(err as Error).message})`, file);
  }
  if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg)) throw new ConfigError('expected a JSON object', file);
  return pkg as Record<string, unknown>;
}

function linksIn(pkg: Record<string, unknown>, file: string): string[] {
  const links = (pkg.ssseg as { plugins?: unknown } | undefined)?.plugins;
  if (links === undefined) return [];
  if (!Array.isArray(links) || !links.every((l) => typeof l === 'string' && l.length > 0)) {
    throw new ConfigError('ssseg.plugins: expected a list of plugin folders (relative to this file), as ssseg plugin link writes it', file);
  }
  return links;
}
