// The one TensorFlow.js instance every ssseg package uses. Import tf from here, never from
// '@tensorflow/tfjs-core' directly, so kernels registered by the engine apply everywhere.
import * as tf from '@tensorflow/tfjs-core';

export { tf };
