/** Building an output's facts: its entries are computed only when its shape is static and small enough. */
import type { Dim } from "../../../onnx/model";
import { elementCount, staticDims } from "./dims";
import { SHAPE_ENTRY_LIMIT, type Entry, type ValueFacts } from "./types";

/**
 * Facts of an output with the given shape and type, and with the entries `compute` gives when
 * the shape is static and holds at most `limit` elements. Entries of the wrong length are
 * dropped (a fold that does not fit its shape is a bug, not a fact).
 */
export function outputFacts(
  shape: readonly Dim[] | undefined,
  elementType: string | undefined,
  limit: number,
  compute?: (dims: number[]) => ArrayLike<Entry> | undefined,
): ValueFacts {
  const count = elementCount(shape);
  if (!compute || count === undefined || count > limit) return { shape, elementType };
  const entries = compute(staticDims(shape)!);
  return entries && entries.length === count ? { shape, elementType, entries } : { shape, elementType };
}

/** The static dims of an input that has entries (the two go together). */
export function dimsWithEntries(facts: ValueFacts): number[] | undefined {
  return facts.entries ? staticDims(facts.shape) : undefined;
}

/**
 * The entries of a 1-D shape input as far as they are known; when only its length is known,
 * that many unknown entries (unless that is more than any shape has: the tensor is no shape).
 */
export function shapeEntries(facts: ValueFacts | undefined): Entry[] | undefined {
  if (facts?.entries) return Array.from(facts.entries);
  const length = staticDims(facts?.shape);
  return length?.length === 1 && length[0] <= SHAPE_ENTRY_LIMIT ? new Array<Entry>(length[0]).fill(undefined) : undefined;
}
