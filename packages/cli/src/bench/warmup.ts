/**
 * Untimed steps per variant before W2 and W5 are timed, for ssseg and for PyTorch alike: the first
 * steps after a model is built run slower (buffers and primitives still being made), and one was not
 * enough to reach the steady state (the first variant's first timed steps ran 10-15 % slow).
 */
export const WARMUP_STEPS = 3;
