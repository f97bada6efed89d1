import * as fs from 'fs';
import * as path from 'path';

/**
 * Notes which folders of `dir`'s path do not exist yet, so that a run failing before it wrote
 * anything can take back the folders it made: `undo` removes them, innermost first, while they
 * are empty (a folder anything was written into stays).
 */
export function folderCreation(dir: string): { undo(): void } {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  return {
    undo() {
      for (const d of missing) {
        try {
          fs.rmdirSync(d);
        } catch {
          return; // not empty (or already gone): it and its parents stay
        }
      }
    },
  };
}
