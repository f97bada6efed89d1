import type { core } from 'zod';

/** One line per issue, each naming the config path (`train.lr`, `regularizers[0].weight`). */
export function formatZodIssues(issues: readonly core.$ZodIssue[], prefix = ''): string {
  return issues
    .map((issue) => `  ${joinPath(prefix, issue.path as PropertyKey[]) || '(root)'}: ${issue.message}`)
    .join('\n');
}

export function joinPath(prefix: string, segments: readonly PropertyKey[]): string {
  let out = prefix;
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out ? `.${String(s)}` : String(s);
  }
  return out;
}
