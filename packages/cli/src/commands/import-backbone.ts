import * as path from 'path';
import type { Command } from 'commander';
import { tf } from '@ssseg/engine';
import { SssegError, saveTensorFile } from '@ssseg/core';
import { describeBackbone, describeFit, importBackbone, type BackboneRequest, type BackboneSpec } from '@ssseg/models';
import { startEngine } from './run-model';

interface ImportOptions {
  from: string;
  out?: string;
  backbone?: string;
  depth?: string;
  stem?: string;
  width?: string;
  prefix?: string;
  key?: string;
  strict: string;
}

function request(opts: ImportOptions): BackboneRequest {
  const r: BackboneRequest = {};
  if (opts.backbone !== undefined) {
    if (opts.backbone !== 'resnet' && opts.backbone !== 'mobilenetv2') throw new SssegError(`--backbone expects resnet or mobilenetv2, got '${opts.backbone}'`);
    r.type = opts.backbone;
  }
  if (opts.depth !== undefined) {
    if (!['18', '34', '50', '101'].includes(opts.depth)) throw new SssegError(`--depth expects 18, 34, 50 or 101, got '${opts.depth}'`);
    r.depth = Number(opts.depth);
  }
  if (opts.stem !== undefined) {
    if (opts.stem !== 'deep' && opts.stem !== 'torchvision') throw new SssegError(`--stem expects deep or torchvision, got '${opts.stem}'`);
    r.stem = opts.stem;
  }
  if (opts.width !== undefined) {
    const w = Number(opts.width);
    if (!(w > 0)) throw new SssegError(`--width expects a positive number, got '${opts.width}'`);
    r.widthMultiplier = w;
  }
  return r;
}

function strictFlag(value: string): boolean {
  if (value !== 'true' && value !== 'false') throw new SssegError(`--strict expects true or false, got '${value}'`);
  return value === 'true';
}

/** The config lines that use the imported backbone. */
function configHint(spec: BackboneSpec, file: string): string {
  const b = spec.type === 'resnet'
    ? `type: resnet, depth: ${spec.depth}, stem: ${spec.stem}${spec.baseWidth === 64 ? '' : `, baseWidth: ${spec.baseWidth}`}`
    : `type: mobilenetv2, widthMultiplier: ${spec.widthMultiplier}`;
  return `model: { type: deeplabv3plus, backbone: { ${b}, pretrained: ${file} } }`;
}

export function registerImportBackboneCommand(program: Command): void {
  program
    .command('import-backbone')
    .description(
      'read ImageNet (or other) encoder weights from a PyTorch .pth (torch.save, a state dict or a checkpoint holding one), a .safetensors or an ONNX file ' +
        "(any export, batch norm folded or not): torchvision ResNet-18/34/50/101, UniMatch's deep-stem ResNet, MobileNetV2. " +
        'Says what the file holds; with --out writes an ssseg weight file (a config can also name FILE directly as backbone.pretrained)',
    )
    .requiredOption('--from <file>', 'the weight file: .pth/.pt, .safetensors or .onnx (recognised by content)')
    .option('--out <file>', 'ssseg weight file to write (backbone.* tensors); without it, only checks and describes')
    .option('--backbone <type>', 'resnet or mobilenetv2 (default: read from the file)')
    .option('--depth <n>', 'ResNet depth 18, 34, 50 or 101 (default: read from the file)')
    .option('--stem <stem>', 'ResNet stem: torchvision (7x7) or deep (UniMatch) (default: read from the file)')
    .option('--width <w>', 'MobileNetV2 width multiplier (default: read from the file)')
    .option('--prefix <p>', "prefix of the backbone's names in a state dict, e.g. 'module.backbone.' (default: found from the names)")
    .option('--key <k>', "checkpoint key holding the state dict (default: 'state_dict', 'model', ... whichever holds one)")
    .option('--strict <bool>', 'false: import what fits, list what was skipped (the model keeps its own values there)', 'true')
    .action(async (opts: ImportOptions, cmd: Command) => {
      const asked = request(opts);
      const strict = strictFlag(opts.strict);
      await startEngine(cmd);
      const imported = importBackbone(opts.from, { ...asked, prefix: opts.prefix, key: opts.key, strict });
      try {
        const lines = [...imported.notes];
        if (opts.out) {
          const named = new Map([...imported.tensors].map(([name, t]) => [`backbone.${name}`, t] as [string, tf.Tensor]));
          saveTensorFile(opts.out, named, { format: 'ssseg-weights-1', backbone: imported.spec, source: path.basename(opts.from) });
          lines.push(`wrote ${path.resolve(opts.out)}: ${describeBackbone(imported.spec)}, ${describeFit(imported.tensors)}`);
          lines.push(`use it in a config: ${configHint(imported.spec, opts.out)}`);
        } else {
          lines.push(`fits: ${describeFit(imported.tensors)} (nothing written: no --out)`);
          // a config reads the file strictly: what --strict false skipped needs the written file
          if (imported.skipped.length) lines.push('to start a model from what fits, write it with --out and name that file as backbone.pretrained');
          else lines.push(`use it in a config: ${configHint(imported.spec, opts.from)}`);
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        tf.dispose([...imported.tensors.values()]);
      }
    });
}
