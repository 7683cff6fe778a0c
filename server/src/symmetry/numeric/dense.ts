/**
 * Dense row-major tensors of float64 values: what the numeric check computes with. Inputs are
 * drawn, transformed and compared in float64, and cast to the model's element types only to run.
 */

export interface Dense {
  shape: readonly number[];
  data: Float64Array;
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
  return shape.map((size, axis) => Int32Array.from({ length: size }, (_, i) => i * strides[axis]));
}

/**
 * x' with x'[p] = x[offsets[0][p0] + offsets[1][p1] + ...]. Every action that moves entries
 * (shifts, flips, quarter turns, permutations, regular representations) is of this form: each
 * axis of the result reads its index from one axis of the source, possibly reversed or permuted,
 * so the source offset is a sum of one term per axis of the result.
 */
export function gather(x: Dense, offsets: readonly Int32Array[]): Dense {
  const rank = x.shape.length;
  const out = new Float64Array(x.data.length);
  if (rank === 0) {
    out.set(x.data);
    return { shape: x.shape, data: out };
  }
  let written = 0;
  const fill = (axis: number, base: number): void => {
    const axisOffsets = offsets[axis];
    if (axis === rank - 1) {
      for (let i = 0; i < axisOffsets.length; i++) out[written++] = x.data[base + axisOffsets[i]];
      return;
    }
    for (let i = 0; i < axisOffsets.length; i++) fill(axis + 1, base + axisOffsets[i]);
  };
  fill(0, 0);
  return { shape: x.shape, data: out };
}

/** The tensors stacked along their first axis (their other axes agree). */
export function concatenate(parts: readonly Dense[]): Dense {
  const data = new Float64Array(parts.reduce((total, part) => total + part.data.length, 0));
  let offset = 0;
  for (const part of parts) {
    data.set(part.data, offset);
    offset += part.data.length;
  }
  const rows = parts.reduce((total, part) => total + part.shape[0], 0);
  return { shape: [rows, ...parts[0].shape.slice(1)], data };
}

/** The tensor cut into `count` equal parts along its first axis. */
export function split(x: Dense, count: number): Dense[] {
  const rows = x.shape[0] / count;
  const length = x.data.length / count;
  return Array.from({ length: count }, (_, i) => ({ shape: [rows, ...x.shape.slice(1)], data: x.data.slice(i * length, (i + 1) * length) }));
}
