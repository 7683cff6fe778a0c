/**
 * Shape inference and constant folding share one table of small functions, one per op (as
 * ONNX's own shape inference with data propagation does): each takes what is known of a node's
 * inputs and says what is known of its outputs: shape, element type and, for tensors computed
 * from constants, their entries.
 */
import { intsAttribute } from "../../../onnx/attributes";
import type { Dim, ElementType, Node } from "../../../onnx/model";

/**
 * One entry of a tensor whose contents are known, or partly known: a number, the name of a
 * symbolic dimension (`Shape` of a `[batch, 3]` tensor has entries `["batch", 3]`), or
 * undefined where nothing is known.
 */
export type Entry = number | string | undefined;

/** What is known of one value. */
export interface ValueFacts {
  /** Absent when even the rank is unknown. */
  readonly shape?: readonly Dim[];
  readonly elementType?: ElementType;
  /** Row-major contents; only present when the shape is static and has exactly this many elements. */
  readonly entries?: ArrayLike<Entry>;
}

export const NOTHING_KNOWN: ValueFacts = {};

/**
 * The most entries a value may carry while shapes are inferred for the whole graph: shape
 * computations are short vectors, and weights must not be decoded unless a rule asks.
 */
export const SHAPE_ENTRY_LIMIT = 4096;

/** The most entries of a constant a rule may ask for (beyond it, a computed constant is not formed). */
export const CONSTANT_ENTRY_LIMIT = 1 << 26;

export interface InferenceInput {
  node: Node;
  /** One per node input; an omitted optional input (`""`) is NOTHING_KNOWN. */
  inputs: readonly ValueFacts[];
  /** The opset of the default domain (ops moved attributes to inputs over time). */
  opset: number;
  /** The most entries an output may be computed with (see SHAPE_ENTRY_LIMIT, CONSTANT_ENTRY_LIMIT). */
  entryLimit: number;
}

/** One ValueFacts per node output (NOTHING_KNOWN where nothing is known; missing ones count as that). */
export type Infer = (input: InferenceInput) => ValueFacts[];

/** The entries as integers, when every one is a known integer. */
export function integerEntries(facts: ValueFacts | undefined): number[] | undefined {
  const entries = facts?.entries;
  if (!entries) return undefined;
  const integers: number[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (typeof entry !== "number" || !Number.isInteger(entry)) return undefined;
    integers.push(entry);
  }
  return integers;
}

/** The entries as numbers, when every one is known. */
export function numberEntries(facts: ValueFacts | undefined): number[] | undefined {
  const entries = facts?.entries;
  if (!entries) return undefined;
  const numbers = Array.from(entries);
  return numbers.every((entry): entry is number => typeof entry === "number") ? numbers : undefined;
}

/** The only entry of a one-element tensor (a scalar or a vector of one). */
export function scalarEntry(facts: ValueFacts | undefined): Entry {
  return facts?.entries?.length === 1 ? facts.entries[0] : undefined;
}

/**
 * An int list that older opsets give as an attribute and newer ones as an input (axes of
 * Squeeze, Unsqueeze and the reductions, Split's sizes, Pad's pads...). ONNX allows only one of
 * the two per opset, so whichever is present is the list: null when neither is given (the op's
 * default applies), undefined when the input's values are not known.
 */
export function intsFromAttributeOrInput(input: InferenceInput, attribute: string, inputIndex: number): number[] | null | undefined {
  const fromAttribute = intsAttribute(input.node, attribute);
  if (fromAttribute) return fromAttribute;
  if (!input.node.inputs[inputIndex]) return null;
  return integerEntries(input.inputs[inputIndex]);
}
