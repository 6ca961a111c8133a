/**
 * CAM methods: static Grad-CAM (gradient folded from the FC weights at compile time) equals the dynamic
 * backward pass within 1e-5 relative, for every CAM method and head shape; the compiler says which it
 * used; layer selection errors list the candidates.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { compileExplained } from '../src/compile/explain.js';
import { HeatlensError } from '../src/errors.js';
import type { GraphBuilder } from '../src/ir/builder.js';
import { attr, type Graph } from '../src/ir/graph.js';
import { graphMethodByName } from '../src/methods/index.js';
import { loadModel } from '../src/model/load.js';
import { runExplained, sessionForGraph } from '../src/runtime/session.js';
import { graphOf, randomConstant } from './util/graphs.js';
import { relativeMaxError } from './util/ort.js';
import { Random } from './util/random.js';

const CAM_METHODS = ['gradcam', 'gradcam++', 'hirescam', 'guided-gradcam'];

async function explainBoth(model: Graph, method: string, layer?: string, targets = [-1, 2]) {
  const results = [];
  for (const staticGradients of [true, false]) {
    const ex = compileExplained(model, { method: graphMethodByName(method), methodOptions: { layer }, staticGradients });
    const shape = model.values.get(model.inputs[0])!.shape;
    const rnd = new Random(5);
    const x = Float32Array.from(rnd.normals(shape.reduce((a, b) => a * b, 1)));
    const session = await sessionForGraph(ex.graph);
    const out = await runExplained(session, ex.input, x, shape, targets.slice(0, shape[0]));
    await session.release();
    results.push({ ex, out });
  }
  return { static: results[0], dynamic: results[1] };
}

/** x [B,3,8,8] → Conv → Relu → (head) → logits [B,5] (B = 2 unless given). */
function tinyCnn(head: (b: GraphBuilder, features: string, rnd: Random) => string, batch = 2): Graph {
  const rnd = new Random(11);
  return graphOf([batch, 3, 8, 8], (b, x) => {
    const conv = b.op('Conv', [x, randomConstant(b, rnd, [4, 3, 3, 3]), randomConstant(b, rnd, [4], 0.1)], { pads: attr.ints([1, 1, 1, 1]) }, 'features');
    return head(b, conv, rnd);
  });
}

const HEADS: Record<string, (b: GraphBuilder, f: string, rnd: Random) => string> = {
  'Relu → GAP → Flatten → Gemm(transB=1)': (b, f, rnd) =>
    b.op('Gemm', [b.op('Flatten', [b.op('GlobalAveragePool', [b.op('Relu', [f])])]), randomConstant(b, rnd, [5, 4]), randomConstant(b, rnd, [5])], { transB: attr.int(1), alpha: attr.float(0.5) }),
  'GAP → Reshape → Gemm(transB=0), no Relu': (b, f, rnd) =>
    b.op('Gemm', [b.op('Reshape', [b.op('GlobalAveragePool', [f]), b.int64([2, 4])]), randomConstant(b, rnd, [4, 5])], {}),
  'Relu → ReduceMean → Flatten → MatMul + Add': (b, f, rnd) =>
    b.op('Add', [b.op('MatMul', [b.op('Flatten', [b.op('ReduceMean', [b.op('Relu', [f])], { axes: attr.ints([2, 3]), keepdims: attr.int(1) })]), randomConstant(b, rnd, [4, 5])]), randomConstant(b, rnd, [5])]),
  '1×1 classifier Conv → Relu → GAP → Flatten (the pooled map is the logits)': (b, f, rnd) =>
    b.op('Flatten', [b.op('GlobalAveragePool', [b.op('Relu', [b.op('Conv', [b.op('Relu', [f]), randomConstant(b, rnd, [5, 4, 1, 1])], {}, 'features5')])])]),
  '1×1 classifier Conv → GAP → Flatten (the pooled map is the logits, no Relu)': (b, f, rnd) =>
    b.op('Flatten', [b.op('GlobalAveragePool', [b.op('Conv', [b.op('Relu', [f]), randomConstant(b, rnd, [5, 4, 1, 1])], {}, 'features5')])]),
  'Relu → GAP → 1×1 Conv → Flatten': (b, f, rnd) =>
    b.op('Flatten', [b.op('Conv', [b.op('GlobalAveragePool', [b.op('Relu', [f])]), randomConstant(b, rnd, [5, 4, 1, 1]), randomConstant(b, rnd, [5])])]),
};

describe('static Grad-CAM equals the dynamic backward pass (≤ 1e-5 relative)', () => {
  for (const [headName, head] of Object.entries(HEADS)) {
    for (const method of CAM_METHODS) {
      test(`${headName}: ${method}`, async () => {
        const model = tinyCnn(head);
        const layer = headName.startsWith('1×1 classifier') ? 'features5' : 'features';
        const { static: s, dynamic: d } = await explainBoth(model, method, layer);
        assert.equal(s.ex.static, method !== 'guided-gradcam', 'static unless a guided pass to the input is needed');
        assert.equal(s.ex.backwardPasses, method === 'guided-gradcam' ? 1 : 0);
        assert.equal(d.ex.static, false);
        assert.ok(d.ex.backwardPasses >= 1);
        assert.deepEqual(s.out.target, d.out.target);
        assert.ok(Math.max(...s.out.layerMap!.data) > 0, 'the map is not all zero');
        const err = relativeMaxError(s.out.attribution, d.out.attribution);
        assert.ok(err <= 1e-5, `attribution: static vs dynamic relative error ${err}`);
        const mapErr = relativeMaxError(s.out.layerMap!.data, d.out.layerMap!.data);
        assert.ok(mapErr <= 1e-5, `layer map: static vs dynamic relative error ${mapErr}`);
        assert.deepEqual(s.out.layerMap!.dims, [2, 1, 8, 8]);
        assert.deepEqual(s.out.attributionDims, method === 'guided-gradcam' ? [2, 3, 8, 8] : [2, 1, 8, 8]);
      });
    }
  }

  const resnet20 = '../shared/models/resnet20-cifar10/model.onnx';
  test('resnet20: default layer is static and equals the dynamic pass', async (t) => {
    if (!existsSync(resnet20)) return t.skip('../shared absent');
    const { graph } = loadModel(resnet20, 2);
    for (const method of CAM_METHODS) {
      const { static: s, dynamic: d } = await explainBoth(graph, method);
      assert.equal(s.ex.static, method !== 'guided-gradcam');
      const err = relativeMaxError(s.out.attribution, d.out.attribution);
      assert.ok(err <= 1e-5, `${method}: static vs dynamic ${err}`);
    }
  });
});

test('a pooled-logits head without a Relu gathers the class channel instead of a channel sum', async () => {
  const head = HEADS['1×1 classifier Conv → GAP → Flatten (the pooled map is the logits, no Relu)'];
  for (const batch of [1, 2]) {
    const model = tinyCnn(head, batch);
    for (const method of ['gradcam', 'hirescam']) {
      const ex = compileExplained(model, { method: graphMethodByName(method), methodOptions: { layer: 'features5' } });
      const camNodes = ex.graph.nodes.filter((n) => n.name.includes('cam_'));
      assert.ok(camNodes.some((n) => n.op === 'Gather'), `${method}, batch ${batch}: a Gather of the class channel`);
      assert.ok(!camNodes.some((n) => n.op === 'Conv' || n.op === 'ReduceSum'), `${method}, batch ${batch}: no channel sum`);
      const { static: s, dynamic: d } = await explainBoth(model, method, 'features5', [1, -1]);
      assert.deepEqual(s.out.target, d.out.target);
      assert.ok(Math.max(...s.out.layerMap!.data) > 0, 'the map is not all zero');
      const mapErr = relativeMaxError(s.out.layerMap!.data, d.out.layerMap!.data);
      assert.ok(mapErr <= 1e-5, `${method}, batch ${batch}: layer map static vs dynamic ${mapErr}`);
    }
  }
});

describe('when the gradient cannot be static', () => {
  test('a layer before a further conv needs a backward pass', async () => {
    const model = tinyCnn((b, f, rnd) => {
      const deeper = b.op('Relu', [b.op('Conv', [b.op('Relu', [f]), randomConstant(b, rnd, [4, 4, 3, 3])], { pads: attr.ints([1, 1, 1, 1]) })]);
      return b.op('Gemm', [b.op('Flatten', [b.op('GlobalAveragePool', [deeper])]), randomConstant(b, rnd, [5, 4])], { transB: attr.int(1) });
    });
    const ex = compileExplained(model, { method: graphMethodByName('gradcam'), methodOptions: { layer: 'features' } });
    assert.equal(ex.static, false);
    assert.equal(ex.backwardPasses, 1);
  });

  test('the probability target is input-dependent, so dynamic', () => {
    const ex = compileExplained(tinyCnn(HEADS['Relu → GAP → Flatten → Gemm(transB=1)']), { method: graphMethodByName('gradcam'), target: 'probability', methodOptions: { layer: 'features' } });
    assert.equal(ex.static, false);
  });

  test('a layer read by a second consumer is not static', () => {
    const model = tinyCnn((b, f, rnd) => {
      const pooled = b.op('Flatten', [b.op('GlobalAveragePool', [b.op('Relu', [f])])]);
      const logits = b.op('Gemm', [pooled, randomConstant(b, rnd, [5, 4])], { transB: attr.int(1) });
      return b.op('Add', [logits, b.op('ReduceSum', [b.op('Flatten', [f]), b.int64([1])], { keepdims: attr.int(1) })]);
    });
    const ex = compileExplained(model, { method: graphMethodByName('gradcam'), methodOptions: { layer: 'features' } });
    assert.equal(ex.static, false);
  });
});

describe('layer selection', () => {
  const model = () => tinyCnn(HEADS['Relu → GAP → Flatten → Gemm(transB=1)']);
  test('default: the last layer with spatial size > 1', () => {
    const ex = compileExplained(model(), { method: graphMethodByName('gradcam') });
    assert.equal(ex.static, true);
  });
  test('an unknown layer lists the candidates', () => {
    assert.throws(() => compileExplained(model(), { method: graphMethodByName('gradcam'), methodOptions: { layer: 'nope' } }),
      (e: unknown) => e instanceof HeatlensError && /no layer named 'nope'; candidates: .*features/.test(e.message));
  });
  test('a layer without spatial size is refused with the candidates', () => {
    const g = model();
    const pooled = g.nodes.find((n) => n.op === 'GlobalAveragePool')!.outputs[0];
    assert.throws(() => compileExplained(g, { method: graphMethodByName('gradcam'), methodOptions: { layer: pooled } }),
      (e: unknown) => e instanceof HeatlensError && /not a 4-D map with spatial size > 1.*candidates: /.test(e.message));
  });
});

test('bilinear upsampling by interpolation matrices equals Resize linear/half_pixel (interpreter and onnxruntime)', async () => {
  const { linearInterpolationMatrix } = await import('../src/methods/cam.js');
  const { oneNodeGraph } = await import('./util/graphs.js');
  const { runGraph } = await import('../src/interp/run.js');
  const { runOnOrt } = await import('./util/ort.js');
  const { floatTensor, makeTensor } = await import('../src/ir/tensor.js');
  const rnd = new Random(3);
  for (const [h, w, H, W] of [[7, 7, 224, 224], [8, 8, 32, 32], [3, 5, 10, 7], [5, 4, 5, 4], [6, 6, 4, 9]]) {
    const map = floatTensor([1, 1, h, w], Float32Array.from(rnd.normals(h * w)));
    const { graph, feeds } = oneNodeGraph('Resize', [{ feed: map }, undefined, undefined, makeTensor('int64', [4], [1, 1, H, W])], {
      mode: attr.string('linear'), coordinate_transformation_mode: attr.string('half_pixel'),
    });
    const resized = runGraph(graph, feeds)[graph.outputs[0]].data;
    const ort = (await runOnOrt(graph, feeds))[graph.outputs[0]];
    // U_h · map · U_wᵀ in float64.
    const rows = linearInterpolationMatrix(h, H);
    const cols = linearInterpolationMatrix(w, W);
    const product = new Float64Array(H * W);
    for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
      let s = 0;
      for (let a = 0; a < h; a++) for (let c = 0; c < w; c++) s += rows[i * h + a] * map.data[a * w + c] * cols[j * w + c];
      product[i * W + j] = s;
    }
    assert.ok(relativeMaxError(product, resized) < 1e-6, `${h}×${w} → ${H}×${W}: interpreter Resize differs by ${relativeMaxError(product, resized)}`);
    assert.ok(relativeMaxError(ort, product) < 1e-6, `${h}×${w} → ${H}×${W}: onnxruntime Resize differs by ${relativeMaxError(ort, product)}`);
  }
});

describe('gradient methods start the backward pass at a pooled head (the gathered class row)', () => {
  const GRADIENT_METHODS = ['gradient', 'saliency', 'grad-x-input', 'guided-backprop', 'deconvnet'];
  const withClassifier = Object.entries(HEADS).filter(([name]) => !name.startsWith('1×1 classifier'));
  for (const [headName, head] of withClassifier) {
    test(`${headName}: same attribution as from the logits' one-hot, without the classifier's adjoint`, async () => {
      const model = tinyCnn(head);
      const forwardNodes = model.nodes.length;
      for (const method of GRADIENT_METHODS) {
        const { static: s, dynamic: d } = await explainBoth(model, method);
        const added = (g: Graph) => g.nodes.slice(forwardNodes).map((n) => n.op);
        assert.ok(added(s.ex.graph).includes('Gather'), `${method}: the class row is gathered`);
        for (const op of ['Gemm', 'MatMul', 'Equal']) assert.ok(!added(s.ex.graph).includes(op), `${method}: no ${op} after the forward pass`);
        assert.ok(added(d.ex.graph).includes('Equal'), `${method}: the reference graph seeds the logits with a one-hot`);
        assert.deepEqual(s.out.target, d.out.target);
        assert.ok(Math.max(...s.out.attribution.map(Math.abs)) > 0, `${method}: the attribution is not all zero`);
        const err = relativeMaxError(s.out.attribution, d.out.attribution);
        assert.ok(err <= 1e-6, `${method}: head-seeded vs logit-seeded relative error ${err}`);
      }
    });
  }

  test('the probability target and a model whose pooled map is the logits keep the one-hot seed', () => {
    const fc = tinyCnn(HEADS['Relu → GAP → Flatten → Gemm(transB=1)']);
    const probability = compileExplained(fc, { method: graphMethodByName('saliency'), target: 'probability' });
    assert.ok(!probability.graph.nodes.some((n) => n.op === 'Gather'));
    const pooledLogits = tinyCnn(HEADS['1×1 classifier Conv → Relu → GAP → Flatten (the pooled map is the logits)']);
    const ex = compileExplained(pooledLogits, { method: graphMethodByName('saliency') });
    assert.ok(!ex.graph.nodes.some((n) => n.op === 'Gather'));
    assert.ok(ex.graph.nodes.some((n) => n.op === 'Equal'), 'one-hot seed at the logits');
  });
});
