import { tf } from '@ssseg/engine';

/**
 * `tf.gather(x, indices)` on the rows of a [N, C] matrix, with a gradient that scatters back
 * through ScatterNd: the stock gradient of GatherV2 needs UnsortedSegmentSum, which the wasm
 * backend lacks. Indices must be distinct (they are: kept pixels are sampled without replacement).
 */
export const gatherRows: (x: tf.Tensor2D, indices: tf.Tensor1D) => tf.Tensor2D = tf.customGrad(
  ((x: tf.Tensor2D, indices: tf.Tensor1D, save: (t: tf.Tensor[]) => void) => {
    save([indices]);
    const shape = x.shape;
    return {
      value: tf.gather(x, indices),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => [
        tf.scatterND(saved[0].expandDims(1), dy, shape),
        tf.zerosLike(saved[0]),
      ],
    };
  }) as never,
) as never;
