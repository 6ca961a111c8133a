/** `heatlens compile`: write the explained model as a standalone ONNX file. */
import { Command } from 'commander';
import { HeatlensError } from '../errors.js';
import { standaloneGraph } from '../compile/standalone.js';
import { methodNames } from '../methods/index.js';
import { addDrivenOptions, type DrivenFlags, refuseIgnoredFlags, smoothOptions } from './methodOptions.js';
import { encodeModel } from '../onnx/write.js';
import { writeFileAtomic } from '../io/atomic.js';
import { DEFAULT_MODEL } from './defaults.js';
import { modelFileBytes, resolveModelPath } from '../model/load.js';
import { positiveInt } from './options.js';

interface CompileFlags extends DrivenFlags {
  model: string;
  layer?: string;
  method: string;
  batch: number;
  probability: boolean;
  out?: string;
  json: boolean;
}

export function compileCommand(): Command {
  const cmd = new Command('compile')
    .description('compile a model and a method into one ONNX graph with outputs logits, attribution, target')
    .option('-m, --model <file>', 'ONNX model or TensorFlow.js model.json, or the folder holding it (default: the built-in CIFAR-10 CNN, models/default)')
    .option('--method <name>', `attribution method: ${methodNames.join(', ')}`, 'saliency')
    .option('-b, --batch <n>', 'batch size compiled into the graph (shapes are static)', positiveInt('--batch'), 1)
    .option('--probability', 'differentiate the softmax probability instead of the logit', false)
    .option('-o, --out <file.onnx>', 'where to write the explained model')
    .option('--json', 'print one JSON object', false)
    .option('--layer <name>', 'target layer of CAM methods');
  addDrivenOptions(cmd, { runtime: false });
  return cmd.action(async (parsed: CompileFlags) => {
      const flags = { ...parsed, model: parsed.model === undefined ? DEFAULT_MODEL : resolveModelPath(parsed.model) };
      if (!flags.out) throw new HeatlensError('compile needs --out <file.onnx>', 'E_USAGE');
      refuseIgnoredFlags(cmd, flags);
      const t0 = performance.now();
      const explained = standaloneGraph({
        modelPath: flags.model, method: flags.method, batch: flags.batch, target: flags.probability ? 'probability' : 'logit',
        layer: flags.layer, driven: { steps: flags.steps, scheme: flags.scheme }, smooth: smoothOptions(flags),
      });
      const bytes = encodeModel(explained.graph);
      await writeFileAtomic(flags.out, bytes);
      const ms = performance.now() - t0;
      const original = modelFileBytes(flags.model);
      const summary = {
        model: flags.model, method: flags.method, out: flags.out, batch: flags.batch,
        nodes: explained.graph.nodes.length, bytes: bytes.length, originalBytes: original,
        sizeRatio: Number((bytes.length / original).toFixed(4)), ms: Number(ms.toFixed(1)),
        inputs: explained.inputs, outputs: explained.graph.outputs.map((o) => `${o} [${explained.graph.values.get(o)!.shape.join('×')}]`),
        static: explained.static,
      };
      if (flags.json) return console.log(JSON.stringify(summary));
      console.log([
        `wrote   ${flags.out} (${(bytes.length / 1e6).toFixed(2)} MB, ${summary.sizeRatio}× the original; ${summary.nodes} nodes)`,
        `inputs  ${summary.inputs.join(', ')}`,
        `outputs ${summary.outputs.join(', ')}`,
        ...(explained.static ? ['static  the gradient is derived at compile time: no backward pass'] : []),
        `time    ${summary.ms} ms`,
      ].join('\n'));
    });
}
