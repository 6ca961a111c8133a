/** IR graph → ONNX ModelProto bytes (IR version 8, the graph's opset, raw little-endian tensors). */
import type { Graph } from '../ir/graph.js';
import { attrToProto } from './attributes.js';
import { type GraphMsg, type ModelMsg, ModelProto, type ValueInfoMsg } from './schema.js';
import { CODE_OF, tensorToProto } from './tensor.js';

export const IR_VERSION = 8;

export interface WriteOptions {
  /** Graph inputs whose first dimension is written symbolic (dim_param), so runtimes accept any batch. */
  dynamicBatch?: boolean;
}

function valueInfoMsg(graph: Graph, name: string, dynamicBatch: boolean): ValueInfoMsg {
  const v = graph.values.get(name);
  if (!v) throw new Error(`value '${name}' has no type`);
  return {
    name,
    type: {
      tensor_type: {
        elem_type: CODE_OF[v.dtype],
        shape: { dim: v.shape.map((d, i) => (dynamicBatch && i === 0 ? { dim_param: 'batch' } : { dim_value: d })) },
      },
    },
  };
}

/** Values produced by nodes that are not graph outputs, in node order. */
function intermediateValues(graph: Graph): string[] {
  const outputs = new Set(graph.outputs);
  return graph.nodes.flatMap((n) => n.outputs.filter((o) => o && !outputs.has(o) && graph.values.has(o)));
}

export function toModelMessage(graph: Graph, options: WriteOptions = {}): ModelMsg {
  const dynamic = options.dynamicBatch ?? false;
  const graphMsg: GraphMsg = {
    name: graph.name,
    node: graph.nodes.map((n) => ({
      name: n.name,
      op_type: n.op,
      input: [...n.inputs],
      output: [...n.outputs],
      attribute: Object.entries(n.attrs).map(([k, a]) => attrToProto(k, a)),
    })),
    initializer: [...graph.initializers].map(([name, t]) => tensorToProto(t, name)),
    input: graph.inputs.map((name) => valueInfoMsg(graph, name, dynamic && !graph.initializers.has(name))),
    output: graph.outputs.map((name) => valueInfoMsg(graph, name, dynamic)),
    // Every intermediate value's type and static shape, so a runtime need not re-derive them (onnxruntime
    // keeps element-wise ops in its blocked NCHWc layout only where it can prove the operands' shapes
    // equal). Omitted for a dynamic batch, where the intermediate shapes are not fixed.
    value_info: dynamic ? [] : intermediateValues(graph).map((name) => valueInfoMsg(graph, name, false)),
  };
  return {
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: graph.opset }],
    producer_name: 'heatlens',
    producer_version: '0.1.0',
    graph: graphMsg,
    metadata_props: [...graph.metadata].map(([key, value]) => ({ key, value })),
  };
}

export function encodeModel(graph: Graph, options: WriteOptions = {}): Uint8Array {
  const msg = ModelProto.fromObject(toModelMessage(graph, options));
  return ModelProto.encode(msg).finish();
}
