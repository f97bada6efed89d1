import { tf } from '@ssseg/engine';
import { SssegError, type LabelledBatch, type Sample, type UnlabelledBatch } from '@ssseg/core';
import { normaliseInto, type Normalisation } from './normalise';

/** One unlabelled image after augmentation: its weak view and the strong views drawn from it. */
export interface UnlabelledViews {
  weak: Sample;
  strong: Sample[];
}

function commonSize(samples: Sample[], what: string): [number, number] {
  const { height, width } = samples[0];
  for (const s of samples) {
    if (s.height !== height || s.width !== width) {
      throw new SssegError(
        `${what} batch mixes sizes: ${samples[0].id} is ${width}x${height}, ${s.id} is ${s.width}x${s.height}; add a random-crop to the weak augmentations`,
      );
    }
  }
  return [height, width];
}

function stackImages(samples: Sample[], n: Normalisation, h: number, w: number): tf.Tensor4D {
  const stride = h * w * 3;
  const data = new Float32Array(samples.length * stride);
  samples.forEach((s, i) => normaliseInto(s.image, n, data, i * stride));
  return tf.tensor4d(data, [samples.length, h, w, 3]);
}

function stackFlags(maps: (Uint8Array | undefined)[], h: number, w: number): tf.Tensor3D {
  const stride = h * w;
  const data = new Float32Array(maps.length * stride);
  maps.forEach((m, i) => {
    if (m) for (let k = 0; k < stride; k++) data[i * stride + k] = m[k];
  });
  return tf.tensor3d(data, [maps.length, h, w]);
}

/** Labelled tensors: normalised images and int32 masks (255 wherever the ignore map is set). */
export function collateLabelled(samples: Sample[], n: Normalisation): LabelledBatch {
  const [h, w] = commonSize(samples, 'labelled');
  const stride = h * w;
  const masks = new Int32Array(samples.length * stride);
  samples.forEach((s, i) => {
    if (!s.mask) throw new SssegError(`labelled sample ${s.id} has no mask`);
    for (let k = 0; k < stride; k++) masks[i * stride + k] = s.ignore && s.ignore[k] ? 255 : s.mask[k];
  });
  return { images: stackImages(samples, n, h, w), masks: tf.tensor3d(masks, [samples.length, h, w], 'int32') };
}

export function collateUnlabelled(views: UnlabelledViews[], n: Normalisation): UnlabelledBatch {
  const weak = views.map((v) => v.weak);
  const [h, w] = commonSize(weak, 'unlabelled');
  const strongCount = views[0].strong.length;
  const strongViews = [...Array(strongCount).keys()].map((k) => views.map((v) => v.strong[k]));
  for (const view of strongViews) {
    for (const s of view) {
      if (s.height !== h || s.width !== w) {
        throw new SssegError(`strong view of ${s.id} is ${s.width}x${s.height}, its weak view ${w}x${h}: strong augmentations must not change the geometry`);
      }
    }
  }
  return {
    weak: stackImages(weak, n, h, w),
    strong: strongViews.map((view) => stackImages(view, n, h, w)),
    cutmixBoxes: strongViews.map((view) => stackFlags(view.map((s) => s.cutmixBox), h, w)),
    ignore: stackFlags(weak.map((s) => s.ignore), h, w),
  };
}
