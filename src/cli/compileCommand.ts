/** `heatlens compile`: write the explained model as a standalone ONNX file. */
import { Command } from 'commander';
import { statSync } from 'node:fs';
import { HeatlensError } from '../errors.js';
import { compileExplained } from '../compile/explain.js';
import { methodByName, methodNames } from '../methods/index.js';
import { loadModel } from '../model/load.js';
import { encodeModel } from '../onnx/write.js';
import { writeFileAtomic } from '../io/atomic.js';
import { DEFAULT_MODEL } from './defaults.js';
import { positiveInt } from './options.js';

interface CompileFlags {
  model: string;
  method: string;
  batch: number;
  probability: boolean;
  out?: string;
  json: boolean;
}

export function compileCommand(): Command {
  return new Command('compile')
    .description('compile a model and a method into one ONNX graph with outputs logits, attribution, target')
    .option('-m, --model <file>', 'ONNX model', DEFAULT_MODEL)
    .option('--method <name>', `attribution method: ${methodNames.join(', ')}`, 'saliency')
    .option('-b, --batch <n>', 'batch size compiled into the graph (shapes are static)', positiveInt('--batch'), 1)
    .option('--probability', 'differentiate the softmax probability instead of the logit', false)
    .option('-o, --out <file.onnx>', 'where to write the explained model')
    .option('--json', 'print one JSON object', false)
    .action(async (flags: CompileFlags) => {
      if (!flags.out) throw new HeatlensError('compile needs --out <file.onnx>', 'E_USAGE');
      const method = methodByName(flags.method);
      const t0 = performance.now();
      const { graph } = loadModel(flags.model, flags.batch);
      const explained = compileExplained(graph, { method, target: flags.probability ? 'probability' : 'logit' });
      const bytes = encodeModel(explained.graph);
      await writeFileAtomic(flags.out, bytes);
      const ms = performance.now() - t0;
      const original = statSync(flags.model).size;
      const summary = {
        model: flags.model, method: flags.method, out: flags.out, batch: flags.batch,
        nodes: explained.graph.nodes.length, bytes: bytes.length, originalBytes: original,
        sizeRatio: Number((bytes.length / original).toFixed(4)), ms: Number(ms.toFixed(1)),
        inputs: [explained.input, 'target_class (int64 [batch], −1 = top-1)'], outputs: explained.graph.outputs,
      };
      if (flags.json) return console.log(JSON.stringify(summary));
      console.log([
        `wrote   ${flags.out} (${(bytes.length / 1e6).toFixed(2)} MB, ${summary.sizeRatio}× the original; ${summary.nodes} nodes)`,
        `inputs  ${explained.input} [${graph.values.get(explained.input)!.shape.join('×')}], target_class int64 [${flags.batch}] (class per image; −1 = top-1)`,
        `outputs logits [${flags.batch}×${explained.classes}], attribution [${graph.values.get(explained.input)!.shape.join('×')}], target [${flags.batch}]`,
        `time    ${summary.ms} ms`,
      ].join('\n'));
    });
}
