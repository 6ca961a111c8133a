/**
 * The browser path: every graph heatlens emits runs in onnxruntime-web (its WebAssembly CPU backend, the
 * one every browser has, run here in Node) and gives onnxruntime-node's numbers.
 *
 * - Each backward-rule case of grad.test.ts (every Conv adjoint form, every MaxPool routing form, …):
 *   its VJP graph, random inputs. The two runtimes are different float32 implementations (MLAS against
 *   the WebAssembly SIMD kernels: other summation orders and fusions), so they agree to rounding:
 *   max |web − node| ≤ 1e-6 · max |node| (at most 2.4e-7 seen over the cases).
 * - Whole explained graphs as `heatlens compile` writes them: every method on the built-in model, and
 *   pretrained models of ../shared (skipped when absent), on seeded noise (see explainedFeeds): logits,
 *   attribution and the CAM methods' layer-resolution map within 1e-4 relative (deep graphs add rounding
 *   differences layer by layer: at most 9.3e-6 seen, MobileNet's DeconvNet map, whose rectifiers act on
 *   the signs of gradients), and the same target class.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { TARGET_INPUT } from '../src/compile/explain.js';
import { standaloneGraph } from '../src/compile/standalone.js';
import { DEFAULT_MODEL } from '../src/cli/defaults.js';
import type { Graph } from '../src/ir/graph.js';
import { numel } from '../src/ir/tensor.js';
import { encodeModel } from '../src/onnx/write.js';
import { relativeMaxError } from './util/ort.js';
import { Random } from './util/random.js';
import { backwardRuleCases, vjpGraphs } from './util/ruleCases.js';

const RULE_TOLERANCE = 1e-6;
const GRAPH_TOLERANCE = 1e-4;

// One thread: WebAssembly threads need cross-origin isolation in a browser, so one thread is the
// configuration every page gets.
ortWeb.env.wasm.numThreads = 1;

type Feed = { dtype: 'float32'; dims: readonly number[]; data: Float32Array } | { dtype: 'int64'; dims: readonly number[]; data: BigInt64Array };
type Outputs = Record<string, { dims: readonly number[]; data: Float32Array | BigInt64Array }>;

/** Runs `bytes` with `feeds` in onnxruntime-node and in onnxruntime-web (wasm). */
async function runBoth(bytes: Uint8Array, feeds: Record<string, Feed>): Promise<{ node: Outputs; web: Outputs }> {
  const run = async (runtime: typeof ortNode | typeof ortWeb, options: object): Promise<Outputs> => {
    const session = await runtime.InferenceSession.create(bytes, { logSeverityLevel: 3, ...options });
    const tensors = Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, new runtime.Tensor(f.dtype, f.data, [...f.dims])]));
    const out = await session.run(tensors as never);
    await session.release();
    return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, { dims: [...t.dims], data: t.data as Float32Array | BigInt64Array }]));
  };
  return { node: await run(ortNode, { intraOpNumThreads: 1 }), web: await run(ortWeb, { executionProviders: ['wasm'] }) };
}

function assertSame(label: string, node: Outputs, web: Outputs, tolerance: number): void {
  assert.deepEqual(Object.keys(web).sort(), Object.keys(node).sort(), `${label}: output names`);
  for (const [name, expected] of Object.entries(node)) {
    const got = web[name];
    assert.deepEqual(got.dims, expected.dims, `${label}: ${name} shape`);
    if (expected.data instanceof BigInt64Array) {
      assert.deepEqual(Array.from(got.data as BigInt64Array), Array.from(expected.data), `${label}: ${name}`);
    } else {
      const err = relativeMaxError(got.data as Float32Array, expected.data);
      assert.ok(err <= tolerance, `${label}: ${name} differs by ${err.toExponential(2)} relative (tolerance ${tolerance})`);
    }
  }
}

describe('browser path: backward-rule graphs in onnxruntime-web agree with onnxruntime-node', () => {
  for (const c of backwardRuleCases) {
    test(c.name, async () => {
      const rnd = new Random(1);
      const { vjp, yShape } = vjpGraphs(c, rnd);
      const x = Float32Array.from(rnd.normals(numel(c.x), c.scale ?? 1));
      const v = Float32Array.from(rnd.normals(numel(yShape)));
      const { node, web } = await runBoth(encodeModel(vjp), { x: { dtype: 'float32', dims: c.x, data: x }, v: { dtype: 'float32', dims: yShape, data: v } });
      assertSame(c.name, node, web, RULE_TOLERANCE);
    });
  }
});

/**
 * The feeds of an explained graph: seeded normal noise for its float inputs (the image, SmoothGrad's
 * noise), −1 (top-1) for the target. Not a photo: photos hold runs of equal pixels, so equal
 * activations tie exactly in max-pool windows, and each runtime's rounding (which differs between
 * positions of its blocked kernels) decides where the gradient goes; darknet-tiny's saliency on
 * coffee.png moves 1316 of 150528 values that way, on either runtime against the float64 interpreter.
 * Both routings are valid subgradients; noise has no such ties.
 */
function explainedFeeds(graph: Graph): Record<string, Feed> {
  const rnd = new Random(7);
  const feeds: Record<string, Feed> = {};
  for (const name of graph.inputs) {
    const { dtype, shape } = graph.values.get(name)!;
    feeds[name] = name === TARGET_INPUT || dtype === 'int64'
      ? { dtype: 'int64', dims: shape, data: new BigInt64Array(numel(shape)).fill(-1n) }
      : { dtype: 'float32', dims: shape, data: Float32Array.from(rnd.normals(numel(shape))) };
  }
  return feeds;
}

interface GraphCase {
  model: string;
  method: string;
  smooth?: 'smoothgrad';
}

const ALL_METHODS = ['gradient', 'saliency', 'grad-x-input', 'guided-backprop', 'deconvnet', 'gradcam', 'gradcam++', 'hirescam', 'guided-gradcam', 'integrated-gradients'];
const SHARED = '../shared/models';
const graphCases: GraphCase[] = [
  ...ALL_METHODS.map((method) => ({ model: DEFAULT_MODEL, method })),
  { model: DEFAULT_MODEL, method: 'saliency', smooth: 'smoothgrad' },
  // Residual adds and stride-2 ConvTranspose adjoints; depthwise zero insertion and ReLU6 masks;
  // LeakyReLU and the MaxPool phase form at 224×224.
  ...['saliency', 'guided-backprop', 'gradcam'].map((method) => ({ model: `${SHARED}/resnet20-cifar10/model.onnx`, method })),
  ...['saliency', 'deconvnet', 'gradcam'].map((method) => ({ model: `${SHARED}/mobilenet-v1-025-imagenet/model.onnx`, method })),
  // darknet-tiny: Grad-CAM only (static: no rectifier masks). Its gradient methods are not compared
  // here: for about half of all noise inputs some LeakyReLU pre-activation lies within float32
  // accumulation error of 0 (e.g. −3.0e-7 in onnxruntime-node's blocked 3×3 Conv, +1.1e-6 accumulated in
  // float64), so the two runtimes take different sides of the kink and the saliency of that pixel's
  // receptive field moves (2e-3 to 8e-2 relative seen); both are valid float32 results. Its LeakyReLU
  // masks and MaxPool phase form are in the rule cases above.
  { model: `${SHARED}/darknet-tiny-imagenet/model.onnx`, method: 'gradcam' },
];

describe('browser path: explained graphs in onnxruntime-web agree with onnxruntime-node', () => {
  for (const c of graphCases) {
    const label = `${c.model.replace(/^.*\/models\//, '')} ${c.method}${c.smooth ? `+${c.smooth}` : ''}`;
    test(label, async (t) => {
      if (!existsSync(c.model)) return t.skip(`${c.model} absent`);
      const { graph } = standaloneGraph({
        modelPath: c.model, method: c.method, batch: 1,
        driven: { steps: 8, scheme: 'gausslegendre' },
        smooth: c.smooth ? { kind: c.smooth, samples: 4 } : undefined,
      });
      const { node, web } = await runBoth(encodeModel(graph), explainedFeeds(graph));
      assertSame(label, node, web, GRAPH_TOLERANCE);
    });
  }
});
