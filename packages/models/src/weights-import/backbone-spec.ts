import { SssegError, Rng } from '@ssseg/core';
import type { Backbone } from '../backbones/backbone';
import { RESNET_LAYOUT, ResNet, type ResNetDepth, type ResNetStem } from '../backbones/resnet';
import { MobileNetV2, makeDivisible } from '../backbones/mobilenetv2';
import type { IndexedGraph } from './onnx-weights';
import { dims } from './onnx-weights';

export type BackboneSpec =
  | { type: 'resnet'; depth: ResNetDepth; stem: ResNetStem; baseWidth: number }
  | { type: 'mobilenetv2'; widthMultiplier: number };

/** What a user asked for on the command line; the rest is read from the file. */
export interface BackboneRequest {
  type?: 'resnet' | 'mobilenetv2';
  depth?: number;
  stem?: ResNetStem;
  widthMultiplier?: number;
}

export function describeBackbone(spec: BackboneSpec): string {
  if (spec.type === 'mobilenetv2') return `MobileNetV2 (width ${spec.widthMultiplier})`;
  const width = spec.baseWidth === 64 ? '' : `, base width ${spec.baseWidth}`;
  return `ResNet-${spec.depth} (${spec.stem === 'deep' ? "deep stem, UniMatch's layout" : 'torchvision stem'}${width})`;
}

export function backboneSpecOf(backbone: Backbone): BackboneSpec {
  if (backbone instanceof ResNet) return { type: 'resnet', depth: backbone.options.depth, stem: backbone.options.stem, baseWidth: backbone.options.baseWidth ?? 64 };
  if (backbone instanceof MobileNetV2) return { type: 'mobilenetv2', widthMultiplier: backbone.options.widthMultiplier };
  throw new Error(`weights can be imported into ResNet and MobileNetV2 backbones, not ${backbone.constructor.name}`);
}

/** A backbone of that architecture at output stride 32 (a classification net's strides) to read names and shapes from. */
export function buildBackbone(spec: BackboneSpec): Backbone {
  const rng = Rng.fromSeed('weights-import');
  return spec.type === 'resnet'
    ? new ResNet({ depth: spec.depth, stem: spec.stem, baseWidth: spec.baseWidth, outputStride: 32 }, rng)
    : new MobileNetV2({ widthMultiplier: spec.widthMultiplier, outputStride: 32 }, rng);
}

/** Tensors of ImageNet classification nets that an encoder does not have: left out, and said so. */
export function leaveOutFor(spec: BackboneSpec): (name: string) => string | undefined {
  return spec.type === 'resnet'
    ? (name) => (/^fc\.(weight|bias)$/.test(name) ? 'ImageNet classifier' : undefined)
    : (name) => (/^classifier\.1\.(weight|bias)$/.test(name) ? 'ImageNet classifier' : /^features\.18\./.test(name) ? 'last 1x1 convolution to 1280 channels (not used by a segmentation encoder)' : undefined);
}

const RESNET_ANCHOR = 'layer1.0.conv1.weight';
const MOBILENET_ANCHOR = 'features.1.conv.0.0.weight';
const WIDTHS = [0.35, 0.5, 0.75, 1, 1.3, 1.4];

/**
 * The backbone a state dict holds and the prefix its names carry ('module.backbone.' in a UniMatch
 * checkpoint), read from the names and shapes: ResNet stem, width, blocks per stage and block type.
 */
export function detectFromNames(shapes: Map<string, number[]>, file: string): { spec: BackboneSpec; prefix: string } {
  const anchored = (anchor: string) =>
    [...shapes.keys()].filter((n) => n === anchor || n.endsWith(`.${anchor}`)).map((n) => n.slice(0, n.length - anchor.length)).sort((a, b) => a.length - b.length)[0];
  const resnet = anchored(RESNET_ANCHOR);
  if (resnet !== undefined) return { spec: resnetFromNames(shapes, resnet, file), prefix: resnet };
  const mobilenet = anchored(MOBILENET_ANCHOR);
  if (mobilenet !== undefined) {
    const first = shapes.get(`${mobilenet}features.0.0.weight`)?.[0];
    const last = shapes.get(`${mobilenet}features.17.conv.2.weight`)?.[0];
    const w = WIDTHS.find((m) => makeDivisible(32 * m) === first && (last === undefined || makeDivisible(320 * m) === last));
    if (w === undefined) throw new SssegError(`a MobileNetV2 whose first convolution has ${first} channels: no width multiplier among ${WIDTHS.join(', ')} gives that`, file);
    return { spec: { type: 'mobilenetv2', widthMultiplier: w }, prefix: mobilenet };
  }
  const sample = [...shapes.keys()].slice(0, 4).map((n) => `'${n}'`).join(', ');
  throw new SssegError(`neither a ResNet ('${RESNET_ANCHOR}') nor a MobileNetV2 ('${MOBILENET_ANCHOR}') state dict: names are like ${sample}`, file);
}

function resnetFromNames(shapes: Map<string, number[]>, p: string, file: string): BackboneSpec {
  const stem: ResNetStem = shapes.has(`${p}conv1.0.weight`) ? 'deep' : 'torchvision';
  const baseWidth = shapes.get(`${p}${RESNET_ANCHOR}`)![0];
  const bottleneck = shapes.has(`${p}layer1.0.conv3.weight`);
  const blocks = [1, 2, 3, 4].map((stage) => {
    let n = 0;
    while (shapes.has(`${p}layer${stage}.${n}.conv1.weight`)) n++;
    return n;
  });
  return { type: 'resnet', depth: resnetDepth(blocks, bottleneck, file), stem, baseWidth };
}

function resnetDepth(blocks: number[], bottleneck: boolean, file: string): ResNetDepth {
  const depth = (Object.keys(RESNET_LAYOUT).map(Number) as ResNetDepth[]).find((d) => RESNET_LAYOUT[d].blocks.join() === blocks.join() && RESNET_LAYOUT[d].bottleneck === bottleneck);
  if (!depth) throw new SssegError(`a ResNet with blocks [${blocks}] (${bottleneck ? 'bottleneck' : 'basic'}): ssseg builds ResNet-18, 34, 50 and 101`, file);
  return depth;
}

/**
 * The backbone an ONNX graph computes, from its convolutions' weight shapes: the first one tells the
 * stem (7x7: torchvision; 3x3 with depthwise convolutions later: MobileNetV2; else the deep stem)
 * and width, 1x1 expansions tell bottlenecks, the 3x3 convolutions at layer3's width its blocks.
 */
export function detectFromOnnx(graph: IndexedGraph, file: string, request: BackboneRequest = {}): BackboneSpec {
  const convs = graph.convs().map((c) => ({ w: dims(graph.constant(c.input![1], `the weight of '${c.name}'`)), group: Number(c.attribute?.find((a) => a.name === 'group')?.i ?? 1) }));
  if (!convs.length) throw new SssegError('the ONNX graph has no convolutions', file);
  const [out, inC, kh] = convs[0].w;
  if (inC !== 3) throw new SssegError(`the graph's first convolution reads ${inC} channels, not an RGB image`, file);
  if (convs.some((c) => c.group > 1)) {
    const w = WIDTHS.find((m) => makeDivisible(32 * m) === out);
    if (w === undefined) throw new SssegError(`a MobileNetV2-like graph whose first convolution has ${out} channels: no width multiplier gives that`, file);
    return { type: 'mobilenetv2', widthMultiplier: w };
  }
  const stem: ResNetStem = kh === 7 ? 'torchvision' : 'deep';
  const stemOut = stem === 'deep' ? convs[2]?.w[0] : out;
  // layer1's first conv reads the stem's output: its output channels are the base width
  const base = convs.find((c, i) => i > (stem === 'deep' ? 2 : 0) && c.w[1] === stemOut)?.w[0];
  if (!base) throw new SssegError('cannot find the first residual block after the stem: not a ResNet graph', file);
  const bottleneck = convs.some((c) => c.w.join() === [4 * base, base, 1, 1].join());
  // a whole segmentation model's head can have convolutions of layer3's shape: then --depth decides
  if (request.depth !== undefined) {
    const asked = request.depth as ResNetDepth;
    if (RESNET_LAYOUT[asked].bottleneck !== bottleneck) throw new SssegError(`the graph's ResNet has ${bottleneck ? 'bottleneck' : 'basic'} blocks; --depth ${asked} has ${bottleneck ? 'basic' : 'bottleneck'} ones`, file);
    return { type: 'resnet', depth: asked, stem, baseWidth: base };
  }
  const wide = 4 * base;
  const same = (shape: number[]) => convs.filter((c) => c.w.join() === shape.join()).length;
  const stage3 = bottleneck ? same([wide, wide, 3, 3]) : (same([wide, wide, 3, 3]) + 1) / 2;
  const depth = ([18, 34, 50, 101] as ResNetDepth[]).find((d) => RESNET_LAYOUT[d].bottleneck === bottleneck && RESNET_LAYOUT[d].blocks[2] === stage3);
  if (!depth) throw new SssegError(`a ResNet-like graph with ${stage3} blocks in its third stage (${bottleneck ? 'bottleneck' : 'basic'}): ssseg builds ResNet-18, 34, 50 and 101`, file);
  return { type: 'resnet', depth, stem, baseWidth: base };
}

/** The detected architecture, checked against what the user asked for. */
export function checkRequest(spec: BackboneSpec, request: BackboneRequest, file: string): BackboneSpec {
  const found = describeBackbone(spec);
  const fail = (asked: string) => { throw new SssegError(`the file holds a ${found}; ${asked}`, file); };
  if (request.type && request.type !== spec.type) fail(`--backbone asks for ${request.type}`);
  if (spec.type === 'resnet') {
    if (request.depth !== undefined && request.depth !== spec.depth) fail(`--depth asks for ${request.depth}`);
    if (request.stem && request.stem !== spec.stem) fail(`--stem asks for ${request.stem}`);
  } else if (request.widthMultiplier !== undefined && request.widthMultiplier !== spec.widthMultiplier) fail(`--width asks for ${request.widthMultiplier}`);
  return spec;
}
