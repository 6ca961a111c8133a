/** `heatlens bench`: steady-state latency of inference and of each method. */
import { Command } from 'commander';
import { methodNames } from '../methods/index.js';
import { peakMemory, timeConfigs } from '../bench/measure.js';
import { runBench } from '../bench/run.js';
import { resolveModelPath } from '../model/load.js';
import { DEFAULT_MODEL } from './defaults.js';
import { positiveInt } from './options.js';

export function benchCommand(): Command {
  return new Command('bench')
    .description('median latency of inference alone and of each method (after warm-up), their ratio, peak memory')
    .option('-m, --model <file>', 'ONNX model or TensorFlow.js model.json, or the folder holding it (default: the built-in CIFAR-10 CNN, models/default)')
    .option('--methods <list>', 'comma-separated methods', methodNames.join(','))
    .option('--iters <n>', 'timed iterations per configuration and process', positiveInt('--iters'), 50)
    .option('--warmup <n>', 'untimed iterations after each session creation', positiveInt('--warmup'), 5)
    .option('--threads <n>', 'onnxruntime intra-op threads', positiveInt('--threads'), 2)
    .option('--rounds <n>', 'interleaved rounds of all configurations within a process', positiveInt('--rounds'), 5)
    .option('--processes <n>', 'timing processes (their medians are combined)', positiveInt('--processes'), 3)
    .option('--json', 'print one JSON object', false)
    .action(async (flags) => {
      const report = await runBench({
        modelPath: flags.model === undefined ? DEFAULT_MODEL : resolveModelPath(flags.model), methods: String(flags.methods).split(','), iters: flags.iters, warmup: flags.warmup,
        threads: flags.threads, rounds: flags.rounds, processes: flags.processes,
        progress: flags.json ? undefined : (m) => console.error(m),
      });
      if (flags.json) return console.log(JSON.stringify(report));
      console.log(report.table);
    });
}

/** Internal: every configuration of one model timed in this process (`bench` runs it in child processes). */
export function benchTimeCommand(): Command {
  return new Command('bench-time')
    .requiredOption('-m, --model <file>', 'ONNX model')
    .requiredOption('--configs <list>', "'inference' and methods, comma-separated")
    .option('--iters <n>', 'timed iterations per configuration', positiveInt('--iters'), 50)
    .option('--warmup <n>', 'untimed iterations', positiveInt('--warmup'), 5)
    .option('--threads <n>', 'intra-op threads', positiveInt('--threads'), 2)
    .option('--rounds <n>', 'interleaved rounds', positiveInt('--rounds'), 5)
    .action(async (flags) => {
      console.log(JSON.stringify(await timeConfigs({
        modelPath: flags.model, configs: String(flags.configs).split(','), iters: flags.iters, warmup: flags.warmup, threads: flags.threads, rounds: flags.rounds,
      })));
    });
}

/** Internal: one configuration's peak resident memory, in a process of its own. */
export function benchMemoryCommand(): Command {
  return new Command('bench-memory')
    .requiredOption('-m, --model <file>', 'ONNX model')
    .requiredOption('--config <name>', "'inference' or a method")
    .option('--threads <n>', 'intra-op threads', positiveInt('--threads'), 2)
    .action(async (flags) => {
      console.log(String(await peakMemory(flags.model, flags.config, 5, flags.threads)));
    });
}
