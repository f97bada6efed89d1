import { tf } from '../../tf';
import { floatValues, makeOutput } from '../tensor-io';
import { nativeKernel } from './native-kernel';

/** ResizeBilinear and its gradient with the cpu kernels' semantics (the gradient ignores halfPixelCenters, as tfjs's does). */
export const nativeResizeBilinearKernels = (): tf.KernelConfig[] => [
  nativeKernel(tf.ResizeBilinear, ({ inputs, attrs, backend, addon }) => {
    const { images } = inputs as { images: tf.TensorInfo };
    const { alignCorners, halfPixelCenters, size } = attrs as unknown as { alignCorners: boolean; halfPixelCenters: boolean; size: [number, number] };
    const xv = floatValues(backend, images);
    if (!xv || images.shape.length !== 4) return undefined;
    const [n, h, w, c] = images.shape;
    const p = Int32Array.from([n, h, w, c, size[0], size[1], alignCorners ? 1 : 0, halfPixelCenters ? 1 : 0]);
    return makeOutput(backend, [n, size[0], size[1], c], (out) => addon.resizeBilinear(xv, out, p));
  }),
  nativeKernel(tf.ResizeBilinearGrad, ({ inputs, attrs, backend, addon }) => {
    const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
    const { alignCorners } = attrs as unknown as { alignCorners: boolean };
    const dyv = floatValues(backend, dy);
    if (!dyv || images.shape.length !== 4) return undefined;
    const [n, h, w, c] = images.shape;
    const p = Int32Array.from([n, h, w, c, dy.shape[1], dy.shape[2], alignCorners ? 1 : 0]);
    return makeOutput(backend, images.shape, (dx) => addon.resizeBilinearGrad(dyv, dx, p));
  }),
];
