/** The flags of the multi-run methods (Integrated Gradients, SmoothGrad), shared by explain and compile. */
import { Command, Option } from 'commander';
import { IG_SCHEMES } from '../methods/integratedGradients.js';
import { SMOOTH_KINDS, type SmoothKind } from '../methods/smoothgrad.js';
import { HeatlensError } from '../errors.js';
import { methodByName, methodNames } from '../methods/index.js';
import { type AnyMethod, type DrivenOptions, isDriven } from '../methods/types.js';
import { nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from './options.js';

export interface DrivenFlags extends DrivenOptions {
  smooth?: SmoothKind;
  noiseSamples?: number;
  noiseStd?: number;
}

export function addDrivenOptions(cmd: Command, { runtime }: { runtime: boolean }): Command {
  cmd
    .option('--steps <n>', 'integrated-gradients: gradient evaluations (default 50)', positiveInt('--steps'))
    .addOption(new Option('--scheme <name>', 'integrated-gradients: point placement (default gausslegendre)').choices(IG_SCHEMES))
    .addOption(new Option('--smooth <kind>', 'wrap the gradient method in SmoothGrad').choices(SMOOTH_KINDS))
    .option('--noise-samples <n>', 'SmoothGrad: noisy copies (default 25)', positiveInt('--noise-samples'));
  if (!runtime) return cmd;
  return cmd
    .option('--baseline <kind|file.npy>', 'integrated-gradients: zero, black, noise, blur, or a .npy (default zero)')
    .option('--max-batch <n>', 'integrated-gradients: most points per run, bounding memory (default 32)', positiveInt('--max-batch'))
    .option('--pilot-steps <n>', 'nonuniform scheme: forward-only pilot segments N (default 16)', positiveInt('--pilot-steps'))
    .option('--target-delta <d>', 'integrated-gradients: add steps until the relative completeness error is ≤ d (e.g. 0.05)', positiveNumber('--target-delta'))
    .option('--max-steps <n>', 'integrated-gradients: upper bound for --target-delta (default 1024)', positiveInt('--max-steps'))
    .option('--noise-std <s>', 'SmoothGrad: noise σ as a fraction of the input range (default 0.15)', nonNegativeNumber('--noise-std'))
    .option('--seed <n>', 'seed of the noise baseline and of SmoothGrad noise (default 0)', nonNegativeInt('--seed'));
}

export function drivenOptions(flags: DrivenFlags): DrivenOptions {
  return {
    steps: flags.steps, scheme: flags.scheme, baseline: flags.baseline, maxBatch: flags.maxBatch, pilotSteps: flags.pilotSteps,
    targetDelta: flags.targetDelta, maxSteps: flags.maxSteps, seed: flags.seed,
  };
}

export function smoothOptions(flags: DrivenFlags) {
  return flags.smooth ? { kind: flags.smooth, samples: flags.noiseSamples ?? 25, noiseStd: flags.noiseStd ?? 0.15 } : undefined;
}

/** What a flag-use rule sees: the method chosen and the flags given. */
interface FlagContext {
  method: AnyMethod;
  flags: DrivenFlags & { layer?: string };
}

/** A flag that only some methods read: given to any other, it is refused rather than silently ignored. */
interface FlagUse {
  flag: string;
  given(flags: FlagContext['flags']): boolean;
  applies(ctx: FlagContext): boolean;
  /** Completes "--flag applies to …". */
  appliesTo: string;
}

const isIg = (ctx: FlagContext) => ctx.method.name === 'integrated-gradients';
const camMethods = () => methodNames.filter((name) => { const m = methodByName(name); return !isDriven(m) && m.family === 'cam'; });
const igFlag = (flag: string, key: keyof DrivenFlags): FlagUse => ({ flag, given: (f) => f[key] !== undefined, applies: isIg, appliesTo: '--method integrated-gradients' });

const FLAG_USES: readonly FlagUse[] = [
  { flag: '--layer', given: (f) => f.layer !== undefined, applies: (ctx) => !isDriven(ctx.method) && ctx.method.family === 'cam', appliesTo: `the CAM methods (${camMethods().join(', ')})` },
  igFlag('--steps', 'steps'),
  igFlag('--scheme', 'scheme'),
  igFlag('--baseline', 'baseline'),
  igFlag('--max-batch', 'maxBatch'),
  igFlag('--target-delta', 'targetDelta'),
  { flag: '--pilot-steps', given: (f) => f.pilotSteps !== undefined, applies: (ctx) => isIg(ctx) && ctx.flags.scheme === 'nonuniform', appliesTo: '--scheme nonuniform' },
  { flag: '--max-steps', given: (f) => f.maxSteps !== undefined, applies: (ctx) => isIg(ctx) && ctx.flags.targetDelta !== undefined, appliesTo: '--target-delta (the bound of its added steps)' },
  { flag: '--noise-samples', given: (f) => f.noiseSamples !== undefined, applies: (ctx) => ctx.flags.smooth !== undefined, appliesTo: '--smooth' },
  { flag: '--noise-std', given: (f) => f.noiseStd !== undefined, applies: (ctx) => ctx.flags.smooth !== undefined, appliesTo: '--smooth' },
  {
    flag: '--seed', given: (f) => f.seed !== undefined,
    applies: (ctx) => ctx.flags.smooth !== undefined || (isIg(ctx) && ctx.flags.baseline === 'noise'),
    appliesTo: '--smooth and to --baseline noise',
  },
];

/** Refuses, in one line, the first flag given that the chosen method would ignore. */
export function refuseIgnoredFlags(methodName: string, flags: FlagContext['flags']): void {
  const ctx: FlagContext = { method: methodByName(methodName), flags };
  const ignored = FLAG_USES.find((use) => use.given(flags) && !use.applies(ctx));
  if (ignored) {
    const chosen = `--method ${methodName}${flags.smooth ? ` --smooth ${flags.smooth}` : ''}`;
    throw new HeatlensError(`${ignored.flag} has no effect with ${chosen}: it applies to ${ignored.appliesTo}`, 'E_USAGE');
  }
}
