import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encode } from 'fast-png';
import { createRunState, writeGalleryIndex, type HookContext, type RunState } from '@ssseg/core';
import { TensorBoardHook } from './tensorboard-hook';
import { readEvents } from './testing/event-decoder';

function context(step: number, logs: Record<string, number>, state: RunState): HookContext {
  return { epoch: 0, step, totalSteps: 4, logs, stop: () => undefined, state };
}

describe('TensorBoardHook', () => {
  it('logs step terms, evaluation IoUs and the gallery, each at its step', () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-tbhook-'));
    const gallery = path.join(runDir, 'gallery');
    fs.mkdirSync(path.join(gallery, 'step-0000002'), { recursive: true });
    const palette = [[0, 0, 0], [128, 0, 0]];
    fs.writeFileSync(path.join(gallery, 'image-0.png'), encode({ width: 5, height: 3, data: new Uint8Array(45).fill(9), depth: 8, channels: 3 }));
    fs.writeFileSync(path.join(gallery, 'truth-0.png'), encode({ width: 5, height: 3, data: new Uint8Array(15).fill(1), depth: 8, channels: 1, palette }));
    const prediction = encode({ width: 5, height: 3, data: new Uint8Array(15), depth: 8, channels: 1, palette });
    fs.writeFileSync(path.join(gallery, 'step-0000002', 'prediction-0.png'), prediction);
    writeGalleryIndex(runDir, {
      classNames: ['background', 'digit'], palette: [[0, 0, 0], [128, 0, 0]],
      images: [{ id: 'val-0', image: 'image-0.png', truth: 'truth-0.png' }], evaluations: [{ step: 2, predictions: ['step-0000002/prediction-0.png'] }],
    });

    const hook = new TensorBoardHook({ logDir: 'tensorboard' }, runDir);
    const state = createRunState();
    hook.beforeRun();
    hook.afterStep(context(1, { loss: 0.5, 'loss/sup': 1, lr: 0.01 }, state));
    state.evaluation = { step: 2, miou: 0.25, iou: [0.4, 0.1], classNames: ['background', 'digit 0'] };
    hook.afterStep(context(2, { loss: 0.25, 'loss/sup': 0.5, lr: 0.009 }, state));
    hook.afterStep(context(3, { loss: 0.2, lr: 0.008 }, state)); // the same evaluation is not logged twice
    hook.afterRun(context(3, {}, state));

    const files = fs.readdirSync(path.join(runDir, 'tensorboard'));
    expect(files).toHaveLength(1);
    const events = readEvents(path.join(runDir, 'tensorboard', files[0])).slice(1);
    const scalars = events.flatMap((e) => (e.summary?.value ?? []).filter((v) => v.simpleValue !== undefined).map((v) => [e.step ?? 0, v.tag, Number(v.simpleValue!.toFixed(6))]));
    expect(scalars).toEqual([
      [1, 'loss', 0.5], [1, 'loss/sup', 1], [1, 'lr', 0.01],
      [2, 'loss', 0.25], [2, 'loss/sup', 0.5], [2, 'lr', 0.009],
      [2, 'eval/miou', 0.25], [2, 'eval/iou/background', 0.4], [2, 'eval/iou/digit 0', 0.1],
      [3, 'loss', 0.2], [3, 'lr', 0.008],
    ]);
    const images = events.flatMap((e) => (e.summary?.value ?? []).filter((v) => v.image).map((v) => ({ step: e.step, tag: v.tag, ...v.image! })));
    expect(images.map((i) => [i.step, i.tag, i.height, i.width, i.colorspace])).toEqual([
      [2, 'gallery/0/image', 3, 5, 3], [2, 'gallery/0/ground truth', 3, 5, 3], [2, 'gallery/0/prediction', 3, 5, 3],
    ]);
    expect(Buffer.from(images[2].encodedImageString)).toEqual(Buffer.from(prediction));
  });
});
