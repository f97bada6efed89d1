// The pixel cross-entropies live in core, whose method base computes the supervised term.
export { crossEntropy, unsupervisedCrossEntropy, IGNORE_INDEX } from '@ssseg/core';
export * from './divergence';
export {
  interPixelLoss,
  interPixelLossWithStats,
  interPixelLossNaive,
  INTER_PIXEL_DEFAULTS,
  type InterPixelOptions,
  type InterPixelResult,
  type InterPixelRelation,
  type InterPixelDistance,
} from './inter-pixel/inter-pixel-loss';
export { InterPixelSettings, interPixelRules } from './inter-pixel/inter-pixel-settings';
export { runW3, formatW3, type W3Options, type W3Row } from './bench/w3';
