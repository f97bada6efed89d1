import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
// the independent decoder (bitwise CRC-32C, protobufjs from the .proto text)
import { readEvents } from '../../plugins/tensorboard/src/testing/event-decoder';
import { CLI, writeTinyRunConfig } from './testing/tiny-run';


describe('ssseg train --tensorboard', () => {
  it('writes event files holding the logged terms, mIoU and the gallery, as metrics.jsonl has them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-tb-run-'));
    const config = writeTinyRunConfig(dir);
    const out = path.join(dir, 'run');
    const result = spawnSync(process.execPath, [CLI, 'train', '--config', config, '--out', out, '--tensorboard'], { encoding: 'utf8' });
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.status).toBe(0);

    const files = fs.readdirSync(path.join(out, 'tensorboard'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^events\.out\.tfevents\./);
    const events = readEvents(path.join(out, 'tensorboard', files[0]));
    expect(events[0].fileVersion).toBe('brain.Event:2');
    const scalar = (tag: string) => events.flatMap((e) => (e.summary?.value ?? []).filter((v) => v.tag === tag).map((v) => [e.step ?? 0, v.simpleValue!]));

    const records = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const steps = records.filter((r) => r.event === 'step');
    const evals = records.filter((r) => r.event === 'eval');
    expect(scalar('loss').map(([s]) => s)).toEqual(steps.map((r) => r.step));
    scalar('loss').forEach(([, v], i) => expect(v).toBeCloseTo(steps[i].loss, 5));
    scalar('lr').forEach(([, v], i) => expect(v).toBeCloseTo(steps[i].lr, 7));
    expect(scalar('eval/miou').map(([s]) => s)).toEqual([3, 6]);
    scalar('eval/miou').forEach(([, v], i) => expect(v).toBeCloseTo(evals[i].miou, 6));
    expect(scalar('eval/iou/background')).toHaveLength(2); // classes absent from the images have IoU NaN, which is not logged

    const images = events.flatMap((e) => (e.summary?.value ?? []).filter((v) => v.image).map((v) => [e.step, v.tag, v.image!.width]));
    expect(images).toEqual([
      [3, 'gallery/0/image', 64], [3, 'gallery/0/ground truth', 64], [3, 'gallery/1/image', 64], [3, 'gallery/1/ground truth', 64],
      [3, 'gallery/0/prediction', 64], [3, 'gallery/1/prediction', 64],
      [6, 'gallery/0/prediction', 64], [6, 'gallery/1/prediction', 64],
    ]);
  });
});
