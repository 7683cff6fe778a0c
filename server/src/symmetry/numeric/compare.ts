/**
 * The comparison of f(g.x) with what a claim expects (f(x) or g.f(x)), as the spec defines it:
 * relative error max |actual - expected| / max(max |expected|, 1e-12) per output and sample,
 * absolute error max |actual - expected|; a NaN or an infinity anywhere compared fails.
 */
import { actedAxes, type ActedTensor } from "../../binding/actions";
import { stridesOf, type Dense } from "./dense";
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
  if (actual.data.length !== expected.data.length) throw new Error(`the output has ${actual.data.length} values where ${expected.data.length} are expected`);
  const [a, e] = [actual.data, expected.data];
  let absolute = 0;
  let scale = 0;
  let compared = 0;
  // One tight loop over every entry of every output: no allocation, no call per entry.
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
