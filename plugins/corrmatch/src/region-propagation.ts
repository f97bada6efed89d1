const { fround } = Math;

/** A strong view's pseudo-labels before propagation, aligned with it (CutMix applied), [B * H * W] each. */
export interface ViewPseudoLabels {
  labels: Int32Array;
  confidence: Float32Array;
  /** 1 = ignored pixel. */
  ignore: Float32Array;
  /** 1 inside the CutMix box: those pixels come from the partner image. */
  box: Float32Array;
}

export interface PropagatedLabels {
  labels: Int32Array;
  /** 1 where the pseudo-label is trained on: confident, or in a region that took a label. */
  kept: Uint8Array;
  /** 1 where confident (confidence >= threshold, not ignored): before propagation. */
  confident: Uint8Array;
  /** Regions whose label was spread. */
  regionsApplied: number;
}

/**
 * CorrMatch's label propagation on one strong view. Each region (from the weak view's correlation,
 * outside the CutMix box and ignored pixels) is visited in order; when its share of confident pixels
 * reaches `threshold` and the share of the most frequent label among them exceeds it, every pixel
 * of the region takes that label (ties: the lowest class) and is trained on. Labels are read as
 * earlier regions left them, as the official loop does. `regions`: per image, 0/1 [R * H * W].
 */
export function propagateLabels(view: ViewPseudoLabels, regions: Uint8Array[], pixels: number, threshold: number, numClasses: number): PropagatedLabels {
  const labels = Int32Array.from(view.labels);
  const confident = new Uint8Array(labels.length);
  for (let p = 0; p < labels.length; p++) confident[p] = view.confidence[p] >= threshold && view.ignore[p] === 0 ? 1 : 0;
  const kept = Uint8Array.from(confident);
  const counts = new Int32Array(numClasses);
  let regionsApplied = 0;
  regions.forEach((imageRegions, b) => {
    const offset = b * pixels;
    const inRegion = (region: number, p: number) =>
      imageRegions[region * pixels + p] === 1 && view.box[offset + p] === 0 && view.ignore[offset + p] === 0;
    for (let r = 0; r * pixels < imageRegions.length; r++) {
      let size = 0, sure = 0;
      counts.fill(0);
      for (let p = 0; p < pixels; p++) {
        if (!inRegion(r, p)) continue;
        size++;
        if (confident[offset + p]) {
          sure++;
          counts[labels[offset + p]]++;
        }
      }
      if (sure === 0 || fround(sure / size) < threshold) continue;
      let top = 0;
      for (let c = 1; c < numClasses; c++) if (counts[c] > counts[top]) top = c;
      if (!(fround(counts[top] / sure) > threshold)) continue;
      for (let p = 0; p < pixels; p++) {
        if (!inRegion(r, p)) continue;
        labels[offset + p] = top;
        kept[offset + p] = 1;
      }
      regionsApplied++;
    }
  });
  return { labels, kept, confident, regionsApplied };
}
