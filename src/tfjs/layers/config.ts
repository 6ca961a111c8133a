/**
 * Typed reads of one Keras layer's `config`. Every failure is a HeatlensError naming the model.json,
 * the layer and the field, through the `fail` the importer supplies.
 */
export type Fail = (message: string) => never;

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

export class LayerConfig {
  constructor(readonly raw: Readonly<Record<string, unknown>>, readonly fail: Fail) {}

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  number(key: string, fallback?: number): number {
    const v = this.raw[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`config '${key}' should be a number, got ${show(this.raw[key])}`);
    return v;
  }

  /** A number, or undefined when the field is absent or null. */
  optionalNumber(key: string): number | undefined {
    return this.has(key) ? this.number(key) : undefined;
  }

  int(key: string, fallback?: number): number {
    const v = this.number(key, fallback);
    if (!Number.isInteger(v)) this.fail(`config '${key}' should be an integer, got ${show(this.raw[key])}`);
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw[key] ?? fallback;
    if (typeof v !== 'boolean') this.fail(`config '${key}' should be true or false, got ${show(this.raw[key])}`);
    return v;
  }

  string(key: string, fallback?: string): string {
    const v = this.raw[key] ?? fallback;
    if (typeof v !== 'string') this.fail(`config '${key}' should be a string, got ${show(this.raw[key])}`);
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T, why = 'heatlens implements'): T {
    const v = this.string(key, fallback);
    if (!(allowed as readonly string[]).includes(v)) this.fail(`config ${key}='${v}' is not supported (${why} ${allowed.map((a) => `'${a}'`).join(', ')})`);
    return v as T;
  }

  /** An int or a list of `n` ints (Keras accepts both for kernel_size, strides, dilation_rate, …). */
  ints(key: string, n: number, fallback?: readonly number[]): number[] {
    const v = this.raw[key] ?? fallback;
    const list = typeof v === 'number' ? new Array<number>(n).fill(v) : v;
    if (!Array.isArray(list) || list.length !== n || !list.every((d) => Number.isInteger(d))) {
      this.fail(`config '${key}' should be an integer or ${n} integers, got ${show(this.raw[key])}`);
    }
    return [...list];
  }

  /** A shape-like list of integers of any length (null entries become −1). */
  shape(key: string): number[] {
    const v = this.raw[key];
    if (!Array.isArray(v) || !v.every((d) => d === null || Number.isInteger(d))) this.fail(`config '${key}' should be a list of integers, got ${show(v)}`);
    return v.map((d) => (d === null ? -1 : (d as number)));
  }
}
