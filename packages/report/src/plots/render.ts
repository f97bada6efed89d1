import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import sharp from 'sharp';
import { writeFileAtomic } from '@ssseg/core';

/** A vega-lite spec as SVG text: vega-lite compiles it to vega, vega lays it out and draws it headless. */
export async function renderVegaLiteSvg(spec: TopLevelSpec, scale = 1): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG(scale);
  } finally {
    view.finalize();
  }
}

/**
 * Rasterises SVG text to PNG on a white background. sharp draws text with the system's fonts
 * (fontconfig): without one installed, labels come out empty.
 */
export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).png().toBuffer();
}

/** Renders a vega-lite spec to a PNG file (written atomically) at `scale` times its CSS size. */
export async function renderVegaLitePng(spec: TopLevelSpec, file: string, scale = 2): Promise<{ file: string; width: number; height: number }> {
  const png = await svgToPng(await renderVegaLiteSvg(spec, scale));
  writeFileAtomic(file, png);
  const { width = 0, height = 0 } = await sharp(png).metadata();
  return { file, width, height };
}
