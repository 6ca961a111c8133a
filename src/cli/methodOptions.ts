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
  flags: DrivenFlags & { method: string; layer?: string; out?: string };
}

/**
 * A flag that only some runs read: given on the command line to any other, it is refused rather than
 * silently ignored. `key` is commander's option key (camelCase; 'overlay' for --no-overlay).
 */
interface FlagUse {
  key: string;
  flag: string;
  applies(ctx: FlagContext): boolean;
  /** Completes "--flag has no effect …". */
  unless(ctx: FlagContext): string;
}

const isIg = (ctx: FlagContext) => ctx.method.name === 'integrated-gradients';
const camMethods = () => methodNames.filter((name) => { const m = methodByName(name); return !isDriven(m) && m.family === 'cam'; });

/** A flag read only by some methods (or method options): "with --method M: it applies to …". */
function methodFlag(key: string, flag: string, applies: FlagUse['applies'], appliesTo: string): FlagUse {
  return {
    key, flag, applies,
    unless: ({ flags }) => `with --method ${flags.method}${flags.smooth ? ` --smooth ${flags.smooth}` : ''}: it applies to ${appliesTo}`,
  };
}
const igFlag = (key: keyof DrivenFlags, flag: string) => methodFlag(key, flag, isIg, '--method integrated-gradients');
/** A flag that only styles the PNG written by --out. */
const pngFlag = (key: string, flag: string): FlagUse => ({ key, flag, applies: (ctx) => ctx.flags.out !== undefined, unless: () => 'without --out: it styles the PNG heat map' });

const FLAG_USES: readonly FlagUse[] = [
  methodFlag('layer', '--layer', (ctx) => !isDriven(ctx.method) && ctx.method.family === 'cam', `the CAM methods (${camMethods().join(', ')})`),
  igFlag('steps', '--steps'),
  igFlag('scheme', '--scheme'),
  igFlag('baseline', '--baseline'),
  igFlag('maxBatch', '--max-batch'),
  igFlag('targetDelta', '--target-delta'),
  methodFlag('pilotSteps', '--pilot-steps', (ctx) => isIg(ctx) && ctx.flags.scheme === 'nonuniform', '--scheme nonuniform'),
  methodFlag('maxSteps', '--max-steps', (ctx) => isIg(ctx) && ctx.flags.targetDelta !== undefined, '--target-delta (the bound of its added steps)'),
  methodFlag('noiseSamples', '--noise-samples', (ctx) => ctx.flags.smooth !== undefined, '--smooth'),
  methodFlag('noiseStd', '--noise-std', (ctx) => ctx.flags.smooth !== undefined, '--smooth'),
  methodFlag('seed', '--seed', (ctx) => ctx.flags.smooth !== undefined || (isIg(ctx) && ctx.flags.baseline === 'noise'), '--smooth and to --baseline noise'),
  pngFlag('overlay', '--no-overlay'),
  pngFlag('reduce', '--reduce'),
  pngFlag('normalise', '--normalise'),
  pngFlag('colormap', '--colormap'),
];

/** Refuses, in one line, the first flag given on `cmd`'s command line that this run would ignore. */
export function refuseIgnoredFlags(cmd: Command, flags: FlagContext['flags']): void {
  const ctx: FlagContext = { method: methodByName(flags.method), flags };
  const ignored = FLAG_USES.find((use) => cmd.getOptionValueSource(use.key) === 'cli' && !use.applies(ctx));
  if (ignored) throw new HeatlensError(`${ignored.flag} has no effect ${ignored.unless(ctx)}`, 'E_USAGE');
}
