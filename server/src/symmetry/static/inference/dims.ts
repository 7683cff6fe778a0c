/**
 * Arithmetic on dimensions that may be symbolic: a symbolic dim (`batch`) stays itself where an
 * op provably keeps its size, and becomes unknown where the result depends on its value.
 */
import type { Dim } from "../../../onnx/model";
import type { Entry } from "./types";

export const UNKNOWN_DIM: Dim = { kind: "unknown" };

/**
 * A static dim. Dims are never modified, so the small sizes that fill a network's shapes are
 * made once and shared, rather than made anew for every value of the graph.
 */
export function staticDim(value: number): Dim {
  const shared = Number.isInteger(value) && value >= 0 && value < SHARED_SIZES && !Object.is(value, -0);
  if (!shared) return { kind: "static", value };
  return (sharedStaticDims[value] ??= { kind: "static", value });
}

const SHARED_SIZES = 4096;
const sharedStaticDims: Dim[] = [];

/** The dims as numbers, when every one is static. */
export function staticDims(shape: readonly Dim[] | undefined): number[] | undefined {
  if (!shape) return undefined;
  const values: number[] = [];
  for (const dim of shape) {
    if (dim.kind !== "static") return undefined;
    values.push(dim.value);
  }
  return values;
}

export function product(values: readonly number[]): number {
  return values.reduce((total, value) => total * value, 1);
}

/** The number of elements of a shape, when it is static (without building its dims: every node's output asks). */
export function elementCount(shape: readonly Dim[] | undefined): number | undefined {
  if (!shape) return undefined;
  let count = 1;
  for (const dim of shape) {
    if (dim.kind !== "static") return undefined;
    count *= dim.value;
  }
  return count;
}

export function isStatic(dim: Dim, value?: number): boolean {
  return dim.kind === "static" && (value === undefined || dim.value === value);
}

/** A dim from a shape tensor's entry: a size, a symbol's name, or anything else (unknown). */
export function dimFromEntry(entry: Entry): Dim {
  if (typeof entry === "string") return { kind: "symbolic", name: entry };
  return typeof entry === "number" && Number.isSafeInteger(entry) && entry >= 0 ? staticDim(entry) : UNKNOWN_DIM;
}

/** The entry of a shape tensor that holds a dim (what `Shape` gives). */
export function entryFromDim(dim: Dim): Entry {
  return dim.kind === "static" ? dim.value : dim.kind === "symbolic" ? dim.name : undefined;
}

/** An axis index in [0, rank), negative ones counting from the end; undefined when out of range. */
export function normalizeAxis(axis: number, rank: number): number | undefined {
  const normalized = axis < 0 ? axis + rank : axis;
  return Number.isInteger(normalized) && normalized >= 0 && normalized < rank ? normalized : undefined;
}

/** Normalized axes, when all are in range and none repeats. */
export function normalizeAxes(axes: readonly number[], rank: number): number[] | undefined {
  const normalized = axes.map((axis) => normalizeAxis(axis, rank));
  if (normalized.some((axis) => axis === undefined)) return undefined;
  return new Set(normalized).size === normalized.length ? (normalized as number[]) : undefined;
}

/**
 * One dim of a multidirectional (numpy) broadcast. A 1 gives way to the other dim; a symbolic or
 * unknown dim against a size n > 1 must be 1 or n, so the result is n; two symbols with
 * different names might be 1, so nothing is known.
 */
export function broadcastDims(a: Dim, b: Dim): Dim {
  if (isStatic(a, 1)) return b;
  if (isStatic(b, 1)) return a;
  if (a.kind === "static" && b.kind === "static") return a.value === b.value ? a : UNKNOWN_DIM;
  if (a.kind === "static") return a;
  if (b.kind === "static") return b;
  return a.kind === "symbolic" && b.kind === "symbolic" && a.name === b.name ? a : UNKNOWN_DIM;
}

const ONE = staticDim(1);

/**
 * The numpy broadcast of several shapes (aligned at their last axes). Often one of the shapes
 * is the broadcast (a bias added to a feature map): that shape is returned then, not a copy.
 */
export function broadcastShapes(shapes: readonly (readonly Dim[])[]): readonly Dim[] {
  let rank = 0;
  for (const shape of shapes) rank = Math.max(rank, shape.length);
  for (const shape of shapes) if (shape.length === rank && isBroadcastOf(shape, shapes)) return shape;
  const result: Dim[] = [];
  for (let axis = 0; axis < rank; axis++) result.push(broadcastAxis(shapes, axis, rank));
  return result;
}

/** One axis of the broadcast of shapes of at most `rank` axes. */
function broadcastAxis(shapes: readonly (readonly Dim[])[], axis: number, rank: number): Dim {
  let dim = ONE;
  for (const shape of shapes) {
    const own = shape[axis - (rank - shape.length)];
    if (own) dim = broadcastDims(dim, own);
  }
  return dim;
}

function isBroadcastOf(candidate: readonly Dim[], shapes: readonly (readonly Dim[])[]): boolean {
  for (let axis = 0; axis < candidate.length; axis++) if (!sameDim(candidate[axis], broadcastAxis(shapes, axis, candidate.length))) return false;
  return true;
}

/** Whether two shapes have the same dims (static sizes and symbols equal, unknown ones unknown in both). */
export function sameDims(a: readonly Dim[], b: readonly Dim[]): boolean {
  if (a.length !== b.length) return false;
  for (let axis = 0; axis < a.length; axis++) if (!sameDim(a[axis], b[axis])) return false;
  return true;
}

function sameDim(a: Dim, b: Dim): boolean {
  if (a.kind === "static") return b.kind === "static" && a.value === b.value;
  if (a.kind === "symbolic") return b.kind === "symbolic" && a.name === b.name;
  return b.kind === "unknown";
}


/**
 * Dims that an op requires to be equal (Concat's other axes, MatMul's inner ones): a static
 * one says the size; otherwise a symbol names it.
 */
export function agreeingDim(a: Dim, b: Dim): Dim {
  if (a.kind === "static") return a;
  if (b.kind === "static") return b;
  return a.kind === "symbolic" ? a : b;
}

/** The product of dims: static, or one symbol times ones, or unknown. */
export function dimProduct(dims: readonly Dim[]): Dim {
  if (dims.some((dim) => isStatic(dim, 0))) return staticDim(0);
  let total = 1;
  let symbol: Dim | undefined;
  for (const dim of dims) {
    if (dim.kind === "unknown" || (dim.kind === "symbolic" && symbol)) return UNKNOWN_DIM;
    if (dim.kind === "symbolic") symbol = dim;
    else total *= dim.value;
  }
  if (!symbol) return staticDim(total);
  return total === 1 ? symbol : UNKNOWN_DIM;
}

/** The sum of dims: static, or one symbol plus zeros, or unknown. */
export function dimSum(dims: readonly Dim[]): Dim {
  const others = dims.filter((dim) => !isStatic(dim, 0));
  if (others.length === 1) return others[0];
  const values = staticDims(others);
  return values ? staticDim(values.reduce((total, value) => total + value, 0)) : UNKNOWN_DIM;
}

/** A dim times a static factor: a symbol survives a factor of 1 only. */
export function scaleDim(dim: Dim, factor: number): Dim {
  if (dim.kind === "static") return Number.isSafeInteger(dim.value * factor) ? staticDim(dim.value * factor) : UNKNOWN_DIM;
  return factor === 1 ? dim : UNKNOWN_DIM;
}

/** A dim divided by a static divisor, when it divides exactly (a symbol survives a divisor of 1 only). */
export function divideDim(dim: Dim, divisor: number): Dim {
  if (dim.kind === "static") return divisor > 0 && dim.value % divisor === 0 ? staticDim(dim.value / divisor) : UNKNOWN_DIM;
  return divisor === 1 ? dim : UNKNOWN_DIM;
}

/** A dim plus a static amount: a symbol survives adding 0 only. */
export function offsetDim(dim: Dim, amount: number): Dim {
  if (dim.kind === "static") return dim.value + amount >= 0 ? staticDim(dim.value + amount) : UNKNOWN_DIM;
  return amount === 0 ? dim : UNKNOWN_DIM;
}

/** Shapes of the same rank with every dim unknown (the rank is all that is known). */
export function unknownDims(rank: number): Dim[] {
  return Array.from({ length: rank }, () => UNKNOWN_DIM);
}
