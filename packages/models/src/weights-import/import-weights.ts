import * as fs from 'fs';
import { tf } from '@ssseg/engine';
import { SssegError, isTensorFile, type SegmentationModel } from '@ssseg/core';
import type { Module } from '../nn/module';
import type { Backbone } from '../backbones/backbone';
import { loadBackboneWeights } from '../weights/weight-file';
import { readTorchFile, isZip } from './torch-file';
import { readSafetensors, looksLikeSafetensors } from './safetensors-file';
import { decodeOnnx, IndexedGraph, onnxBackboneWeights } from './onnx-weights';
import { detectPrefix, findStateDict, withoutPrefix } from './state-dict';
import { expectedTensors, matchTensors } from './torch-layout';
import type { SourceTensor } from './source-tensor';
import {
  backboneSpecOf, buildBackbone, checkRequest, describeBackbone, detectFromNames, detectFromOnnx, leaveOutFor,
  type BackboneRequest, type BackboneSpec,
} from './backbone-spec';

export type WeightFileKind = 'ssseg' | 'pytorch' | 'safetensors' | 'onnx';

/** The kind of a weight file, by its first bytes (the name's extension decides nothing). */
export function weightFileKind(bytes: Uint8Array, fileSize = bytes.length): WeightFileKind {
  if (isTensorFile(bytes)) return 'ssseg';
  if (isZip(bytes) || (bytes[0] === 0x80 && bytes[1] === 0x02)) return 'pytorch';
  if (looksLikeSafetensors(bytes, fileSize)) return 'safetensors';
  return 'onnx';
}

/** weightFileKind of a file from its first bytes, without reading all of it. */
export function weightFileKindOf(file: string): WeightFileKind {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(16);
    const n = fs.readSync(fd, head, 0, 16, 0);
    return weightFileKind(head.subarray(0, n), fs.fstatSync(fd).size);
  } catch (err) {
    if (err instanceof SssegError) throw err;
    throw new SssegError(`cannot read weight file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function readWeightFile(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new SssegError(`cannot read weight file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file);
  }
}

export interface ImportOptions {
  /** Prefix of the model's names in the file ('module.', 'backbone.'); found from the names when absent. */
  prefix?: string;
  /** Checkpoint key holding the state dict; the usual ones ('state_dict', 'model', ...) when absent. */
  key?: string;
  /** A missing, extra or mis-shaped tensor is an error (default), or skipped and listed. */
  strict?: boolean;
}

export interface ImportedWeights {
  /** Names of the target (a backbone's own, or a whole model's), tf layouts; the caller disposes them. */
  tensors: Map<string, tf.Tensor>;
  /** What `strict: false` skipped (empty when everything fit). */
  skipped: string[];
  /** What was read and how, one line each, for the user. */
  notes: string[];
}

export interface ImportedBackbone extends ImportedWeights {
  spec: BackboneSpec;
}

/** The state dict of a PyTorch or safetensors file, as name -> tensor, with where it was found. */
function readStateDict(bytes: Uint8Array, kind: 'pytorch' | 'safetensors', file: string, key?: string): { tensors: Map<string, SourceTensor>; notes: string[] } {
  if (kind === 'safetensors') return { tensors: readSafetensors(bytes, file), notes: ['safetensors file'] };
  const found = findStateDict(readTorchFile(bytes, file), file, key);
  return { tensors: found.tensors, notes: [found.key ? `PyTorch checkpoint, state dict under '${found.key}'` : 'PyTorch state dict'] };
}

function leftOutNotes(leftOut: Map<string, string[]>, skipped: string[], outside: string[], prefix: string): string[] {
  const notes: string[] = [];
  if (prefix) notes.push(`names prefixed '${prefix}'${outside.length ? ` (${outside.length} tensors outside it left alone, e.g. '${outside[0]}')` : ''}`);
  for (const [why, names] of leftOut) notes.push(`left out ${names.length} tensors: ${why} (${names.slice(0, 3).map((n) => `'${n}'`).join(', ')}${names.length > 3 ? ', ...' : ''})`);
  if (skipped.length) notes.push(`skipped (--strict false), the model keeps its own values:\n${skipped.map((s) => `  ${s}`).join('\n')}`);
  return notes;
}

/**
 * Encoder weights from a PyTorch (`torch.save`, zip format), safetensors or ONNX file, for a ResNet
 * (torchvision or UniMatch deep stem) or MobileNetV2. The architecture is read from the file and
 * checked against `request`; or `target` (a model's backbone) fixes it. Returns the backbone's own
 * names ('layer1.0.conv1.weight') in tf layouts.
 */
export function importBackbone(file: string, request: BackboneRequest & ImportOptions = {}, target?: Backbone): ImportedBackbone {
  const bytes = readWeightFile(file);
  const kind = weightFileKind(bytes);
  if (kind === 'ssseg') throw new SssegError("already an ssseg weight file: use it as it is (backbone.pretrained takes it, or loadBackboneWeights with sourcePrefix 'backbone.')", file);
  if (kind === 'onnx') return importBackboneFromOnnxFile(bytes, file, request, target);
  const { tensors: all, notes } = readStateDict(bytes, kind, file, request.key);
  const shapes = new Map([...all].map(([n, t]) => [n, t.shape]));
  const inPrefix = request.prefix === undefined ? shapes : new Map([...shapes].filter(([n]) => n.startsWith(request.prefix!)));
  // with a target the file must fit it, and detection only names what the file holds
  const detected = target ? tryDetect(() => detectFromNames(inPrefix, file)) : detectFromNames(inPrefix, file);
  const spec = target ? backboneSpecOf(target) : checkRequest(detected!.spec, request, file);
  const backbone = target ?? buildBackbone(spec);
  try {
    const prefix = request.prefix ?? (target ? detectPrefix(all.keys(), new Set(expectedTensors(target).keys())) : detected!.prefix);
    const { inside, outside } = withoutPrefix(all, prefix);
    const what = describeBackbone(spec);
    const matched = matchTensors(inside, expectedTensors(backbone), what, file, { strict: request.strict, leaveOut: leaveOutFor(spec), found: detected && describeBackbone(detected.spec) });
    const holding = detected && describeBackbone(detected.spec) !== what ? ` holding a ${describeBackbone(detected.spec)}` : '';
    return { tensors: matched.tensors, skipped: matched.skipped, spec, notes: [`${what} from a ${notes[0]}${holding}`, ...leftOutNotes(matched.leftOut, matched.skipped, outside, prefix)] };
  } finally {
    if (!target) backbone.dispose();
  }
}

/** The backbone a PyTorch, safetensors or ONNX file holds, read from its names or graph (no model is built). */
export function detectBackbone(file: string, request: BackboneRequest & ImportOptions = {}): BackboneSpec {
  const bytes = readWeightFile(file);
  const kind = weightFileKind(bytes);
  if (kind === 'ssseg') throw new SssegError('an ssseg weight file: its architecture is the config that wrote it', file);
  if (kind === 'onnx') return checkRequest(detectFromOnnx(new IndexedGraph(decodeOnnx(bytes, file).graph ?? {}, file), file, request), request, file);
  const { tensors } = readStateDict(bytes, kind, file, request.key);
  const shapes = new Map([...tensors].filter(([n]) => n.startsWith(request.prefix ?? '')).map(([n, t]) => [n, t.shape]));
  return checkRequest(detectFromNames(shapes, file).spec, request, file);
}

function tryDetect<T>(detect: () => T): T | undefined {
  try {
    return detect();
  } catch {
    return undefined;
  }
}

function importBackboneFromOnnxFile(bytes: Uint8Array, file: string, request: BackboneRequest & ImportOptions, target?: Backbone): ImportedBackbone {
  const model = decodeOnnx(bytes, file);
  if (!model.graph?.node?.length) throw new SssegError('not an ONNX model (no graph nodes): expected a PyTorch, safetensors, ONNX or ssseg weight file', file);
  const detected = target ? tryDetect(() => detectFromOnnx(new IndexedGraph(model.graph!, file), file)) : detectFromOnnx(new IndexedGraph(model.graph, file), file, request);
  const spec = target ? backboneSpecOf(target) : checkRequest(detected!, request, file);
  const backbone = target ?? buildBackbone(spec);
  try {
    const what = describeBackbone(spec);
    const { tensors, folded } = onnxBackboneWeights(model, backbone, detected && describeBackbone(detected) !== what ? `${what} (the file looks like a ${describeBackbone(detected)})` : what, file);
    const matched = matchTensors(tensors, expectedTensors(backbone), what, file, { strict: request.strict });
    const notes = [`${what} from an ONNX graph (matched by structure, not by names)`];
    if (folded.length) {
      notes.push(
        `batch norm folded into the convolutions in ${folded.length} places ('${folded[0]}', ...): imported as the folded convolution ` +
          'followed by an identity batch norm carrying the folded bias (the same function in eval mode; training normalises ' +
          'by batch statistics, which undoes the folded scale: to fine-tune, prefer the .pth or an export with training=TrainingMode.PRESERVE)',
      );
    }
    return { tensors: matched.tensors, skipped: matched.skipped, spec, notes: [...notes, ...leftOutNotes(matched.leftOut, matched.skipped, [], '')] };
  } finally {
    if (!target) backbone.dispose();
  }
}

/**
 * A whole model's weights from a PyTorch or safetensors checkpoint whose layout is the model's
 * (UniMatch's DeepLabV3+ is ssseg's: 'backbone.*', 'head.*', 'reduce.*', 'fuse.*', 'classifier.*'),
 * with its prefix ('module.' of DistributedDataParallel) found from the names.
 */
export function importModelWeights(model: Module & { type?: string }, file: string, options: ImportOptions = {}): ImportedWeights {
  const bytes = readWeightFile(file);
  const kind = weightFileKind(bytes);
  if (kind === 'ssseg') throw new SssegError('already an ssseg weight file', file);
  if (kind === 'onnx') throw new SssegError('whole models are imported from PyTorch or safetensors files; from ONNX only backbones (ssseg import-backbone)', file);
  const { tensors: all, notes } = readStateDict(bytes, kind, file, options.key);
  const expected = expectedTensors(model);
  const prefix = options.prefix ?? detectPrefix(all.keys(), new Set(expected.keys()));
  const { inside, outside } = withoutPrefix(all, prefix);
  const leaveOut = (name: string) => (/^backbone\.fc\.(weight|bias)$/.test(name) ? "the backbone's ImageNet classifier" : undefined);
  const matched = matchTensors(inside, expected, `the config's model (${model.type ?? model.constructor.name})`, file, { strict: options.strict, leaveOut });
  return { tensors: matched.tensors, skipped: matched.skipped, notes: [`whole model from a ${notes[0]}`, ...leftOutNotes(matched.leftOut, matched.skipped, outside, prefix)] };
}

/**
 * `backbone.pretrained: FILE` of a model config: an ssseg weight file of 'backbone.*' tensors, or a
 * PyTorch, safetensors or ONNX file read directly (the backbone's architecture must match it).
 * Returns what `ssseg import-backbone` says of it: the architecture, what was left out, what fits.
 */
export function loadPretrainedBackbone(model: SegmentationModel & { backbone: Backbone }, file: string): string[] {
  if (!fs.existsSync(file)) throw new SssegError("backbone.pretrained: no such file (where to get ImageNet weights: README, 'Start from ImageNet weights')", file);
  if (weightFileKindOf(file) === 'ssseg') {
    const fit = loadBackboneWeights(model, file, { sourcePrefix: 'backbone.' });
    return [`${describeBackbone(backboneSpecOf(model.backbone))} from an ssseg weight file`, `fits: ${fit}`];
  }
  const { tensors, notes } = importBackbone(file, {}, model.backbone);
  try {
    return [...notes, `fits: ${loadBackboneWeights(model, tensors)}`];
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

