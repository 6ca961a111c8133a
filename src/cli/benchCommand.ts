/** `heatlens bench`: steady-state latency of inference and of each method. */
import { Command } from 'commander';
import { methodNames } from '../methods/index.js';
import { measure } from '../bench/measure.js';
import { runBench } from '../bench/run.js';
import { DEFAULT_MODEL } from './defaults.js';
import { positiveInt } from './options.js';

export function benchCommand(): Command {
  return new Command('bench')
    .description('median latency of inference alone and of each method (after warm-up), their ratio, peak memory')
    .option('-m, --model <file>', 'ONNX model (default: the built-in CIFAR-10 CNN, models/default)')
    .option('--methods <list>', 'comma-separated methods', methodNames.join(','))
    .option('--iters <n>', 'timed iterations per configuration', positiveInt('--iters'), 50)
    .option('--warmup <n>', 'untimed iterations first', positiveInt('--warmup'), 5)
    .option('--threads <n>', 'onnxruntime intra-op threads', positiveInt('--threads'), 2)
    .option('--json', 'print one JSON object', false)
    .action(async (flags) => {
      const report = await runBench({
        modelPath: flags.model ?? DEFAULT_MODEL, methods: String(flags.methods).split(','), iters: flags.iters, warmup: flags.warmup, threads: flags.threads,
      });
      if (flags.json) return console.log(JSON.stringify(report));
      console.log(report.table);
    });
}

/** Internal: one configuration measured in this process (used by `bench` in a child process). */
export function benchOneCommand(): Command {
  return new Command('bench-one')
    .requiredOption('-m, --model <file>', 'ONNX model')
    .requiredOption('--config <name>', "'inference' or a method")
    .option('--iters <n>', 'timed iterations', positiveInt('--iters'), 50)
    .option('--warmup <n>', 'untimed iterations', positiveInt('--warmup'), 5)
    .option('--threads <n>', 'intra-op threads', positiveInt('--threads'), 2)
    .action(async (flags) => {
      console.log(JSON.stringify(await measure({ modelPath: flags.model, config: flags.config, iters: flags.iters, warmup: flags.warmup, threads: flags.threads })));
    });
}
