import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { ComponentOptions, type LrSchedule } from '../tokens';
import { componentType } from '../plugin';

/** Poly decay as UniMatch uses: lr * (1 - step / total) ^ power. */
export function polyLr(baseLr: number, step: number, totalSteps: number, power = 0.9): number {
  if (totalSteps <= 0) return baseLr;
  return baseLr * Math.pow(Math.max(0, 1 - step / totalSteps), power);
}

const polyOptions = z.strictObject({ power: z.number().positive().default(0.9) });

/** `lrSchedule: poly` (power from `train.lrPower`): decays to zero at the last step. */
@injectable()
export class PolySchedule implements LrSchedule {
  static readonly type = 'poly';
  static options = polyOptions;
  static summary = 'lr * (1 - step / total) ^ power, as UniMatch';
  readonly type = componentType(this);

  constructor(@inject(ComponentOptions) private readonly options: ComponentOptions<typeof PolySchedule.options>) {}

  rate(baseLr: number, step: number, totalSteps: number): number {
    return polyLr(baseLr, step, totalSteps, this.options.power);
  }
}

/** `lrSchedule: constant`: train.lr at every step. */
@injectable()
export class ConstantSchedule implements LrSchedule {
  static readonly type = 'constant';
  static options = z.strictObject({});
  static summary = 'train.lr at every step';
  readonly type = componentType(this);

  rate(baseLr: number): number {
    return baseLr;
  }
}
