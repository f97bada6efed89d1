// Kernels the engine adds for fused operations. Only the native backend registers them; the
// functions in this folder take tfjs's stock (decomposed) path wherever they are missing.
export const BATCH_NORM_TRAIN = 'SssegBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'SssegBatchNormTrainGrad';
export const SGD_UPDATE = 'SssegSgdUpdate';
export const ADAM_UPDATE = 'SssegAdamUpdate';
export const AFFINITY_KL = 'SssegAffinityKl';
export const RELU_GRAD = 'SssegReluGrad';
