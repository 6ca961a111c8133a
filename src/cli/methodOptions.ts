/** The flags of the multi-run methods (Integrated Gradients, SmoothGrad), shared by explain and compile. */
import { Command, Option } from 'commander';
import { IG_SCHEMES } from '../methods/integratedGradients.js';
import { SMOOTH_KINDS, type SmoothKind } from '../methods/smoothgrad.js';
import type { DrivenOptions } from '../methods/types.js';
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
