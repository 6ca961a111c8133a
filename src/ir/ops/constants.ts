/** Ops that make values from shapes or attributes: Shape, Constant, ConstantOfShape, Range, Cast. */
import { getInt, getInts, getFloats, getTensorAttr } from '../graph.js';
import type { DType } from '../tensor.js';
import { type OpSchema, constInts, input, need } from './schema.js';

/** ONNX TensorProto.DataType codes of the dtypes the IR holds. */
export const DTYPE_BY_ONNX_CODE: Readonly<Record<number, DType>> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float32', 11: 'float64',
};
export const ONNX_CODE_BY_DTYPE: Readonly<Record<DType, number>> = {
  float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float64: 11,
};

export function dtypeOfCode(code: number): DType {
  const dtype = DTYPE_BY_ONNX_CODE[code];
  need(dtype !== undefined, `tensor element type ${code} is not supported`);
  return dtype;
}

export const Shape: OpSchema = {
  arity: [1, 1],
  infer(ctx) {
    const rank = input(ctx, 0).shape.length;
    const start = getInt(ctx.node, 'start', 0);
    const end = getInt(ctx.node, 'end', rank);
    const s = Math.max(0, start < 0 ? start + rank : start);
    const e = Math.min(rank, end < 0 ? end + rank : end);
    return [{ dtype: 'int64', shape: [Math.max(0, e - s)] }];
  },
};

export const Constant: OpSchema = {
  arity: [0, 0],
  infer(ctx) {
    const t = getTensorAttr(ctx.node, 'value');
    if (t) return [{ dtype: t.dtype, shape: t.dims }];
    if (ctx.node.attrs.value_float) return [{ dtype: 'float32', shape: [] }];
    if (ctx.node.attrs.value_int) return [{ dtype: 'int64', shape: [] }];
    if (ctx.node.attrs.value_floats) return [{ dtype: 'float32', shape: [getFloats(ctx.node, 'value_floats', []).length] }];
    if (ctx.node.attrs.value_ints) return [{ dtype: 'int64', shape: [getInts(ctx.node, 'value_ints', []).length] }];
    need(false, 'Constant needs value, value_float(s) or value_int(s)');
  },
};

export const ConstantOfShape: OpSchema = {
  arity: [1, 1],
  infer(ctx) {
    const t = getTensorAttr(ctx.node, 'value');
    return [{ dtype: t?.dtype ?? 'float32', shape: constInts(ctx, 0, 'shape') }];
  },
};

/** Range(start, limit, delta): length max(ceil((limit − start) / delta), 0). */
export const Range: OpSchema = {
  arity: [3, 3],
  infer(ctx) {
    const [start] = constInts(ctx, 0, 'start');
    const [limit] = constInts(ctx, 1, 'limit');
    const [delta] = constInts(ctx, 2, 'delta');
    return [{ dtype: input(ctx, 0).dtype, shape: [Math.max(Math.ceil((limit - start) / delta), 0)] }];
  },
};

export const Cast: OpSchema = {
  arity: [1, 1],
  infer(ctx) {
    return [{ dtype: dtypeOfCode(getInt(ctx.node, 'to', 1)), shape: input(ctx, 0).shape }];
  },
};
