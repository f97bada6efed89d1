import type { RunModel } from './run-model';

/** The input height and width of an exported graph, and why that size. */
export interface ExportSize {
  size: [number, number];
  reason: string;
}

const FALLBACK = 512;

/**
 * The size the run's evaluation fed the model (ONNX shapes are static): `--size` when given; the
 * window of a sliding evaluation; the one size of the validation images where the dataset declares
 * it; else the crop size the config names; else 512 x 512.
 */
export function exportSize(built: Pick<RunModel, 'config' | 'cropSize' | 'imageSize'>, asked?: [number, number]): ExportSize {
  const square = (n: number): [number, number] => [n, n];
  if (asked) return { size: asked, reason: '--size' };
  const { eval: evaluation } = built.config;
  if (evaluation.mode === 'sliding' && evaluation.cropSize) return { size: square(evaluation.cropSize), reason: "eval.cropSize, the window of the run's sliding evaluation" };
  if (built.imageSize) return { size: square(built.imageSize), reason: "the size of the run's validation images, which the evaluation scores whole" };
  if (evaluation.cropSize) return { size: square(evaluation.cropSize), reason: 'eval.cropSize' };
  if (built.cropSize) return { size: square(built.cropSize), reason: "the dataset's cropSize (its images vary in size)" };
  return { size: square(FALLBACK), reason: `no evaluation size in the config; give --size HxW for the images it will get` };
}
