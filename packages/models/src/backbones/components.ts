import { ContainerModule, inject, injectable } from 'inversify';
import { z } from 'zod';
import {
  Backbone as BackboneComponent, ComponentOptions, PluginHost, componentFromBase, componentType, definePlugin, provide,
  type BackboneContext, type BindFunction, type BuildSubComponent,
} from '@ssseg/core';
import { Backbone } from './backbone';
import { ResNet } from './resnet';
import { MobileNetV2 } from './mobilenetv2';

/** Weights the backbone starts from: a PyTorch, safetensors or ONNX file, or an ssseg file of 'backbone.*' tensors (`ssseg import-backbone`). */
const pretrained = z.string().optional();

export const ResNetBackboneOptions = z.strictObject({
  depth: z.union([z.literal(18), z.literal(34), z.literal(50), z.literal(101)]).default(50),
  stem: z.enum(['deep', 'torchvision']).default('deep'),
  baseWidth: z.number().int().positive().default(64),
  multiGrid: z.boolean().default(false),
  pretrained,
});

export const MobileNetV2BackboneOptions = z.strictObject({
  widthMultiplier: z.number().positive().default(1),
  pretrained,
});

/** A backbone component: its validated options, the weight file they name, the module it creates. */
@injectable()
abstract class BackboneFromOptions<Schema extends z.ZodType<{ pretrained?: string }>> implements BackboneComponent {
  readonly type = componentType(this);
  readonly pretrained?: string;

  constructor(@inject(ComponentOptions) protected readonly o: ComponentOptions<Schema>) {
    this.pretrained = o.pretrained;
  }

  abstract create(context: BackboneContext): Backbone;
}

/** `backbone: { type: resnet }`: ResNet-18/34/50/101 with UniMatch's deep stem or torchvision's. */
@componentFromBase()
export class ResNetBackbone extends BackboneFromOptions<typeof ResNetBackboneOptions> {
  static readonly type = 'resnet';
  static options = ResNetBackboneOptions;
  static summary = 'ResNet-18/34/50/101, deep (UniMatch) or torchvision stem';

  create({ outputStride, rng }: BackboneContext): ResNet {
    const { depth, stem, baseWidth, multiGrid } = this.o;
    return new ResNet({ depth, stem, baseWidth, multiGrid, outputStride: outputStride as 8 | 16 | 32 }, rng);
  }
}

/** `backbone: { type: mobilenetv2 }`: MobileNetV2 with a width multiplier. */
@componentFromBase()
export class MobileNetV2Backbone extends BackboneFromOptions<typeof MobileNetV2BackboneOptions> {
  static readonly type = 'mobilenetv2';
  static options = MobileNetV2BackboneOptions;
  static summary = 'MobileNetV2 with a width multiplier';

  create({ outputStride, rng }: BackboneContext): MobileNetV2 {
    return new MobileNetV2({ widthMultiplier: this.o.widthMultiplier, outputStride: outputStride as 8 | 16 | 32 }, rng);
  }
}

/** Binds this package's backbones; the models plugin's module calls it. */
export function bindBackbones(bind: BindFunction): void {
  provide(bind, BackboneComponent, ResNetBackbone);
  provide(bind, BackboneComponent, MobileNetV2Backbone);
}

let builtins: PluginHost | undefined;

/**
 * The backbone a model's options name, built through the run's plugin host when the model is
 * (so plugins' backbones are found), else from this package's own (a model made with `new`).
 */
export function buildBackbone(config: unknown, context: BackboneContext, buildSub?: BuildSubComponent): { backbone: Backbone; pretrained?: string } {
  if (!buildSub) {
    builtins ??= hostWithBuiltinBackbones();
    buildSub = (token, cfg, key) => builtins!.build(token, cfg, key);
  }
  const component = buildSub(BackboneComponent, config, 'backbone');
  const backbone = component.create(context);
  if (!(backbone instanceof Backbone)) {
    throw new Error(`backbone '${component.type}' created no Backbone module of @ssseg/models (extend its Backbone class: low and high features, channels, ONNX graph)`);
  }
  return { backbone, pretrained: component.pretrained };
}

function hostWithBuiltinBackbones(): PluginHost {
  const host = new PluginHost();
  host.load(definePlugin({ from: __dirname, module: new ContainerModule(({ bind }) => bindBackbones(bind)) }));
  return host;
}
