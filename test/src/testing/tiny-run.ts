import * as fs from 'fs';
import * as path from 'path';

/** The built CLI, as npm links it. */
export const CLI = path.resolve(__dirname, '../../../packages/cli/bin/ssseg.js');

/**
 * Writes `tiny.yaml` into `dir`: a run small enough for a test (U-Net 4/2 on 64 mnist-seg images,
 * 6 steps, evaluations at 3 and 6 with a 2-image gallery, one thread). Returns its path.
 */
export function writeTinyRunConfig(dir: string, method = 'supervised'): string {
  const file = path.join(dir, 'tiny.yaml');
  fs.writeFileSync(file, [
    `method: { type: ${method} }`,
    'model: { type: unet, baseWidth: 4, depth: 2 }',
    'data: { type: mnist-seg, split: 1_16, size: 64, valSize: 4 }',
    'train: { epochs: 100, maxSteps: 6, evalEverySteps: 3, batchSize: 2, lr: 0.003, optimizer: { type: adam, weightDecay: 0 } }',
    'eval: { galleryImages: 2 }',
    'engine: { threads: 1 }',
  ].join('\n'));
  return file;
}
