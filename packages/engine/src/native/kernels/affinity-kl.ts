import { tf } from '../../tf';
import { loadNativeAddon } from '../addon';
import { makeOutput } from '../tensor-io';
import { AFFINITY_KL } from '../../fused/kernel-names';
import { floatInputs, nativeMultiKernel } from './native-kernel';

/** The affinity-KL term of one image: [loss (scalar), dLoss/dStudent ([M, C])] in one call. */
export const nativeAffinityKlKernel = (): tf.KernelConfig =>
  nativeMultiKernel(AFFINITY_KL, (backend, inputs, attrs) => {
    const [pv, qv] = floatInputs(AFFINITY_KL, backend, inputs, ['teacher', 'student']);
    const { student } = inputs as { student: tf.TensorInfo };
    const [M, C] = student.shape;
    const loss = new Float32Array(1);
    const grad = makeOutput(backend, [M, C], (g) => loadNativeAddon().affinityKl(pv, qv, loss, g, M, C, attrs.epsilon as number));
    return [backend.makeTensorInfo([], 'float32', loss), grad];
  });
