import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initEngine, tf } from '@ssseg/engine';
import { DeepLabV3Plus, UNet, summarizeModel } from '@ssseg/models';
import { runCli } from './cli-harness';
import { optionsFor } from '@ssseg/core';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-model-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeAll(() => initEngine({ backend: 'cpu', verbose: false }));

describe('ssseg model summary', () => {
  it('counts a DeepLabV3+ ResNet-18 as the models package does, groups summing to the totals', async () => {
    const config = path.join(dir, 'deeplab.yaml');
    fs.writeFileSync(config, 'model: { type: deeplabv3plus, backbone: { type: resnet, depth: 18 } }\ndata: { type: pascal-voc, root: /nowhere }\n');
    const before = tf.memory().numTensors;
    const { code, out } = await runCli(['model', 'summary', '--config', config, '--classes', '21', '--json']);
    expect(code).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    const printed = JSON.parse(out);
    const reference = new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 21, backbone: { type: 'resnet', depth: 18 } }));
    const expected = summarizeModel(reference);
    reference.dispose();
    expect(printed.trainableParams).toBe(expected.trainableParams);
    expect(printed.totalParams).toBe(expected.totalParams);
    expect(printed.groups.map((g: { name: string }) => g.name)).toEqual(expect.arrayContaining(['backbone']));
    expect(printed.groups.reduce((s: number, g: { params: number }) => s + g.params, 0)).toBe(expected.totalParams);
    expect(printed.groups.reduce((s: number, g: { trainableParams: number }) => s + g.trainableParams, 0)).toBe(expected.trainableParams);
  });

  it('takes the class count from the dataset without --classes and prints a table', async () => {
    const config = path.join(dir, 'unet.yaml');
    fs.writeFileSync(config, `model: { type: unet, baseWidth: 4, depth: 1 }\ndata: { type: mnist-seg, size: 16, valSize: 4, cacheDir: ${JSON.stringify(path.join(dir, 'cache'))} }\n`);
    const { code, out } = await runCli(['model', 'summary', '--config', config]);
    expect(code).toBe(0);
    const reference = new UNet(optionsFor(UNet, { numClasses: 11, baseWidth: 4, depth: 1 }));
    const expected = summarizeModel(reference);
    reference.dispose();
    expect(out).toMatch(/^unet, 11 classes/);
    expect(out).toMatch(new RegExp(`\\nall\\s+${expected.trainableParams}\\s+${expected.totalParams}\\s`));
  });

  it('names the flag of a bad class count', async () => {
    const config = path.join(dir, 'deeplab.yaml');
    const { code, err } = await runCli(['model', 'summary', '--config', config, '--classes', 'x']);
    expect(code).toBe(1);
    expect(err).toMatch(/--classes must be a positive integer, got 'x'/);
  });
});
