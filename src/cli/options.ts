/** Parsers for CLI flag values: each rejects bad input with one line naming the flag. */
import { InvalidArgumentError } from 'commander';
import type { Preset } from '../image/preset.js';

export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a positive integer, got '${value}'`);
    return n;
  };
}

/** `top` → −1, or a non-negative class index; comma-separated for one class per image. */
export function targetList(value: string): number[] {
  return value.split(',').map((part) => {
    const v = part.trim();
    if (v === 'top') return -1;
    const n = Number(v);
    if (v === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`--target must be 'top' or a class index ≥ 0, got '${v}'`);
    return n;
  });
}

export function numberList(flag: string) {
  return (value: string): number[] => {
    const list = value.split(',').map(Number);
    if (list.some((n) => !Number.isFinite(n))) throw new InvalidArgumentError(`${flag} must be comma-separated numbers, got '${value}'`);
    return list;
  };
}

export function choice<T extends string>(flag: string, allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
    }
    return value as T;
  };
}

/** `WxH` or `S` (square). */
export function size(value: string): { width: number; height: number } {
  const m = /^(\d+)(?:x(\d+))?$/.exec(value);
  if (!m) throw new InvalidArgumentError(`--size must be WxH or S, got '${value}'`);
  return { width: Number(m[1]), height: Number(m[2] ?? m[1]) };
}

export interface PresetFlags {
  size?: { width: number; height: number };
  resize?: Preset['resize'];
  channels?: Preset['channels'];
  layout?: Preset['layout'];
  scale?: number;
  mean?: number[];
  std?: number[];
}

export function presetOverrides(flags: PresetFlags): Partial<Preset> {
  return {
    ...(flags.size ?? {}),
    resize: flags.resize,
    channels: flags.channels,
    layout: flags.layout,
    scale: flags.scale,
    mean: flags.mean,
    std: flags.std,
  };
}

export function nonNegativeNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${flag} must be a number ≥ 0, got '${value}'`);
    return n;
  };
}

export function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a number > 0, got '${value}'`);
    return n;
  };
}

export function nonNegativeInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} must be an integer ≥ 0, got '${value}'`);
    return n;
  };
}
