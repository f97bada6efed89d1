import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { checkedMatrix, checkedRunConfig } from '@ssseg/cli';

/**
 * Every config under configs/ passes the checks its command makes before it trains (each
 * component's options by its plugin's schema), including those the docs test cannot run here
 * (queued experiments, PASCAL and Cityscapes): a renamed option fails here, not hours into a matrix.
 */
const configsDir = path.resolve(__dirname, '../../configs');
const files = fs.readdirSync(configsDir, { recursive: true }).map(String).filter((f) => /\.ya?ml$/.test(f)).sort();
const isCompareFile = (f: string) => 'base' in (YAML.parse(fs.readFileSync(path.join(configsDir, f), 'utf8')) ?? {});
const compareFiles = files.filter(isCompareFile);
const runConfigs = files.filter((f) => !compareFiles.includes(f));

describe('the shipped configs', () => {
  it('are found, of both kinds', () => {
    expect(compareFiles.length).toBeGreaterThan(5);
    expect(runConfigs.length).toBeGreaterThan(10);
  });

  it.each(compareFiles)('compare file configs/%s checks for every run', (file) => {
    const { matrix } = checkedMatrix(path.join(configsDir, file));
    expect(matrix.runs.length).toBeGreaterThan(0);
  });

  it.each(runConfigs)('run config configs/%s checks', (file) => {
    const resolved = checkedRunConfig(path.join(configsDir, file));
    expect(resolved.method.type).toEqual(expect.any(String));
  });
});
