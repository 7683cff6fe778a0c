/**
 * Dense row-major tensors of numbers: what the numeric check computes with. Inputs are drawn,
 * transformed and compared in float64 arithmetic, and cast to the model's element types only to
 * run; float32 outputs stay in the runtime's array (read as float64 exactly).
 */

export interface Dense {
  shape: readonly number[];
  data: Float64Array | Float32Array;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

export function stridesOf(shape: readonly number[]): number[] {
  const strides = shape.map(() => 1);
  for (let axis = shape.length - 2; axis >= 0; axis--) strides[axis] = strides[axis + 1] * shape[axis + 1];
  return strides;
}

/**
 * The offsets of the entries of each axis, as `gather` takes them when the axis stays where it is:
 * entry i of the axis starts i strides in.
 */
export function identityOffsets(shape: readonly number[]): Int32Array[] {
  const strides = stridesOf(shape);
  return shape.map((size, axis) => offsetTable(size, (i) => i * strides[axis]));
}

/** offsetOf(0), offsetOf(1), ... in an Int32Array, by a plain loop (`Int32Array.from` with a map function is many times slower). */
export function offsetTable(length: number, offsetOf: (index: number) => number): Int32Array {
  const table = new Int32Array(length);
  for (let i = 0; i < length; i++) table[i] = offsetOf(i);
  return table;
}

/**
 * x' with x'[p] = x[offsets[0][p0] + offsets[1][p1] + ...]. Every action that moves entries
 * (shifts, flips, quarter turns, permutations, regular representations) is of this form: each
 * axis of the result reads its index from one axis of the source, possibly reversed or permuted,
 * so the source offset is a sum of one term per axis of the result. `into`, when given, is the
 * array to write x' to (as long as x's, not x's own).
 */
export function gather(x: Dense, offsets: readonly Int32Array[], into?: Dense["data"]): Dense {
  const source = x.data;
  // Moving entries changes no value: the result keeps the source's precision (or takes the array given).
  const out = into ?? (source instanceof Float32Array ? new Float32Array(source.length) : new Float64Array(source.length));
  const { starts, length } = gatherRuns(x.shape, offsets);
  if (length === 1) for (let run = 0; run < starts.length; run++) out[run] = source[starts[run]];
  else for (let run = 0; run < starts.length; run++) out.set(source.subarray(starts[run], starts[run] + length), run * length);
  return { shape: x.shape, data: out };
}

/**
 * How gather reads x, in runs of entries that lie one after the other in x and in x': run k is
 * x'[k * length ... (k + 1) * length) = x[starts[k] ... starts[k] + length). The innermost axes
 * that stay where they are make a run (under a permutation of tokens, a token's features); where
 * the innermost axis moves, each entry is a run of its own.
 */
export interface GatherRuns {
  starts: Int32Array;
  length: number;
}

export function gatherRuns(shape: readonly number[], offsets: readonly Int32Array[]): GatherRuns {
  const rank = shape.length;
  let runStart = rank;
  while (runStart > 0 && isIdentity(offsets[runStart - 1], runLength(shape, runStart))) runStart--;
  const starts = new Int32Array(elementCount(shape.slice(0, runStart)));
  let written = 0;
  const fill = (axis: number, base: number): void => {
    if (axis === runStart) {
      starts[written++] = base;
      return;
    }
    const axisOffsets = offsets[axis];
    if (axis === rank - 1) {
      // The innermost axis moves: entry by entry, without a call each.
      for (let i = 0; i < axisOffsets.length; i++) starts[written++] = base + axisOffsets[i];
      return;
    }
    for (let i = 0; i < axisOffsets.length; i++) fill(axis + 1, base + axisOffsets[i]);
  };
  fill(0, 0);
  return { starts, length: runLength(shape, runStart) };
}

/** Entries of the axes from `axis` on, one after the other in memory (the stride of axis - 1). */
function runLength(shape: readonly number[], axis: number): number {
  let length = 1;
  for (let i = axis; i < shape.length; i++) length *= shape[i];
  return length;
}

/** Whether an axis' offsets are 0, stride, 2 stride...: the axis stays where it is. */
function isIdentity(offsets: Int32Array, stride: number): boolean {
  for (let i = 0; i < offsets.length; i++) if (offsets[i] !== i * stride) return false;
  return true;
}

/** The tensors stacked along their first axis (their other axes agree). */
export function concatenate(parts: readonly Dense[]): Dense & { data: Float64Array } {
  const data = new Float64Array(parts.reduce((total, part) => total + part.data.length, 0));
  let offset = 0;
  for (const part of parts) {
    data.set(part.data, offset);
    offset += part.data.length;
  }
  const rows = parts.reduce((total, part) => total + part.shape[0], 0);
  return { shape: [rows, ...parts[0].shape.slice(1)], data };
}

/** The tensor cut into `count` equal parts along its first axis: views of its data, not copies (nothing writes to a Dense after it is made). */
export function split(x: Dense, count: number): Dense[] {
  const rows = x.shape[0] / count;
  const length = x.data.length / count;
  return Array.from({ length: count }, (_, i) => ({ shape: [rows, ...x.shape.slice(1)], data: x.data.subarray(i * length, (i + 1) * length) }));
}
