import { z } from 'zod';
import { teacherStudentOptions } from '@ssseg/core';

/** The coefficients of CorrMatch's terms; the weighted sum is halved (corrmatch.py's loss). */
const TermWeights = z.strictObject({
  sup: z.number().min(0).default(0.5),
  supCorr: z.number().min(0).default(0.5),
  strong: z.number().min(0).default(0.25),
  kl: z.number().min(0).default(0.25),
  fp: z.number().min(0).default(0.25),
  /** On the mean of the strong and the weak view's correlation-matching terms. */
  corr: z.number().min(0).default(0.25),
});

/**
 * CorrMatch's options; every default is the official code's for Pascal VOC (docs/methods/corrmatch.md
 * says where each comes from).
 */
export const corrMatchOptions = teacherStudentOptions().extend({
  /** The dynamic threshold's start (configs/pascal.yaml thresh_init). */
  thresholdInit: z.number().gt(0).lt(1).default(0.85),
  /** The dynamic threshold's momentum (ThreshController(momentum=0.999)). */
  thresholdMomentum: z.number().min(0).lt(1).default(0.999),
  /** Input pixels per correlation-grid pixel (the backbone's output stride 8 the official projects). */
  correlationStride: z.number().int().positive().default(8),
  /** Regions sampled for label propagation per step (Corr.sample's 128). */
  correlationSamples: z.number().int().positive().default(128),
  /** Channels of the projection (proj's Conv2d(2048, 256)). */
  projectionChannels: z.number().int().positive().default(256),
  /** Channel dropout after the projection (proj's Dropout2d(0.1)). */
  projectionDropout: z.number().min(0).lt(1).default(0.1),
  weights: TermWeights.prefault({}),
});
