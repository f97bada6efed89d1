import { z } from 'zod';
import { teacherStudentOptions } from '@ssseg/core';

/**
 * U2PL's options; defaults are the official code's PASCAL VOC config
 * (experiments/pascal/1464/ours/config.yaml there, and train_semi.py's fall-backs where the
 * config is silent), as docs/methods/u2pl.md lists them.
 */
export const u2plOptions = teacherStudentOptions({
  // net.ema_decay; pseudo-labels are the teacher's argmax everywhere, reliability comes from entropy
  teacher: { type: 'ema', decay: 0.99 },
  pseudoLabeler: { type: 'threshold', confThreshold: 0 },
}).extend({
  /** Weight of the reliable-pixel cross-entropy (unsupervised.loss_weight: absent, so 1). */
  unsupervisedWeight: z.number().min(0).default(1),
  /** The teacher-entropy percentile from which unlabelled pixels are dropped at the start; it rises linearly to 100 (unsupervised.drop_percent). */
  dropPercent: z.number().min(0).max(100).default(80),
  /** Weight of the contrastive term (contrastive.loss_weight: absent, so 1; the paper's text gives 0.1). */
  contrastiveWeight: z.number().min(0).default(1),
  /** Softmax temperature of the contrastive logits (contrastive.temperature). */
  temperature: z.number().positive().default(0.5),
  /** Anchors drawn per class and step (contrastive.num_queries). */
  numQueries: z.number().int().positive().default(256),
  /** Negative keys drawn per anchor from the class's memory bank (contrastive.num_negatives). */
  numNegatives: z.number().int().positive().default(50),
  /** alpha_0, percent: the lowest-entropy alpha_t% of unlabelled pixels are anchors, the highest alpha_t% negatives; alpha_t falls linearly to 0 (contrastive.low_entropy_threshold). */
  lowEntropyThreshold: z.number().min(0).max(100).default(20),
  /** r_l (contrastive.low_rank). */
  lowRank: z.number().int().min(1).default(3),
  /** r_h (contrastive.high_rank). */
  highRank: z.number().int().min(1).default(20),
  /** delta_p: an anchor's teacher probability of its class exceeds it (contrastive.current_class_threshold). */
  positiveThreshold: z.number().min(0).max(1).default(0.3),
  /** delta_n: a negative's teacher probability of the class is below it (contrastive.current_class_negative_threshold). */
  negativeThreshold: z.number().min(0).max(1).default(1),
  /** Keys each class's memory bank holds (train_semi.py: 30000). */
  queueSize: z.number().int().positive().default(30000),
  /** Keys class 0's (background's) bank holds (train_semi.py: 50000). */
  backgroundQueueSize: z.number().int().positive().default(50000),
  /** Channels of the representation head's hidden blocks (the official decoder's 256). */
  headChannels: z.number().int().positive().default(256),
  /** Dimension of the embedding (and of the memory banks' keys) (the official 256). */
  embeddingDim: z.number().int().positive().default(256),
  /** Dropout2d after each hidden block of the head (the official 0.1). */
  headDropout: z.number().min(0).lt(1).default(0.1),
  /** Evaluate the EMA teacher (as the official code after its first epoch) or the student. */
  evaluate: z.enum(['teacher', 'student']).default('teacher'),
}).superRefine((o, ctx) => {
  if (o.highRank <= o.lowRank) ctx.addIssue({ code: 'custom', path: ['highRank'], message: `must exceed lowRank (${o.lowRank})` });
});
