// The one TensorFlow.js instance every ssseg package uses. Import tf from here, never from
// '@tensorflow/tfjs-core' directly, so kernels registered by the engine apply everywhere.
//
// tfjs-core's CommonJS bundle registers neither gradients nor the chained API (x.sum()); those
// live in its ESM tree only. The @tensorflow/tfjs union bundle registers both onto the same
// tfjs-core instance, so loading it once here makes training work under CommonJS (and jest).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';

export { tf };
