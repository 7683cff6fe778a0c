/**
 * The comparison of f(g.x) with what a claim expects (f(x) or g.f(x)), as the spec defines it:
 * relative error max |actual - expected| / max(max |expected|, 1e-12) per output and sample,
 * absolute error max |actual - expected|; a NaN or an infinity anywhere compared fails.
 */
import { actedAxes, type ActedTensor } from "../../binding/actions";
import { gather, gatherRuns, stridesOf, type Dense, type GatherRuns } from "./dense";
import type { GroupElement } from "./elements";

/** The denominator's floor: an output of zeros compares by its absolute error. */
const SCALE_FLOOR = 1e-12;

export interface Discrepancy {
  relative: number;
  absolute: number;
  /** False when a value compared is NaN or infinite (both errors are then Infinity). */
  finite: boolean;
  /** Entries compared (fewer than all under a margin). */
  compared: number;
}

/** The errors of `actual` against `expected` over the entries `mask` keeps (all when absent). */
export function compare(actual: Dense, expected: Dense, mask?: Uint8Array): Discrepancy {
  checkLengths(actual, expected.data.length);
  const whole = { starts: Int32Array.of(0), length: expected.data.length };
  const unmasked = mask === undefined ? finiteGaps(actual.data, expected.data, whole) : undefined;
  return unmasked ?? carefulCompare(actual.data, expected.data, mask);
}

/**
 * compare(actual, gather(x, offsets)) without making the gathered copy: where g only moves the
 * entries of f(x) (a permutation, a shift...), g.f(x) is read where its entries lie in f(x).
 */
export function compareMoved(actual: Dense, x: Dense, offsets: readonly Int32Array[]): Discrepancy {
  checkLengths(actual, x.data.length);
  return finiteGaps(actual.data, x.data, gatherRuns(x.shape, offsets)) ?? carefulCompare(actual.data, gather(x, offsets).data, undefined);
}

function checkLengths(actual: Dense, expected: number): void {
  if (actual.data.length !== expected) throw new Error(`the output has ${actual.data.length} values where ${expected} are expected`);
}

/**
 * The common case, every entry compared and every value finite, in a loop of nothing but
 * comparisons: 1.5 times as fast as carefulCompare's (it runs over every output a check makes).
 * Entry run * length + i of `a` against entry starts[run] + i of `e`. Undefined when some gap is
 * not finite: a NaN or an infinity in either array makes the sum of the gaps NaN or infinite (so
 * can finite gaps near the largest float64, which carefulCompare tells apart).
 */
function finiteGaps(a: Dense["data"], e: Dense["data"], { starts, length }: GatherRuns): Discrepancy | undefined {
  let absolute = 0;
  let scale = 0;
  let total = 0;
  for (let run = 0; run < starts.length; run++) {
    const first = run * length;
    const end = first + length;
    const from = starts[run] - first;
    for (let i = first; i < end; i++) {
      const expected = e[from + i];
      const gap = Math.abs(a[i] - expected);
      const size = Math.abs(expected);
      if (gap > absolute) absolute = gap;
      if (size > scale) scale = size;
      total += gap;
    }
  }
  if (!(total < Infinity)) return undefined;
  return { relative: absolute / Math.max(scale, SCALE_FLOOR), absolute, finite: true, compared: a.length };
}

/** Entry by entry, skipping those the mask leaves out, and stopping at the first value that is not finite. */
function carefulCompare(a: Dense["data"], e: Dense["data"], mask: Uint8Array | undefined): Discrepancy {
  let absolute = 0;
  let scale = 0;
  let compared = 0;
  for (let i = 0; i < e.length; i++) {
    if (mask !== undefined && mask[i] === 0) continue;
    const gap = Math.abs(a[i] - e[i]);
    const size = Math.abs(e[i]);
    // NaN or an infinity in either: the gap is NaN or infinite (an infinite expected value gives an infinite size).
    if (!(gap < Infinity) || size === Infinity) return { relative: Infinity, absolute: Infinity, finite: false, compared: compared + 1 };
    if (gap > absolute) absolute = gap;
    if (size > scale) scale = size;
    compared++;
  }
  return { relative: absolute / Math.max(scale, SCALE_FLOOR), absolute, finite: true, compared };
}

/**
 * For `translate(..., margin=m)`: the entries of an equivariant output to compare, those at least
 * m cells from the borders of every shifted axis both where they are and where the shift brought
 * them from (so away from the wrap seam too); undefined when every entry is compared.
 */
export function marginMask(element: GroupElement, tensor: ActedTensor, shape: readonly number[]): Uint8Array | undefined {
  const group = element.symmetry.group;
  if (element.kind !== "shift" || group.kind !== "translate" || group.margin === 0) return undefined;
  const margin = group.margin;
  const shifted = actedAxes(element.symmetry, tensor);
  if (shifted.length === 0) return undefined;
  const strides = stridesOf(shape);
  const mask = new Uint8Array(shape.reduce((product, size) => product * size, 1));
  for (let index = 0; index < mask.length; index++) {
    mask[index] = shifted.every((axis) => {
      const n = shape[axis.index];
      const p = Math.floor(index / strides[axis.index]) % n;
      const from = p - (element.shifts.get(axis.name) ?? 0);
      return p >= margin && p <= n - 1 - margin && from >= margin && from <= n - 1 - margin;
    })
      ? 1
      : 0;
  }
  return mask;
}
