/**
 * Checks on convolution weights. A convolution commutes with a turn or flip T of its input when
 * turning or flipping its kernels gives back the same bank of kernels up to a permutation of the
 * output channels: conv_W(T x) = T conv_{T^-1 W}(x), so with the input's channels permuted by
 * sigma (its channel axis' role) the output's are permuted by pi wherever
 *   T^-1 W[o, sigma^-1(j)] = W[pi(o), j]  for every output channel o and input channel j.
 * The identity pi means the output channels are left alone (a kernel symmetric under T); another
 * pi is what a group convolution's orientation channels do (kernels that are turned copies).
 */
import type { ConstantTensor } from "./facts";
import { WEIGHT_TOLERANCE } from "./rules/common";

/** The kernels of a convolution, seen as a dense bank: grouped convolutions read 0 across groups. */
export interface KernelBank {
  outputs: number;
  inputs: number;
  /** The kernel's spatial sizes, in the order of the input's spatial axes. */
  dims: readonly number[];
  /** Output channel o's kernels for every input channel: entry (i * cells + cell), row-major cells. */
  row(o: number): Float64Array;
  /** The largest |weight|: the scale of the tolerance. */
  largest: number;
}

/**
 * The bank of a Conv ([C_out, C_in/groups, k...]) or a ConvTranspose ([C_in, C_out/groups, k...]),
 * or why the weights do not fit the layout.
 */
export function kernelBank(weights: ConstantTensor, groups: number, layout: "conv" | "transposed"): KernelBank | string {
  const [first, second, ...dims] = weights.dims;
  if (second === undefined || dims.length === 0) return `its weights have shape [${weights.dims.join(", ")}], not [channels, channels, kernel...]`;
  if (groups < 1 || first % groups !== 0) return `its ${groups} groups do not divide the ${first} channels of its weights`;
  const cells = cellCount(dims);
  const values = weights.values;
  let largest = 0;
  for (let index = 0; index < values.length; index++) largest = Math.max(largest, Math.abs(values[index]));
  // `first` channels split into `groups` blocks, each connected to `second` channels of the other side.
  const perGroup = first / groups;
  const [outputs, inputs] = layout === "conv" ? [first, second * groups] : [second * groups, first];
  const rows = new Map<number, Float64Array>();
  const row = (o: number): Float64Array => {
    let dense = rows.get(o);
    if (dense) return dense;
    dense = new Float64Array(inputs * cells);
    for (let i = 0; i < inputs; i++) {
      const outer = layout === "conv" ? o : i;
      const local = (layout === "conv" ? i : o) - Math.floor(outer / perGroup) * second;
      if (local < 0 || local >= second) continue;
      const start = (outer * second + local) * cells;
      for (let cell = 0; cell < cells; cell++) dense[i * cells + cell] = values[start + cell];
    }
    rows.set(o, dense);
    return dense;
  };
  return { outputs, inputs, dims, largest, row };
}

/** Where each cell of T^-1 W reads W, for T = identity. */
export function identityCells(dims: readonly number[]): number[] {
  return Array.from({ length: cellCount(dims) }, (_, cell) => cell);
}

/**
 * Where each cell of T^-1 W reads W, for T the quarter turn of the (a, b) plane turning a towards b
 * (numpy.rot90(w, 1, axes=(a, b)): (T w)[a=i, b=j] = w[a=j, b=k-1-i]), so (T^-1 w)[a=i, b=j] = w[a=k-1-j, b=i].
 */
export function inverseTurnCells(dims: readonly number[], a: number, b: number): number[] {
  return mapCells(dims, (index) => {
    const source = [...index];
    source[a] = dims[b] - 1 - index[b];
    source[b] = index[a];
    return source;
  });
}

/** Where each cell of T^-1 W reads W, for T the flip of axis b (its own inverse). */
export function flipCells(dims: readonly number[], b: number): number[] {
  return mapCells(dims, (index) => {
    const source = [...index];
    source[b] = dims[b] - 1 - index[b];
    return source;
  });
}

function cellCount(dims: readonly number[]): number {
  return dims.reduce((product, size) => product * size, 1);
}

function mapCells(dims: readonly number[], sourceOf: (index: number[]) => number[]): number[] {
  return Array.from({ length: cellCount(dims) }, (_, cell) => {
    const index: number[] = [];
    let rest = cell;
    for (let axis = dims.length - 1; axis >= 0; axis--) {
      index[axis] = rest % dims[axis];
      rest = Math.floor(rest / dims[axis]);
    }
    return sourceOf(index).reduce((flat, position, axis) => flat * dims[axis] + position, 0);
  });
}

/**
 * - `matched`: pi, with T^-1 W[o, sigma^-1(j)] = W[pi[o], j] (and equal biases b[o] = b[pi[o]]);
 * - `asymmetric`: no output channel's transformed kernels match some channel's: the largest, over
 *   the output channels, of the difference to the closest channel (absolute and relative to the
 *   largest weight);
 * - `bias`: the kernels match, but the biases of the channels they pair differ;
 * - `not one-to-one`: every channel matches some channel, but no permutation pairs them all.
 */
export type ChannelMatch =
  | { kind: "matched"; perm: number[] }
  | { kind: "asymmetric"; largest: number; relative: number }
  | { kind: "bias" }
  | { kind: "not one-to-one" };

/**
 * Finds pi for one transform T of the kernels (`cells`: where T^-1 W reads W) and the input's
 * channel permutation sigma (undefined: the identity). The identity is preferred when it works.
 */
export function matchChannels(bank: KernelBank, cells: readonly number[], sigma: readonly number[] | undefined, bias: ArrayLike<number> | undefined): ChannelMatch {
  const sigmaInverse = Array.from({ length: bank.inputs }, (_, j) => j);
  sigma?.forEach((target, j) => (sigmaInverse[target] = j));
  const tolerance = WEIGHT_TOLERANCE * bank.largest;
  const biasTolerance = WEIGHT_TOLERANCE * largestAbs(bias);
  const biasMatches = (o: number, p: number) => !bias || Math.abs(bias[o] - bias[p]) <= biasTolerance;
  const size = cells.length;
  // T^-1 W[o, sigma^-1(j)], laid out as W[p, j] is, so that a comparison is one pass over two arrays.
  const transformed = (o: number): Float64Array => {
    const row = bank.row(o);
    const out = new Float64Array(row.length);
    for (let j = 0; j < bank.inputs; j++) for (let cell = 0; cell < size; cell++) out[j * size + cell] = row[sigmaInverse[j] * size + cells[cell]];
    return out;
  };
  const transformedRows = Array.from({ length: bank.outputs }, (_, o) => transformed(o));
  // Differences are cut short past `bound`: most pairs of unrelated channels differ at the first weight.
  const difference = (o: number, p: number, bound: number): number => {
    const left = transformedRows[o];
    const right = bank.row(p);
    let largest = 0;
    for (let index = 0; index < left.length; index++) {
      const gap = Math.abs(left[index] - right[index]);
      if (gap > largest) {
        largest = gap;
        if (largest > bound) return largest;
      }
    }
    return largest;
  };
  const channels = Array.from({ length: bank.outputs }, (_, o) => o);
  if (channels.every((o) => difference(o, o, tolerance) <= tolerance)) return { kind: "matched", perm: channels };
  const candidates = channels.map((o) => [o, ...channels.filter((p) => p !== o)].filter((p) => difference(o, p, tolerance) <= tolerance));
  const perm = perfectMatching(candidates.map((list, o) => list.filter((p) => biasMatches(o, p))));
  if (perm) return { kind: "matched", perm };
  if (perfectMatching(candidates)) return { kind: "bias" };
  if (candidates.every((list) => list.length > 0)) return { kind: "not one-to-one" };
  // Comparing every pair of channels in full is quadratic in the channels: in large banks, each
  // channel is compared with itself only (the asymmetry of its own kernels).
  const affordable = bank.outputs * bank.outputs * bank.inputs * size <= ASYMMETRY_BUDGET;
  const largest = Math.max(...channels.map((o) => (affordable ? closestDifference(o, channels, difference) : difference(o, o, Infinity))));
  return { kind: "asymmetric", largest, relative: bank.largest === 0 ? 0 : largest / bank.largest };
}

/** How many weight comparisons the report of an asymmetry may take (about a tenth of a second). */
const ASYMMETRY_BUDGET = 2e7;

/** The difference between channel o's transformed kernels and the closest channel's kernels. */
function closestDifference(o: number, channels: readonly number[], difference: (o: number, p: number, bound: number) => number): number {
  let closest = Infinity;
  for (const p of channels) closest = Math.min(closest, difference(o, p, closest));
  return closest;
}

function largestAbs(values: ArrayLike<number> | undefined): number {
  let largest = 0;
  for (let index = 0; index < (values?.length ?? 0); index++) largest = Math.max(largest, Math.abs(values![index]));
  return largest;
}

/**
 * A permutation choosing, for each row, one of its candidates (each column once), or undefined
 * when none exists: Kuhn's augmenting paths, trying each row's candidates in order.
 */
function perfectMatching(candidates: readonly (readonly number[])[]): number[] | undefined {
  const rowOfColumn = new Map<number, number>();
  const augment = (row: number, visited: Set<number>): boolean => {
    for (const column of candidates[row]) {
      if (visited.has(column)) continue;
      visited.add(column);
      const holder = rowOfColumn.get(column);
      if (holder === undefined || augment(holder, visited)) {
        rowOfColumn.set(column, row);
        return true;
      }
    }
    return false;
  };
  for (let row = 0; row < candidates.length; row++) if (!augment(row, new Set())) return undefined;
  const perm: number[] = [];
  for (const [column, row] of rowOfColumn) perm[row] = column;
  return perm;
}
