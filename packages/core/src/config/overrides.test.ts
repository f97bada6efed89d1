import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyOverrides, overridesFrom, parseOverride } from './overrides';
import { loadRunConfig } from './load';

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

const set = (tree: unknown, ...texts: string[]) => applyOverrides(tree, texts.map(parseOverride));

describe('parseOverride', () => {
  it('reads the path as keys and list indices, the value as YAML', () => {
    expect(parseOverride('train.lr=0.01')).toEqual({ text: 'train.lr=0.01', path: ['train', 'lr'], value: 0.01 });
    expect(parseOverride('regularizers[0].weight=1e-2').path).toEqual(['regularizers', 0, 'weight']);
    expect(parseOverride('regularizers.1.weight=2').path).toEqual(['regularizers', 1, 'weight']);
    expect(parseOverride('a[1][2]=x').path).toEqual(['a', 1, 2]);
    expect(parseOverride('data.split=1_64').value).toBe('1_64');
    expect(parseOverride("data.split='92'").value).toBe('92');
    expect(parseOverride('data.split=92').value).toBe(92);
    expect(parseOverride('train.maxSteps=5').value).toBe(5);
    expect(parseOverride('x=true').value).toBe(true);
    expect(parseOverride('x=null').value).toBeNull();
    expect(parseOverride("x=''").value).toBe('');
    expect(parseOverride('seeds=[1, 2]').value).toEqual([1, 2]);
    expect(parseOverride('method={type: fixmatch, confThreshold: 0.7}').value).toEqual({ type: 'fixmatch', confThreshold: 0.7 });
    expect(parseOverride('note=a=b').value).toBe('a=b');
  });

  it('refuses what is no PATH=VALUE, naming the flag', () => {
    expect(errorOf(() => parseOverride('train.lr'))).toMatch(/^--set train\.lr: expected PATH=VALUE \(e\.g\. train\.lr=0\.01/);
    expect(errorOf(() => parseOverride('=3'))).toMatch(/^--set =3: expected PATH=VALUE/);
    expect(errorOf(() => parseOverride('train.lr='))).toMatch(/^--set train\.lr=: no value after '='/);
    expect(errorOf(() => parseOverride('train..lr=1'))).toMatch(/^--set train\.\.lr=1: 'train\.\.lr' is not a config path/);
    expect(errorOf(() => parseOverride('[0].a=1'))).toMatch(/is not a config path/);
    expect(errorOf(() => parseOverride('a[x]=1'))).toMatch(/is not a config path/);
    expect(errorOf(() => parseOverride('a={b: [}'))).toMatch(/^--set a=\{b: \[\}: the value is not valid YAML/);
  });
});

describe('applyOverrides', () => {
  const tree = { train: { lr: 0.1, optimizer: { type: 'sgd' } }, regularizers: [{ type: 'ipixmatch', weight: 0.3 }], data: { type: 'd' } };

  it('sets values in order, leaving the tree as it was', () => {
    const before = JSON.stringify(tree);
    expect(set(tree, 'train.lr=0.01', 'regularizers[0].weight=1', 'train.lr=0.02')).toEqual({
      train: { lr: 0.02, optimizer: { type: 'sgd' } }, regularizers: [{ type: 'ipixmatch', weight: 1 }], data: { type: 'd' },
    });
    expect(JSON.stringify(tree)).toBe(before);
  });

  it('creates sections the file leaves out, and replaces whole values', () => {
    expect(set({}, 'engine.threads=2')).toEqual({ engine: { threads: 2 } });
    expect(set(tree, 'regularizers=[]')).toMatchObject({ regularizers: [] });
    expect(set(tree, 'train.optimizer={type: adam}')).toMatchObject({ train: { optimizer: { type: 'adam' } } });
    expect(set(undefined, 'a.b=1')).toEqual({ a: { b: 1 } });
  });

  it('refuses an index past the list, into what is no list, and a path through a value', () => {
    expect(errorOf(() => set(tree, 'regularizers[1].weight=1'))).toBe('--set regularizers[1].weight=1: regularizers[1]: the list has 1 item; set the whole list to add one');
    expect(errorOf(() => set(tree, 'train[0]=1'))).toBe('--set train[0]=1: train[0]: train is object {"lr":0.1,"optimizer":{"type":"sgd"}}, not a list');
    expect(errorOf(() => set(tree, 'train.lr.value=1'))).toBe('--set train.lr.value=1: train.lr.value: train.lr is number 0.1, not a section');
    expect(errorOf(() => set(tree, 'data.type.x=1'))).toBe("--set data.type.x=1: data.type.x: data.type is the string 'd', not a section");
  });

  it("says which section was meant when a missing one is close to the file's", () => {
    expect(errorOf(() => set(tree, 'trian.lr=1'))).toBe("--set trian.lr=1: trian: no such section; did you mean 'train'?");
    expect(errorOf(() => set(tree, 'regularisers[0].weight=1'))).toBe("--set regularisers[0].weight=1: regularisers: no such section; did you mean 'regularizers'?");
  });

  it('keeps a __proto__ key as data', () => {
    const out = set({}, '__proto__.polluted=1') as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('overridesFrom', () => {
  it('puts --seed and --threads after the --sets, so they win', () => {
    const shortcuts = { seed: (n: number) => `train.seed=${n}`, threads: (n: number) => `engine.threads=${n}` };
    expect(overridesFrom({ set: ['train.seed=1'], seed: 2, threads: 3 }, shortcuts).map((o) => o.text)).toEqual(['train.seed=1', 'train.seed=2', 'engine.threads=3']);
    expect(overridesFrom({}, shortcuts)).toEqual([]);
  });
});

describe('loadRunConfig with overrides', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-set-')), 'run.yaml');
  fs.writeFileSync(file, 'model: { type: unet }\ndata: { type: mnist-seg, split: 1_16 }\ntrain: { lr: 0.003 }\n');

  it('applies --set, --seed and --threads over the file', () => {
    const config = loadRunConfig(file, { set: ['train.maxSteps=5', 'data.split=1_64'], seed: 2, threads: 1 });
    expect(config.train).toMatchObject({ maxSteps: 5, seed: 2, lr: 0.003 });
    expect(config.data.split).toBe('1_64');
    expect(config.engine.threads).toBe(1);
  });

  it('validates the result like the file, naming the file, the flags and the path meant', () => {
    expect(errorOf(() => loadRunConfig(file, { set: ['train.lrr=0.1'] })))
      .toBe(`${file} (with --set train.lrr=0.1): invalid config:\n  train.lrr: unknown key; did you mean 'lr'?`);
    expect(errorOf(() => loadRunConfig(file, { set: ['train.lr=fast'] }))).toMatch(/\(with --set train\.lr=fast\): invalid config:\n {2}train\.lr: .*number/);
    expect(errorOf(() => loadRunConfig(file, { seed: 1.5 }))).toMatch(/\(with --set train\.seed=1\.5\): invalid config:\n {2}train\.seed: .*int/);
  });

  it('says that a compare file is one, and names ssseg compare', () => {
    const compare = path.join(path.dirname(file), 'compare.yaml');
    fs.writeFileSync(compare, 'base: { model: { type: unet }, data: { type: mnist-seg } }\nseeds: [1]\n');
    expect(errorOf(() => loadRunConfig(compare))).toBe(`${compare}: this is a compare config (it has 'base:'): run it with 'ssseg compare --config'`);
  });
});
