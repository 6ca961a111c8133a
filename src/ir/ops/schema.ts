/** The contract every op's shape-inference file fulfils. */
import type { Node, ValueInfo } from '../graph.js';
import type { Tensor } from '../tensor.js';

export interface InferContext {
  readonly node: Node;
  /** One entry per node input; undefined where an optional input is omitted. */
  readonly inputs: readonly (ValueInfo | undefined)[];
  /** The value of input i when it is a compile-time constant (initializer or folded), else undefined. */
  constant(i: number): Tensor | undefined;
}

export interface OpSchema {
  /** Fewest and most inputs the op accepts. */
  readonly arity: readonly [min: number, max: number];
  infer(ctx: InferContext): ValueInfo[];
}

/** A shape error; the builder adds the op, node and input shapes to the message. */
export class ShapeError extends Error {}

export function need(cond: boolean, message: string): asserts cond {
  if (!cond) throw new ShapeError(message);
}

export function input(ctx: InferContext, i: number): ValueInfo {
  const v = ctx.inputs[i];
  need(v !== undefined, `input ${i} is required`);
  return v;
}

/** Normalises a possibly negative axis against `rank`. */
export function axisOf(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  need(a >= 0 && a < rank, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** The constant integer values of input i, which the op needs at compile time (static shapes). */
export function constInts(ctx: InferContext, i: number, what: string): number[] {
  const t = ctx.constant(i);
  need(t !== undefined, `${what} (input ${i}) must be a compile-time constant: heatlens compiles static shapes`);
  return Array.from(t.data);
}

/** Numpy-style multidirectional broadcasting of shapes. */
export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (d === out[o] || d === 1) continue;
      need(out[o] === 1, `shapes [${shapes.map((x) => x.join(',')).join('] and [')}] do not broadcast`);
      out[o] = d;
    }
  }
  return out;
}
