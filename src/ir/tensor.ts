/**
 * Constant tensors held by the IR (initializers, attribute tensors, folded constants).
 *
 * Storage rules:
 * - float32 data is a Float32Array, float64 a Float64Array;
 * - float16 is widened to float32 on import (the IR computes in float32 or float64 only);
 * - int64 and int32 data are held in a Float64Array (integers are exact up to 2^53, far above any
 *   shape or index a CNN needs) so kernels and passes never juggle BigInt;
 * - bool and uint8 in a Uint8Array, int8 in an Int8Array.
 */
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

export type TensorData = Float32Array | Float64Array | Uint8Array | Int8Array;

export interface Tensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

export const isFloatType = (dtype: DType): boolean => dtype === 'float32' || dtype === 'float64';

export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Allocates the storage array the rules above prescribe for `dtype`. */
export function allocate(dtype: DType, length: number): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(length);
    case 'float64':
    case 'int64':
    case 'int32':
      return new Float64Array(length);
    case 'int8':
      return new Int8Array(length);
    case 'uint8':
    case 'bool':
      return new Uint8Array(length);
  }
}

export function makeTensor(dtype: DType, dims: readonly number[], values?: ArrayLike<number>): Tensor {
  const data = allocate(dtype, numel(dims));
  if (values) {
    if (values.length !== data.length) {
      throw new Error(`tensor of shape [${dims.join(',')}] needs ${data.length} values, got ${values.length}`);
    }
    data.set(values as ArrayLike<number>);
  }
  return { dtype, dims: [...dims], data };
}

export const floatTensor = (dims: readonly number[], values?: ArrayLike<number>): Tensor =>
  makeTensor('float32', dims, values);
export const int64Tensor = (values: readonly number[], dims: readonly number[] = [values.length]): Tensor =>
  makeTensor('int64', dims, values);
export const scalarFloat = (value: number): Tensor => makeTensor('float32', [], [value]);

/** Row-major strides of `dims`. */
export function stridesOf(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= dims[i];
  }
  return strides;
}

export const formatShape = (dims: readonly number[]): string => `[${dims.join('×')}]`;
