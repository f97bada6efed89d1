import * as fs from 'fs';
import * as path from 'path';

/** What the documentation tests share: finding the shell lines of a doc, and running them as a user would. */

export const repoRoot = path.resolve(__dirname, '../..');
const launcher = path.join(repoRoot, 'packages/cli/bin/ssseg.js');

export interface DocLine {
  /** `README.md:245`. */
  where: string;
  /** The line without its trailing comment. */
  command: string;
}

/** The shell blocks (```sh, ```bash, ```shell) of a markdown file, each as its lines, comments and blank lines left out. */
export function shellBlocks(file: string): DocLine[][] {
  const blocks: DocLine[][] = [];
  let inShell = false, inBlock = false;
  fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    const fence = /^\s*```(\w*)/.exec(line);
    if (fence) {
      inShell = !inBlock && ['sh', 'bash', 'shell'].includes(fence[1]);
      inBlock = !inBlock;
      if (inShell) blocks.push([]);
      return;
    }
    const command = line.replace(/(^|\s+)#\s.*$/, '').trim();
    if (inShell && command) blocks[blocks.length - 1].push({ where: `${path.relative(repoRoot, file)}:${i + 1}`, command });
  });
  return blocks;
}

/** The `ssseg` / `npx ssseg` lines among them (after any `VAR=value` prefixes). */
export function documentedCommands(file: string): DocLine[] {
  return shellBlocks(file).flat().filter((l) => /^(\w+=\S+\s+)*(npx\s+)?ssseg(\s|$)/.test(l.command));
}

/**
 * Bash functions that make `ssseg` and `npx ssseg` what they are in a fresh clone: npx runs
 * node_modules/.bin/ssseg, the committed launcher of this checkout (never a registry's package).
 */
export const shellPrelude = [
  `ssseg() { node ${JSON.stringify(launcher)} "$@"; }`,
  'npx() { if [ "$1" = ssseg ]; then shift; ssseg "$@"; else command npx "$@"; fi; }',
].join('\n');

export const LAUNCHER = launcher;

/**
 * What a command gets appended so that it ends in seconds: few steps on a small mnist-seg, one
 * seed of a matrix, one benchmark step. The command as written is run otherwise.
 */
const TINY_DATA = ['data.size=48', 'data.valSize=8', 'train.maxSteps=2', 'train.evalEverySteps=2', 'train.batchSize=2'];
const QUICK: { pattern: RegExp; args: string[] }[] = [
  { pattern: /\bssseg train --config\b/, args: TINY_DATA.flatMap((s) => ['--set', s]) },
  // one seed and one split of a matrix: the full mnist matrix is 10 runs even then
  { pattern: /\bssseg compare --config\b(?!.*--queue)/, args: ['--seed', '1', '--set', 'splits=[1_64]', ...TINY_DATA.flatMap((s) => ['--set', `base.${s}`])] },
  { pattern: /\bssseg (eval|predict|export) --config configs\/mnist-seg\//, args: ['--set', 'data.size=48', '--set', 'data.valSize=8'] },
  { pattern: /\bssseg bench w[12]\b/, args: ['--steps', '1'] },
];

/** What `command` gets appended (QUICK) to end in seconds. */
export function quickArgs(command: string): string[] {
  return QUICK.filter((q) => q.pattern.test(command)).flatMap((q) => q.args);
}

/** Arguments quoted for bash. */
export function shellQuoted(args: readonly string[]): string[] {
  return args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`);
}

