import { z } from 'zod';
import { teacherStudentOptions } from '@ssseg/core';

/** The coefficients of CorrMatch's terms; the weighted sum is halved, as the official loss is. */
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
  /** The dynamic threshold's start. */
  thresholdInit: z.number().gt(0).lt(1).default(0.85),
  /** The dynamic threshold's momentum. */
  thresholdMomentum: z.number().min(0).lt(1).default(0.999),
  /** Input pixels per correlation-grid pixel (the output stride of the backbone features the official projects). */
  correlationStride: z.number().int().positive().default(8),
  /** Regions sampled for label propagation per step. */
  correlationSamples: z.number().int().positive().default(128),
  /** Channels of the projection. */
  projectionChannels: z.number().int().positive().default(256),
  /** Channel dropout after the projection, in training. */
  projectionDropout: z.number().min(0).lt(1).default(0.1),
  weights: TermWeights.prefault({}),
});
