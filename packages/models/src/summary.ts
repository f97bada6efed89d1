import type { SegmentationModel } from '@ssseg/core';

export interface LayerSummary {
  name: string;
  shape: number[];
  params: number;
  trainable: boolean;
}

export interface ModelSummary {
  /** Every state element: trainable parameters and batch-norm running statistics (as Keras counts). */
  totalParams: number;
  /** What the optimizer updates (torch's sum(p.numel() for p in model.parameters())). */
  trainableParams: number;
  layers: LayerSummary[];
}

export function summarizeModel(model: SegmentationModel): ModelSummary {
  const trainable = model.trainableVariables();
  const layers = [...model.getWeights()].map(([name, t]) => ({ name, shape: t.shape, params: t.size, trainable: trainable.has(name) }));
  return {
    totalParams: layers.reduce((s, l) => s + l.params, 0),
    trainableParams: layers.filter((l) => l.trainable).reduce((s, l) => s + l.params, 0),
    layers,
  };
}
