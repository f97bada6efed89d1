import * as fs from 'fs';
import * as path from 'path';
import { Dataset, Method, PseudoLabeler, Regularizer, SegmentationModel, TeacherStrategy, loadRunConfig, readConfigFile, type RunConfig } from '@ssseg/core';
import { createHost } from '@ssseg/runner';
import { expandMatrix, loadCompareConfig } from '@ssseg/report';

const root = path.resolve(__dirname, '../../configs');

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : []);
}

/**
 * Every shipped config validates against the registered components' own schemas (without
 * reading any dataset from disk), so a renamed option or type breaks this test, not a user's run.
 */
describe('shipped configs', () => {
  const host = createHost({ cwd: path.resolve(__dirname, '../..') });
  const files = yamlFiles(root);

  function check(config: RunConfig, where: string): void {
    const resolve = (token: Parameters<typeof host.lookup>[0], cfg: Record<string, unknown>, at: string) =>
      host.parseOptions(host.lookup(token, cfg.type, `${where}: ${at}`), cfg, `${where}: ${at}`);
    const method = resolve(Method, config.method, 'method');
    if (method.teacher) resolve(TeacherStrategy, method.teacher as Record<string, unknown>, 'method.teacher');
    if (method.pseudoLabeler) resolve(PseudoLabeler, method.pseudoLabeler as Record<string, unknown>, 'method.pseudoLabeler');
    config.regularizers.forEach((r, i) => resolve(Regularizer, r, `regularizers[${i}]`));
    resolve(SegmentationModel, { numClasses: 21, ...config.model }, 'model');
    resolve(Dataset, config.data, 'data');
  }

  it('finds the demo, the full comparison and configs for every method, VOC split and Cityscapes split', () => {
    const names = files.map((f) => path.relative(root, f));
    expect(names).toEqual(expect.arrayContaining([
      'demo-mnist.yaml', 'compare-mnist-full.yaml', 'mnist-seg/unimatch-ipixmatch.yaml', 'mnist-seg/mean-teacher.yaml',
      ...['92', '183', '366', '732', '1464', '1_16', '1_8', '1_4'].map((s) => `pascal/unimatch-${s}.yaml`),
      ...['1_16', '1_8', '1_4', '1_2'].map((s) => `cityscapes/unimatch-${s}.yaml`),
    ]));
  });

  it.each(['pascal', 'cityscapes'])('every %s split config is the base with its own data.split and nothing else', (dataset) => {
    const dir = path.join(root, dataset);
    const base = loadRunConfig(path.join(dir, 'unimatch-base.yaml'));
    const splits = fs.readdirSync(dir).filter((f) => /^unimatch-.+\.yaml$/.test(f) && f !== 'unimatch-base.yaml');
    expect(splits.length).toBeGreaterThanOrEqual(4);
    for (const file of splits) {
      const config = loadRunConfig(path.join(dir, file));
      const split = /^unimatch-(.+)\.yaml$/.exec(file)![1];
      expect(config).toEqual({ ...base, data: { ...base.data, split } });
      expect(base.data.split).toBeUndefined();
    }
  });

  it.each(files.map((f) => [path.relative(root, f), f]))('%s validates', (_name, file) => {
    const raw = readConfigFile(file) as Record<string, unknown>;
    if ('base' in raw) {
      const matrix = expandMatrix(loadCompareConfig(file));
      expect(matrix.runs.length).toBeGreaterThan(0);
      for (const run of matrix.runs) check(run.config, `${file}: ${run.id}`);
    } else {
      check(loadRunConfig(file), file);
    }
  });
});
