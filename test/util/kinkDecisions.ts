/**
 * Kink decisions of a float32 run, for comparisons with a float64 reference.
 *
 * A rectifier or a max-pool makes a discrete decision at each element: which side of a kink the value
 * is on (ReLU's y > 0, ReLU6's 0 < y < 6), which element of a window is the first maximum. A value within
 * float32 rounding of a kink (|y| ≈ 1e-7 at a ReLU) can be decided either way by two correct float32
 * engines, and the backward pass then routes that element's gradient differently: an O(1) change at one
 * element that the layers below spread over the whole attribution (seen on 2026-12-07: resnet18's guided
 * backprop, 5.9e-4 relative, from one ReLU of its last block, 1.3e-6 in float64 and 0 in onnxruntime on
 * an AVX-512 machine; PyTorch's float32 run kept it positive, and the test had passed on the AVX2-only
 * machine before).
 *
 * decisionConsistentCheck separates that from a wrong graph: it runs the explained graph in onnxruntime
 * with its forward values at every decision also returned, and evaluates the same graph in float64 with
 * exactly those values fed in place of the deciding nodes' outputs (so the float64 evaluation takes
 * onnxruntime's decisions and does everything else in float64). It reports how far onnxruntime's forward
 * values are from the float64 forward pass, and how far its attribution is from that decision-consistent
 * float64 one.
 */
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { EXPLAINED_OUTPUTS, TARGET_INPUT } from '../../src/compile/explain.js';
import type { Graph } from '../../src/ir/graph.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { runGraph } from '../../src/interp/run.js';
import { sessionForGraph } from '../../src/runtime/session.js';
import { relativeMaxError } from './ort.js';

/** The value each kinked op decides on (its backward rule reads the same one). */
const DECIDED_ON: Readonly<Record<string, 'input' | 'output'>> = {
  Relu: 'output',
  LeakyRelu: 'output',
  Clip: 'output',
  HardSigmoid: 'output',
  HardSwish: 'input',
  MaxPool: 'input',
};

/** The values of `model` (a forward graph) at which its kinked ops decide, excluding graph inputs. */
export function decidingValues(model: Graph): string[] {
  const values = new Set<string>();
  for (const node of model.nodes) {
    const on = DECIDED_ON[node.op];
    if (!on) continue;
    const value = on === 'input' ? node.inputs[0] : node.outputs[0];
    if (!model.inputs.includes(value) && !model.initializers.has(value)) values.add(value);
  }
  return [...values];
}

export interface DecisionCheck {
  /** max over the deciding values of max |ort − float64| / max |float64|, forward pass only. */
  forwardError: number;
  /** onnxruntime's attribution against the float64 one computed with onnxruntime's decisions. */
  attributionError: number;
  /** onnxruntime's attribution in this run (the deciding values also returned). */
  attribution: Float32Array;
}

export async function decisionConsistentCheck(
  explained: Graph, inputName: string, input: Float32Array, dims: readonly number[], targets: readonly number[], deciding: readonly string[],
): Promise<DecisionCheck> {
  const missing = deciding.filter((v) => !explained.values.has(v));
  if (missing.length > 0) throw new Error(`deciding values absent from the explained graph: ${missing.join(', ')}`);
  const exposed: Graph = { ...explained, outputs: [...explained.outputs, ...deciding.filter((v) => !explained.outputs.includes(v))] };
  const session = await sessionForGraph(exposed, { threads: 2 });
  const out = await session.run({
    [inputName]: new ort.Tensor('float32', input, [...dims]),
    [TARGET_INPUT]: new ort.Tensor('int64', BigInt64Array.from(targets, (t) => BigInt(t)), [targets.length]),
  });
  await session.release();
  const feeds: Record<string, Tensor> = {
    [inputName]: { dtype: 'float64', dims: [...dims], data: Float64Array.from(input) },
    [TARGET_INPUT]: { dtype: 'int64', dims: [targets.length], data: Float64Array.from(targets) },
  };
  // The float64 forward pass alone (only the nodes the deciding values need run).
  const forward = runGraph(explained, feeds, { outputs: [...deciding] });
  let forwardError = 0;
  for (const v of deciding) forwardError = Math.max(forwardError, relativeMaxError(out[v].data as Float32Array, forward[v].data));
  // The same graph with the deciding nodes cut out and their outputs fed from onnxruntime's run.
  const decided = new Set(deciding);
  const cut: Graph = {
    ...explained,
    nodes: explained.nodes.filter((n) => !n.outputs.some((o) => decided.has(o))),
    inputs: [...explained.inputs, ...deciding],
    outputs: [EXPLAINED_OUTPUTS.attribution],
  };
  for (const v of deciding) feeds[v] = { dtype: 'float64', dims: [...out[v].dims], data: Float64Array.from(out[v].data as Float32Array) };
  const consistent = runGraph(cut, feeds)[EXPLAINED_OUTPUTS.attribution];
  const attribution = Float32Array.from(out[EXPLAINED_OUTPUTS.attribution].data as Float32Array);
  return { forwardError, attributionError: relativeMaxError(attribution, consistent.data), attribution };
}

/**
 * Whether a check explains the float32 run that failed its bound (`failedRun`, its attribution):
 * onnxruntime's forward values at the decisions within `tolerance` of float64's, its attribution within
 * `tolerance` of the decision-consistent float64 one, and the check's run (the decisions also returned)
 * within `tolerance` of the failed one. `sameRun` is that last distance.
 */
export function decisionsExplain(check: DecisionCheck, failedRun: ArrayLike<number>, tolerance: number): { explained: boolean; sameRun: number } {
  const sameRun = relativeMaxError(check.attribution, failedRun);
  return { explained: check.forwardError <= tolerance && check.attributionError <= tolerance && sameRun <= tolerance, sameRun };
}

/**
 * The fallback of a float32-vs-float64 comparison that failed its bound (`beyond` says by how much):
 * asserts that onnxruntime's own kink decisions explain it (decisionsExplain). Returns the summary line.
 */
export async function assertDecisionConsistent(
  label: string, beyond: string, tolerance: number, attribution: ArrayLike<number>,
  explained: Graph, inputName: string, input: Float32Array, dims: readonly number[], targets: readonly number[], deciding: readonly string[],
): Promise<string> {
  const check = await decisionConsistentCheck(explained, inputName, input, dims, targets, deciding);
  const verdict = decisionsExplain(check, attribution, tolerance);
  const summary = `${label}: ${beyond}; with onnxruntime's kink decisions: forward ${check.forwardError.toExponential(2)}, `
    + `attribution ${check.attributionError.toExponential(2)}, run with the decisions returned vs without ${verdict.sameRun.toExponential(2)}`;
  assert.ok(verdict.explained, summary);
  return summary;
}
