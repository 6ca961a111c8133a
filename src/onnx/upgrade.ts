/**
 * Rewrites of other opsets' node forms into the IR's canonical opset (17). An entry with `before`
 * applies when the model's opset is below it (older forms: attributes that later opsets take as
 * inputs); an entry with `since` applies from that opset on (newer forms: opset 18 moved Reduce* axes
 * to an input, gave Split `num_outputs` and Pad an `axes` input).
 */
import { HeatlensError } from '../errors.js';
import { type Attr, type Attrs, attr } from '../ir/graph.js';
import { type Tensor, makeTensor } from '../ir/tensor.js';

export interface UpgradeContext {
  /** Adds a constant and returns its value name. */
  constant(t: Tensor, hint: string): string;
  /** The compile-time value of `name` (an initializer or an already folded constant), if it has one. */
  constantValue?(name: string): Tensor | undefined;
  /** The static shape of `name`, if known. */
  shape?(name: string): readonly number[] | undefined;
  /** The node, for error messages ("model.onnx: ReduceMean node 'n'"). */
  where?: string;
}

interface NodeForm {
  inputs: string[];
  attrs: Attrs;
}

type Upgrade = { before?: number; since?: number; apply(form: NodeForm, ctx: UpgradeContext): NodeForm };

const ints = (a: Attr | undefined): number[] | undefined => (a && a.type === 'ints' ? [...a.value] : undefined);
const without = (attrs: Attrs, ...keys: string[]): Attrs =>
  Object.fromEntries(Object.entries(attrs).filter(([k]) => !keys.includes(k)));

/** Moves int-list attribute `key` to input `index` (as int64), padding skipped inputs with ''. */
const attrToInput = (key: string, index: number): Upgrade['apply'] => (form, ctx) => {
  const values = ints(form.attrs[key]);
  if (!values) return form;
  const inputs = [...form.inputs];
  while (inputs.length < index) inputs.push('');
  inputs[index] = ctx.constant(makeTensor('int64', [values.length], values), key);
  return { inputs, attrs: without(form.attrs, key) };
};

/** The constant int values of input `index`, or an error naming the node and the input. */
function constInput(form: NodeForm, ctx: UpgradeContext, index: number, what: string): number[] {
  const t = ctx.constantValue?.(form.inputs[index]);
  if (!t) throw new HeatlensError(`${ctx.where ?? 'node'}: ${what} (input ${index}) must be a compile-time constant: heatlens compiles static shapes`, 'E_SHAPE');
  return Array.from(t.data);
}

/** Moves constant input `index` to int-list attribute `key` (opset ≥ 18 Reduce* axes → opset 17's attribute). */
const inputToAttr = (key: string, index: number): Upgrade['apply'] => (form, ctx) => {
  if (!form.inputs[index]) return { inputs: form.inputs.slice(0, index), attrs: form.attrs };
  const values = constInput(form, ctx, index, key);
  return { inputs: form.inputs.slice(0, index), attrs: { ...form.attrs, [key]: attr.ints(values) } };
};

/** Opset 18 Split(num_outputs = k): parts of ⌈n/k⌉, the last one smaller → explicit split sizes. */
const splitNumOutputs: Upgrade['apply'] = (form, ctx) => {
  const k = form.attrs.num_outputs;
  if (!k || k.type !== 'int' || form.inputs[1]) return { inputs: form.inputs, attrs: without(form.attrs, 'num_outputs') };
  const shape = ctx.shape?.(form.inputs[0]);
  if (!shape) return { inputs: form.inputs, attrs: without(form.attrs, 'num_outputs') };
  const rawAxis = form.attrs.axis?.type === 'int' ? form.attrs.axis.value : 0;
  const n = shape[rawAxis < 0 ? rawAxis + shape.length : rawAxis];
  const chunk = Math.ceil(n / k.value);
  const sizes = Array.from({ length: k.value }, (_, i) => Math.max(0, Math.min(chunk, n - i * chunk)));
  return { inputs: [form.inputs[0], ctx.constant(makeTensor('int64', [sizes.length], sizes), 'split')], attrs: without(form.attrs, 'num_outputs') };
};

/** Opset 18 Pad(x, pads, value, axes): pads for the listed axes only → pads for every axis. */
const padAxes: Upgrade['apply'] = (form, ctx) => {
  if (!form.inputs[3]) return { inputs: form.inputs.slice(0, 3), attrs: form.attrs };
  const rank = ctx.shape?.(form.inputs[0])?.length;
  if (rank === undefined) return form;
  const axes = constInput(form, ctx, 3, 'axes').map((a) => (a < 0 ? a + rank : a));
  const pads = constInput(form, ctx, 1, 'pads');
  const full = new Array<number>(2 * rank).fill(0);
  axes.forEach((a, i) => {
    full[a] = pads[i];
    full[a + rank] = pads[i + axes.length];
  });
  return { inputs: [form.inputs[0], ctx.constant(makeTensor('int64', [full.length], full), 'pads'), form.inputs[2] ?? ''], attrs: form.attrs };
};

/**
 * ConvTranspose `output_shape` → explicit pads and output_padding (what the IR holds). Per spatial axis,
 * with full = s·(in−1) + output_padding + (k−1)·d + 1: total = full − out; total ≥ 0 is padding, split as
 * the ONNX spec and onnxruntime 1.30 do (SAME_UPPER: begin ⌊total/2⌋; otherwise the odd pixel at the
 * beginning, begin = total − ⌊total/2⌋); total < 0 grows output_padding by −total (zeros at the end, as the
 * ONNX reference gives).
 */
function convTransposeOutputShape(form: NodeForm, ctx: UpgradeContext): NodeForm {
  const shapeAttr = ints(form.attrs.output_shape);
  if (!shapeAttr) return form;
  const x = ctx.shape?.(form.inputs[0]);
  const w = ctx.shape?.(form.inputs[1]);
  if (!x || !w) return form;
  const n = x.length - 2;
  const out = shapeAttr.slice(-n);
  const get = (key: string, fallback: number[]) => ints(form.attrs[key]) ?? fallback;
  const kernel = get('kernel_shape', w.slice(2));
  const strides = get('strides', new Array(n).fill(1));
  const dilations = get('dilations', new Array(n).fill(1));
  const outputPadding = get('output_padding', new Array(n).fill(0));
  const upper = form.attrs.auto_pad?.type === 'string' && form.attrs.auto_pad.value === 'SAME_UPPER';
  const pads = new Array<number>(2 * n).fill(0);
  for (let i = 0; i < n; i++) {
    const total = strides[i] * (x[i + 2] - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1 - out[i];
    if (total < 0) {
      outputPadding[i] -= total;
      continue;
    }
    pads[i] = upper ? Math.floor(total / 2) : total - Math.floor(total / 2);
    pads[i + n] = total - pads[i];
  }
  return {
    inputs: form.inputs,
    attrs: { ...without(form.attrs, 'output_shape', 'auto_pad'), pads: attr.ints(pads), output_padding: attr.ints(outputPadding) },
  };
}

export const upgrades: Readonly<Record<string, Upgrade[]>> = {
  ReduceMean: [{ since: 18, apply: inputToAttr('axes', 1) }],
  ReduceMax: [{ since: 18, apply: inputToAttr('axes', 1) }],
  ReduceMin: [{ since: 18, apply: inputToAttr('axes', 1) }],
  ReduceL2: [{ since: 18, apply: inputToAttr('axes', 1) }],
  Squeeze: [{ before: 13, apply: attrToInput('axes', 1) }],
  Unsqueeze: [{ before: 13, apply: attrToInput('axes', 1) }],
  ReduceSum: [{ before: 13, apply: attrToInput('axes', 1) }],
  Split: [{ before: 13, apply: attrToInput('split', 1) }, { since: 18, apply: splitNumOutputs }],
  Slice: [{
    before: 10,
    apply(form, ctx) {
      let f = attrToInput('starts', 1)(form, ctx);
      f = attrToInput('ends', 2)(f, ctx);
      return attrToInput('axes', 3)(f, ctx);
    },
  }],
  Pad: [{ since: 18, apply: padAxes }, {
    before: 11,
    apply(form, ctx) {
      const pads = ints(form.attrs.pads) ?? [];
      const value = form.attrs.value?.type === 'float' ? form.attrs.value.value : 0;
      const inputs = [form.inputs[0], ctx.constant(makeTensor('int64', [pads.length], pads), 'pads'),
        ctx.constant(makeTensor('float32', [], [value]), 'pad_value')];
      return { inputs, attrs: without(form.attrs, 'pads', 'value') };
    },
  }],
  Clip: [{
    before: 11,
    apply(form, ctx) {
      const bound = (key: string, fallback: number) =>
        ctx.constant(makeTensor('float32', [], [form.attrs[key]?.type === 'float' ? (form.attrs[key].value as number) : fallback]), key);
      return { inputs: [form.inputs[0], bound('min', -3.4028234663852886e38), bound('max', 3.4028234663852886e38)], attrs: without(form.attrs, 'min', 'max') };
    },
  }],
  // Opset 10 Resize took (X, scales); 11 added roi between them.
  Resize: [{ before: 11, apply: (form) => ({ inputs: [form.inputs[0], '', form.inputs[1]], attrs: form.attrs }) }],
  // Before 7 BatchNormalization had is_test/spatial/consumed_inputs; the inference maths is the same.
  BatchNormalization: [{ before: 9, apply: (form) => ({ inputs: form.inputs, attrs: without(form.attrs, 'spatial', 'is_test', 'consumed_inputs') }) }],
  Dropout: [{ before: 12, apply: (form) => ({ inputs: form.inputs.slice(0, 1), attrs: without(form.attrs, 'ratio', 'is_test') }) }],
  // The IR holds float16 as float32 (ir/tensor.ts), so a Cast to FLOAT16 (10) is a Cast to FLOAT (1):
  // the exported graph's declared types then agree with its values.
  Cast: [{ since: 1, apply: (form) => (form.attrs.to?.type === 'int' && form.attrs.to.value === 10 ? { inputs: form.inputs, attrs: { ...form.attrs, to: attr.int(1) } } : form) }],
  ConvTranspose: [{ since: 1, apply: convTransposeOutputShape }],
};

export function upgradeNode(op: string, opset: number, form: NodeForm, ctx: UpgradeContext): NodeForm {
  let f = form;
  for (const u of upgrades[op] ?? []) {
    if ((u.before !== undefined && opset < u.before) || (u.since !== undefined && opset >= u.since)) f = u.apply(f, ctx);
  }
  return f;
}
