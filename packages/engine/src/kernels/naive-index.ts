// Row-major index arithmetic for tests that compute references element by element from an op's
// definition (not by the strided copies the kernels use).

/** The multi-index of element `flat` of a tensor of `shape`. */
export function indexOf(shape: number[], flat: number): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}

/** The flat position of `index` in a tensor of `shape`. */
export const flatOf = (shape: number[], index: number[]) => index.reduce((acc, i, d) => acc * shape[d] + i, 0);
