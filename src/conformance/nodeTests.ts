/**
 * ONNX backend node tests (Debian's libonnx-testdata: data/node/test_<name>/model.onnx with
 * test_data_set_N/input_K.pb and output_K.pb TensorProtos) run through heatlens, in four stages:
 *   import  readModel (static shapes); a HeatlensError is a failure with its one-line reason;
 *   shape   every graph output's inferred dtype and shape equal the expected output's (its IR dtype:
 *           float16 is widened to float32 on import, so a float16 output is expected as float32);
 *   ort     the imported graph, exported with encodeModel, run by onnxruntime-node on the inputs;
 *   interp  the reference interpreter (float64) on the imported graph.
 * ort and interp compare with the expected outputs as ONNX's backend tests do (numpy assert_allclose):
 * |got − want| ≤ atol + rtol·|want| with rtol 1e−3, atol 1e−7, NaN equal to NaN; int and bool exact.
 *
 * A test is selected when every node of its model is a default-domain op of the IR's op table.
 * Inputs the IR needs at compile time (STATIC_INPUTS: shapes, axes, pads, sizes) are fed as graph inputs
 * by the node tests; real models hold them as constants, so the runner binds them as initializers from
 * the first data set (and a test whose data sets disagree on them fails at import). A fed graph input
 * that is also an initializer is bound the same way: onnxruntime would ignore such a feed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { HeatlensError } from '../errors.js';
import { runGraph } from '../interp/run.js';
import type { Graph } from '../ir/graph.js';
import { isKnownOp } from '../ir/ops/index.js';
import { type DType, type Tensor, formatShape, isFloatType } from '../ir/tensor.js';
import { readModel } from '../onnx/read.js';
import { type ModelMsg, ModelProto, type TensorMsg, TensorProto } from '../onnx/schema.js';
import { tensorFromProto } from '../onnx/tensor.js';
import { encodeModel } from '../onnx/write.js';

export const NODE_TESTS_DIR = '/usr/share/libonnx-testdata/data/node';

export const STAGES = ['import', 'shape', 'ort', 'interp'] as const;
export type Stage = (typeof STAGES)[number];

export const RTOL = 1e-3;
export const ATOL = 1e-7;

/** Node inputs (by index) the IR reads at compile time. */
export const STATIC_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [1], Expand: [1], Tile: [1], Slice: [1, 2, 3, 4], Split: [1], Squeeze: [1], Unsqueeze: [1],
  Pad: [1], Resize: [1, 2, 3], ConstantOfShape: [0], Range: [0, 1, 2], MaxUnpool: [2], Dropout: [2],
  ReduceSum: [1], ReduceMean: [1], ReduceMax: [1], ReduceMin: [1], ReduceL2: [1],
};

export interface NodeTest {
  name: string;
  dir: string;
  /** Distinct op types of the model, in order of first use. */
  ops: string[];
}

/** true: the stage passed; a string: the one-line reason it failed; absent: it could not run. */
export type StageOutcome = true | string;

export interface NodeTestResult {
  name: string;
  ops: string[];
  /** Graph inputs bound as initializers from the test data (see STATIC_INPUTS). */
  bound: string[];
  stages: Partial<Record<Stage, StageOutcome>>;
}

const isDefaultDomain = (domain: string | undefined) => !domain || domain === 'ai.onnx';

function decodeModelMsg(path: string): ModelMsg | undefined {
  try {
    return ModelProto.decode(readFileSync(path)) as unknown as ModelMsg;
  } catch {
    return undefined;
  }
}

/** The node tests under `root` whose models use only ops of the IR, sorted by name. */
export function selectNodeTests(root = NODE_TESTS_DIR): { selected: NodeTest[]; total: number } {
  const names = readdirSync(root).filter((d) => d.startsWith('test_') && existsSync(join(root, d, 'model.onnx'))).sort();
  const selected: NodeTest[] = [];
  for (const name of names) {
    const dir = join(root, name);
    const nodes = decodeModelMsg(join(dir, 'model.onnx'))?.graph?.node ?? [];
    if (nodes.length === 0 || !nodes.every((n) => isDefaultDomain(n.domain) && isKnownOp(n.op_type ?? ''))) continue;
    selected.push({ name, dir, ops: [...new Set(nodes.map((n) => n.op_type!))] });
  }
  return { selected, total: names.length };
}

interface DataSet {
  name: string;
  inputs: TensorMsg[];
  outputs: TensorMsg[];
}

function readDataSets(dir: string): DataSet[] {
  const numbered = (files: string[], prefix: string) =>
    files.filter((f) => new RegExp(`^${prefix}_\\d+\\.pb$`).test(f)).sort((a, b) => parseInt(a.slice(prefix.length + 1)) - parseInt(b.slice(prefix.length + 1)));
  return readdirSync(dir)
    .filter((d) => d.startsWith('test_data_set_'))
    .sort((a, b) => parseInt(a.slice(14)) - parseInt(b.slice(14)))
    .map((name) => {
      const files = readdirSync(join(dir, name));
      const read = (f: string) => TensorProto.decode(readFileSync(join(dir, name, f))) as unknown as TensorMsg;
      return { name, inputs: numbered(files, 'input').map(read), outputs: numbered(files, 'output').map(read) };
    });
}

/** Pairs tensors with value names: by the tensor's own name when it is one of `names`, else by position. */
function byName(tensors: readonly TensorMsg[], names: readonly string[]): Map<string, TensorMsg> {
  const map = new Map<string, TensorMsg>();
  tensors.forEach((t, i) => {
    const name = t.name && names.includes(t.name) ? t.name : names[i];
    if (name !== undefined) map.set(name, t);
  });
  return map;
}

/** The message of an error as one line, without the "<source>: " prefix the importer adds. */
function reasonOf(e: unknown, source: string): string {
  const internal = !(e instanceof HeatlensError);
  let message = (e instanceof Error ? e.message : String(e)).split('\n')[0].trim();
  if (message.startsWith(`${source}: `)) message = message.slice(source.length + 2);
  if (message.length > 240) message = `${message.slice(0, 237)}…`;
  return internal ? `internal error (${e instanceof Error ? e.name : typeof e}): ${message}` : message;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(6));

/** numpy's assert_allclose(got, want, rtol, atol, equal_nan) for floats; exact for ints and bools. */
export function compareValues(label: string, got: { dtype: string; dims: readonly number[]; data: ArrayLike<number> }, want: Tensor, dtypeOk: boolean): string | undefined {
  if (!dtypeOk) return `${label}: dtype ${got.dtype}, expected ${want.dtype}`;
  if (got.dims.length !== want.dims.length || got.dims.some((d, i) => d !== want.dims[i])) {
    return `${label}: shape ${formatShape(got.dims)}, expected ${formatShape(want.dims)}`;
  }
  const exact = !isFloatType(want.dtype);
  let bad = 0;
  let worst = -1;
  let worstErr = -1;
  for (let i = 0; i < want.data.length; i++) {
    const g = got.data[i];
    const w = want.data[i];
    if (g === w || (Number.isNaN(g) && Number.isNaN(w))) continue;
    const err = Number.isNaN(g) || Number.isNaN(w) ? Infinity : Math.abs(g - w);
    if (!exact && err <= ATOL + RTOL * Math.abs(w)) continue;
    bad++;
    if (err > worstErr) {
      worstErr = err;
      worst = i;
    }
  }
  if (bad === 0) return undefined;
  return `${label}: ${bad} of ${want.data.length} values differ, worst at ${worst}: ${fmt(got.data[worst])} vs ${fmt(want.data[worst])} expected`;
}

function toOrt(t: Tensor): ort.Tensor {
  const dims = [...t.dims];
  switch (t.dtype) {
    case 'float32':
      return new ort.Tensor('float32', Float32Array.from(t.data), dims);
    case 'float64':
      return new ort.Tensor('float64', Float64Array.from(t.data), dims);
    case 'int64':
      return new ort.Tensor('int64', BigInt64Array.from(Array.from(t.data, (v) => BigInt(v))), dims);
    case 'int32':
      return new ort.Tensor('int32', Int32Array.from(t.data), dims);
    case 'int8':
      return new ort.Tensor('int8', Int8Array.from(t.data), dims);
    case 'uint8':
      return new ort.Tensor('uint8', Uint8Array.from(t.data), dims);
    case 'bool':
      return new ort.Tensor('bool', Uint8Array.from(t.data), dims);
  }
}

const ORT_DTYPES: readonly string[] = ['float32', 'float64', 'int64', 'int32', 'int8', 'uint8', 'bool'];

async function runOrt(graph: Graph, feeds: Record<string, Tensor>): Promise<Record<string, { dtype: string; dims: readonly number[]; data: number[] }>> {
  const bytes = encodeModel(graph);
  const rejected = (e: unknown) => new HeatlensError(`onnxruntime: ${(e as Error).message.split('\n')[0]}`, 'E_RUNTIME');
  const session = await ort.InferenceSession.create(bytes, {
    logSeverityLevel: 3, intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'disabled',
  }).catch((e: unknown) => {
    throw rejected(e);
  });
  try {
    const out = await session.run(Object.fromEntries(graph.inputs.map((name) => [name, toOrt(feeds[name])]))).catch((e: unknown) => {
      throw rejected(e);
    });
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, {
      dtype: ORT_DTYPES.includes(v.type) ? v.type : `onnxruntime ${v.type}`,
      dims: [...v.dims],
      data: Array.from(v.data as ArrayLike<number | bigint>, Number),
    }]));
  } finally {
    await session.release();
  }
}

/** Runs one node test through every stage it can reach. */
export async function runNodeTest(test: NodeTest): Promise<NodeTestResult> {
  const result: NodeTestResult = { name: test.name, ops: test.ops, bound: [], stages: {} };
  const source = test.name;
  const fail = (stage: Stage, e: unknown) => {
    result.stages[stage] = typeof e === 'string' ? e : reasonOf(e, source);
    return result;
  };

  // Test data, static inputs bound as initializers, import.
  let graph: Graph;
  let dataSets: { name: string; feeds: Record<string, Tensor>; expected: Map<string, Tensor> }[];
  try {
    const model = decodeModelMsg(join(test.dir, 'model.onnx'));
    if (!model?.graph) return fail('import', 'model.onnx does not decode');
    const graphMsg = model.graph;
    const initializers = graphMsg.initializer ?? [];
    const inputNames = (graphMsg.input ?? []).map((v) => v.name);
    const outputNames = (graphMsg.output ?? []).map((v) => v.name);
    const raw = readDataSets(test.dir);
    if (raw.length === 0) return fail('import', 'no test_data_set_N directories');
    // Inputs fed by position count over the inputs that are not initializers, as runtimes list them.
    const initNames = new Set(initializers.map((t) => t.name));
    const fedNames = inputNames.filter((n) => !initNames.has(n));
    const fed = raw.map((ds) => byName(ds.inputs, ds.inputs.every((t) => t.name && inputNames.includes(t.name)) ? inputNames : fedNames));
    const staticNames = new Set<string>();
    for (const node of graphMsg.node ?? []) {
      for (const i of STATIC_INPUTS[node.op_type ?? ''] ?? []) {
        const name = node.input?.[i];
        if (name && inputNames.includes(name)) staticNames.add(name);
      }
    }
    for (const name of fed[0].keys()) if (initNames.has(name)) staticNames.add(name);
    for (const name of staticNames) {
      const first = fed[0].get(name);
      if (!first) continue;
      const encoded = (t: TensorMsg) => Buffer.from(TensorProto.encode(TensorProto.fromObject({ ...t, name: '' })).finish());
      const ref = encoded(first);
      if (fed.some((m) => m.get(name) && !ref.equals(encoded(m.get(name)!)))) {
        return fail('import', `input '${name}' must be a compile-time constant, but the data sets feed different values`);
      }
      const init = TensorProto.fromObject({ ...first, name }) as unknown as TensorMsg;
      const at = initializers.findIndex((t) => t.name === name);
      if (at >= 0) initializers[at] = init;
      else initializers.push(init);
      result.bound.push(name);
    }
    graphMsg.initializer = initializers;
    const bytes = ModelProto.encode(ModelProto.fromObject(model as unknown as Record<string, unknown>)).finish();
    graph = readModel(bytes, { source });
    dataSets = raw.map((ds, k) => {
      const feeds: Record<string, Tensor> = {};
      for (const [name, t] of fed[k]) if (graph.inputs.includes(name)) feeds[name] = tensorFromProto(t, `${ds.name} input '${name}'`);
      const missing = graph.inputs.filter((n) => !feeds[n]);
      if (missing.length > 0) throw new HeatlensError(`${ds.name} feeds no value for ${missing.join(', ')}`);
      const expected = new Map<string, Tensor>();
      for (const [name, t] of byName(ds.outputs, outputNames)) expected.set(name, tensorFromProto(t, `${ds.name} output '${name}'`));
      const absent = graph.outputs.filter((n) => !expected.has(n));
      if (absent.length > 0) throw new HeatlensError(`${ds.name} has no expected value for ${absent.join(', ')}`);
      return { name: ds.name, feeds, expected };
    });
  } catch (e) {
    return fail('import', e);
  }
  result.stages.import = true;

  // Shape inference against the first data set's outputs.
  const shapeErrors: string[] = [];
  for (const name of graph.outputs) {
    const info = graph.values.get(name)!;
    const want = dataSets[0].expected.get(name)!;
    if (info.dtype !== want.dtype || formatShape(info.shape) !== formatShape(want.dims)) {
      shapeErrors.push(`output '${name}': inferred ${info.dtype} ${formatShape(info.shape)}, expected ${want.dtype} ${formatShape(want.dims)}`);
    }
  }
  result.stages.shape = shapeErrors.length === 0 ? true : shapeErrors.join('; ');

  const check = async (stage: Stage, run: (feeds: Record<string, Tensor>) => Promise<Record<string, { dtype: string; dims: readonly number[]; data: ArrayLike<number> }>>, dtypeOk: (got: string, want: DType) => boolean) => {
    try {
      for (const ds of dataSets) {
        const out = await run(ds.feeds);
        for (const name of graph.outputs) {
          const got = out[name];
          const label = `${dataSets.length > 1 ? `${ds.name} ` : ''}output '${name}'`;
          const want = ds.expected.get(name)!;
          const reason = got ? compareValues(label, got, want, dtypeOk(got.dtype, want.dtype)) : `${label} is missing`;
          if (reason) return fail(stage, reason);
        }
      }
      result.stages[stage] = true;
    } catch (e) {
      fail(stage, e);
    }
    return result;
  };
  await check('ort', (feeds) => runOrt(graph, feeds), (got, want) => got === want);
  await check('interp', async (feeds) => runGraph(graph, feeds), (got, want) => (isFloatType(want) ? isFloatType(got as DType) : got === want));
  return result;
}

/** Runs `tests` one after another (the machines have few cores; onnxruntime runs single-threaded). */
export async function runNodeTests(tests: readonly NodeTest[], onResult?: (r: NodeTestResult) => void): Promise<NodeTestResult[]> {
  const results: NodeTestResult[] = [];
  // Runtime warnings (deprecated attributes the tests exercise) are not failures; errors surface as reasons.
  ort.env.logLevel = 'error';
  for (const t of tests) {
    const r = await runNodeTest(t);
    onResult?.(r);
    results.push(r);
  }
  return results;
}
