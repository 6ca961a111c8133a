/** `heatlens convert`: write a model (TensorFlow.js model.json, or ONNX) as the ONNX graph heatlens imports it to. */
import { INPUT_LAYOUT_KEY } from '../compile/layout.js';
import { Command } from 'commander';
import { writeFileAtomic } from '../io/atomic.js';
import { formatShape } from '../ir/tensor.js';
import { importModelFile, resolveModelPath } from '../model/load.js';
import { encodeModel } from '../onnx/write.js';
import { positiveInt } from './options.js';

interface ConvertFlags {
  out: string;
  batch: number;
  json: boolean;
}

export function convertCommand(): Command {
  return new Command('convert')
    .description('convert a TensorFlow.js model (Layers or Graph model.json + weight shards) to ONNX (opset 17, static shapes)')
    .argument('<model>', 'model.json or its folder (or an ONNX file, rewritten in heatlens\'s canonical opset)')
    .requiredOption('-o, --out <file.onnx>', 'where to write the ONNX model')
    .option('-b, --batch <n>', 'batch size fixed in the graph', positiveInt('--batch'), 1)
    .option('--json', 'print one JSON object', false)
    .action(async (model: string, flags: ConvertFlags) => {
      const t0 = performance.now();
      const graph = importModelFile(resolveModelPath(model), flags.batch);
      const bytes = encodeModel(graph);
      await writeFileAtomic(flags.out, bytes);
      const describe = (name: string) => `${name} ${formatShape(graph.values.get(name)!.shape)}`;
      const summary = {
        model, out: flags.out, bytes: bytes.length, nodes: graph.nodes.length, opset: graph.opset,
        inputs: graph.inputs.map(describe), outputs: graph.outputs.map(describe),
        inputLayout: graph.metadata.get(INPUT_LAYOUT_KEY) ?? 'as in the model',
        ms: Number((performance.now() - t0).toFixed(1)),
      };
      if (flags.json) return console.log(JSON.stringify(summary));
      console.log([
        `wrote   ${flags.out} (${(bytes.length / 1e6).toFixed(2)} MB, ${summary.nodes} nodes, opset ${summary.opset})`,
        `inputs  ${summary.inputs.join(', ')}${graph.metadata.has(INPUT_LAYOUT_KEY) ? ` (${summary.inputLayout})` : ''}`,
        `outputs ${summary.outputs.join(', ')}`,
        `time    ${summary.ms} ms`,
      ].join('\n'));
    });
}
