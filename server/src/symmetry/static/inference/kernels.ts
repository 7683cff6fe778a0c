/**
 * Data movement on row-major tensors of known shape, generic over the entry type so that the
 * same code folds short shape vectors (with symbolic entries) and rearranges weights when a
 * rule asks for a constant (Transpose of a Linear layer's weight, Gather of an embedding...).
 * Most ops are a strided view of their input, walked once without per-element allocation.
 */
import { product } from "./dims";

/** Row-major strides of a shape: how far one step along each axis moves in the flat array. */
export function rowMajorStrides(dims: readonly number[]): number[] {
  const strides = dims.map(() => 1);
  for (let axis = dims.length - 2; axis >= 0; axis--) strides[axis] = strides[axis + 1] * dims[axis + 1];
  return strides;
}

/**
 * Visits every index of `dims` in row-major order, with its position in that order and its
 * offset `start + sum(index[k] * strides[k])`: an odometer, so each step costs O(1) on average.
 */
export function forEachOffset(dims: readonly number[], strides: readonly number[], start: number, visit: (offset: number, position: number) => void): void {
  const count = product(dims);
  const index = dims.map(() => 0);
  let offset = start;
  for (let position = 0; position < count; position++) {
    visit(offset, position);
    for (let axis = dims.length - 1; axis >= 0; axis--) {
      index[axis]++;
      offset += strides[axis];
      if (index[axis] < dims[axis]) break;
      offset -= strides[axis] * index[axis];
      index[axis] = 0;
    }
  }
}

/** The entries of a strided view: out[i] = values[start + sum(index_i[k] * strides[k])]. */
export function stridedView<T>(values: ArrayLike<T>, dims: readonly number[], strides: readonly number[], start = 0): T[] {
  const out = new Array<T>(product(dims));
  forEachOffset(dims, strides, start, (offset, position) => (out[position] = values[offset]));
  return out;
}

export function transposeEntries<T>(values: ArrayLike<T>, dims: readonly number[], perm: readonly number[]): T[] {
  const strides = rowMajorStrides(dims);
  return stridedView(values, perm.map((axis) => dims[axis]), perm.map((axis) => strides[axis]));
}

/** Numpy broadcasting of `values` (shape `dims`) to `target`: size-1 and missing leading axes repeat. */
export function broadcastEntries<T>(values: ArrayLike<T>, dims: readonly number[], target: readonly number[]): T[] {
  const strides = rowMajorStrides(dims);
  const lead = target.length - dims.length;
  const targetStrides = target.map((_, axis) => (axis < lead || dims[axis - lead] === 1 ? 0 : strides[axis - lead]));
  return stridedView(values, target, targetStrides);
}

/**
 * Tile: output axis k of size repeats[k] * dims[k] is, in row-major order, the pair
 * (repeat, index) with the repeat moving nothing, so it is a strided view of twice the rank.
 */
export function tileEntries<T>(values: ArrayLike<T>, dims: readonly number[], repeats: readonly number[]): T[] {
  const strides = rowMajorStrides(dims);
  return stridedView(
    values,
    dims.flatMap((size, axis) => [repeats[axis], size]),
    strides.flatMap((stride) => [0, stride]),
  );
}

/** One axis of a slice: the first index, the step (may be negative) and how many indices. */
export interface AxisRange {
  start: number;
  step: number;
  count: number;
}

export function sliceEntries<T>(values: ArrayLike<T>, dims: readonly number[], ranges: readonly AxisRange[]): T[] {
  const strides = rowMajorStrides(dims);
  const start = ranges.reduce((offset, range, axis) => offset + range.start * strides[axis], 0);
  return stridedView(
    values,
    ranges.map((range) => range.count),
    ranges.map((range, axis) => range.step * strides[axis]),
    start,
  );
}

/** Gather along `axis` with indices already made non-negative and in range (the output is data[:axis] + indices + data[axis+1:]). */
export function gatherEntries<T>(values: ArrayLike<T>, dims: readonly number[], axis: number, indices: readonly number[]): T[] {
  const outer = product(dims.slice(0, axis));
  const inner = product(dims.slice(axis + 1));
  const out: T[] = [];
  for (let o = 0; o < outer; o++) {
    for (const index of indices) {
      const base = (o * dims[axis] + index) * inner;
      for (let i = 0; i < inner; i++) out.push(values[base + i]);
    }
  }
  return out;
}

/** Concatenation along `axis` of parts whose other dims agree. */
export function concatEntries<T>(parts: readonly { values: ArrayLike<T>; dims: readonly number[] }[], axis: number): T[] {
  const outer = product(parts[0].dims.slice(0, axis));
  const out: T[] = [];
  for (let o = 0; o < outer; o++) {
    for (const { values, dims } of parts) {
      const block = product(dims.slice(axis));
      for (let i = 0; i < block; i++) out.push(values[o * block + i]);
    }
  }
  return out;
}

/**
 * Folds the entries over the `reduced` axes with `combine` (the result laid out as with
 * keepdims; without it only the dims differ). Undefined when a reduced axis is empty (the
 * result would be the identity element, which `combine` does not know).
 */
export function reduceEntries<T>(values: ArrayLike<T>, dims: readonly number[], reduced: ReadonlySet<number>, combine: (a: T, b: T) => T): T[] | undefined {
  if (dims.some((size, axis) => reduced.has(axis) && size === 0)) return undefined;
  const kept = dims.map((size, axis) => (reduced.has(axis) ? 1 : size));
  const keptStrides = rowMajorStrides(kept).map((stride, axis) => (reduced.has(axis) ? 0 : stride));
  const out = new Array<T>(product(kept));
  const seen = new Uint8Array(out.length);
  forEachOffset(dims, keptStrides, 0, (offset, position) => {
    out[offset] = seen[offset] ? combine(out[offset], values[position]) : values[position];
    seen[offset] = 1;
  });
  return out;
}
