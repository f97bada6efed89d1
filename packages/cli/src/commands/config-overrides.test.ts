import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { initEngine, tf } from '@ssseg/engine';
import { runCli } from './cli-harness';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-overrides-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeAll(() => initEngine({ backend: 'cpu', verbose: false }));

const base = path.join(dir, 'base.yaml');
fs.writeFileSync(base, [
  'method: { type: fixmatch, pseudoLabeler: { type: threshold, confThreshold: 0.95 } }',
  'model: { type: unet, baseWidth: 4, depth: 1 }',
  'data: { type: mnist-seg, split: 1_16 }',
  'train: { lr: 0.003, seed: 1, optimizer: { type: adam } }',
].join('\n'));
const run = path.join(dir, 'run-1_64.yaml');
fs.writeFileSync(run, 'extends: base.yaml\ndata: { split: 1_64 }\n');

describe('--set, --seed, --threads and extends: on the command line', () => {
  it('config print shows the file over its base, then the overrides, every default filled in', async () => {
    const { code, out, err } = await runCli(['config', 'print', run, '--set', 'train.lr=0.01', '--set', 'method.pseudoLabeler.confThreshold=0.7', '--seed', '2', '--threads', '1']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const printed = YAML.parse(out);
    expect(printed.data).toMatchObject({ type: 'mnist-seg', split: '1_64' });
    expect(printed.train).toMatchObject({ lr: 0.01, seed: 2, optimizer: { type: 'adam' } });
    expect(printed.method.pseudoLabeler).toMatchObject({ type: 'threshold', confThreshold: 0.7 });
    expect(printed.engine.threads).toBe(1);
    expect(printed.model).toMatchObject({ type: 'unet', baseWidth: 4, numClasses: 11, seed: 2 });
  });

  it('null unsets a key: a config that extends one with ImageNet weights trains its backbone from scratch', async () => {
    const pascal = path.join(dir, 'pascal.yaml');
    fs.writeFileSync(pascal, 'extends: base.yaml\nmodel: { type: deeplabv3plus, backbone: { type: resnet, depth: 18, pretrained: weights/r18.pth } }\n');
    const scratch = path.join(dir, 'scratch.yaml');
    fs.writeFileSync(scratch, 'extends: pascal.yaml\nmodel: { backbone: { pretrained: null } }\n');
    for (const args of [['config', 'print', scratch], ['config', 'print', pascal, '--set', 'model.backbone.pretrained=null']]) {
      const { code, out, err } = await runCli(args);
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(YAML.parse(out).model.backbone).not.toHaveProperty('pretrained');
      expect(YAML.parse(out).model.backbone).toMatchObject({ type: 'resnet', depth: 18 });
    }
  });

  it('model summary builds the model the overrides describe', async () => {
    const before = tf.memory().numTensors;
    const { code, out } = await runCli(['model', 'summary', '--config', run, '--json', '--set', 'model.baseWidth=2']);
    expect(code).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    const narrow = JSON.parse(out).totalParams;
    const wide = JSON.parse((await runCli(['model', 'summary', '--config', run, '--json'])).out).totalParams;
    expect(narrow).toBeLessThan(wide);
  });

  it('names the file, the flag and the key meant when an override is wrong, without a stack trace', async () => {
    const unknown = await runCli(['config', 'print', run, '--set', 'train.lrr=0.1']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toBe(`ssseg: ${run} (with --set train.lrr=0.1): invalid config:\n  train.lrr: unknown key; did you mean 'lr'?\n`);
    const section = await runCli(['config', 'print', run, '--set', 'trian.lr=0.1']);
    expect(section.err).toBe("ssseg: --set trian.lr=0.1: trian: no such section; did you mean 'train'?\n");
    const typed = await runCli(['train', '--config', run, '--set', 'train.lr=fast', '--out', path.join(dir, 'never')]);
    expect(typed.code).toBe(1);
    expect(typed.err).toMatch(/^ssseg: .*\(with --set train\.lr=fast\): invalid config:\n {2}train\.lr: .*number/);
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
    expect((await runCli(['config', 'print', run, '--threads', '0'])).err).toBe("ssseg: --threads expects a positive whole number, got '0'\n");
    expect((await runCli(['config', 'print', run, '--seed', '1.5'])).err).toBe("ssseg: --seed expects a whole number of 0 or more, got '1.5'\n");
    expect((await runCli(['config', 'print', run, '--set', 'train.lr'])).err).toMatch(/^ssseg: --set train\.lr: expected PATH=VALUE/);
  });

  it('says which command runs a compare file and a run config', async () => {
    const compare = path.join(dir, 'compare.yaml');
    fs.writeFileSync(compare, `base: { extends: x }\nseeds: [1]\n`);
    const train = await runCli(['train', '--config', compare]);
    expect(train.code).toBe(1);
    expect(train.err).toBe(`ssseg: ${compare}: this is a compare config (it has 'base:'): run it with 'ssseg compare --config'\n`);
    const comp = await runCli(['compare', '--config', run, '--out', path.join(dir, 'cmp')]);
    expect(comp.code).toBe(1);
    expect(comp.err).toBe(`ssseg: ${run}: this is a run config (it has 'model:' and no 'base:'): train it with 'ssseg train --config'\n`);
  });

  it('names a missing config file with the path looked for', async () => {
    const missing = path.join(dir, 'nowhere.yaml');
    const { code, err } = await runCli(['train', '--config', missing]);
    expect(code).toBe(1);
    expect(err).toBe(`ssseg: ${missing}: cannot read config: no such file (looked for ${missing})\n`);
  });
});
