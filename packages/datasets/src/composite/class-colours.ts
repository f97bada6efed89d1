/**
 * Class colours of the composite datasets (background and ten item classes): black, then ten
 * categorical colours (Tableau 10's hues) that each stand out on black. VOC's map, the default,
 * gives its class 8 (64, 0, 0), which reads as black beside the background.
 */
export const COMPOSITE_CLASS_COLOURS: readonly (readonly [number, number, number])[] = [
  [0, 0, 0],
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];
