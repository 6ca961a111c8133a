/**
 * Rewrites of older-opset node forms into the IR's canonical opset (17). Each entry applies when the
 * model's opset is below `before`: it moves attributes that later opsets take as inputs.
 */
import { type Attr, type Attrs } from '../ir/graph.js';
import { type Tensor, makeTensor } from '../ir/tensor.js';

export interface UpgradeContext {
  /** Adds a constant and returns its value name. */
  constant(t: Tensor, hint: string): string;
}

interface NodeForm {
  inputs: string[];
  attrs: Attrs;
}

type Upgrade = { before: number; apply(form: NodeForm, ctx: UpgradeContext): NodeForm };

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

export const upgrades: Readonly<Record<string, Upgrade[]>> = {
  Squeeze: [{ before: 13, apply: attrToInput('axes', 1) }],
  Unsqueeze: [{ before: 13, apply: attrToInput('axes', 1) }],
  ReduceSum: [{ before: 13, apply: attrToInput('axes', 1) }],
  Split: [{ before: 13, apply: attrToInput('split', 1) }],
  Slice: [{
    before: 10,
    apply(form, ctx) {
      let f = attrToInput('starts', 1)(form, ctx);
      f = attrToInput('ends', 2)(f, ctx);
      return attrToInput('axes', 3)(f, ctx);
    },
  }],
  Pad: [{
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
};

export function upgradeNode(op: string, opset: number, form: NodeForm, ctx: UpgradeContext): NodeForm {
  let f = form;
  for (const u of upgrades[op] ?? []) if (opset < u.before) f = u.apply(f, ctx);
  return f;
}
