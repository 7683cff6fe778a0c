/**
 * Shapes of the ops that contract or reduce axes: MatMul, Gemm, Einsum, the Reduce* family,
 * ArgMax/ArgMin and TopK. Small reductions of shape vectors are folded (ReduceProd of a shape
 * is how some exporters write an element count).
 */
import { intAttribute } from "../../../onnx/attributes";
import type { Dim } from "../../../onnx/model";
import { binaryEntryOp } from "./arithmetic";
import { broadcastShapes, dimFromEntry, normalizeAxes, normalizeAxis, staticDim, UNKNOWN_DIM, unknownDims } from "./dims";
import { dimsWithEntries, outputFacts } from "./entries";
import { reduceEntries } from "./kernels";
import { intsFromAttributeOrInput, scalarEntry, type Infer } from "./types";

/** MatMul as numpy's matmul: a 1-D operand gains an axis that the result then drops; leading axes broadcast. */
const matmul: Infer = ({ node, inputs }) => {
  const [a, b] = inputs;
  const elementType = node.opType === "MatMulInteger" ? "int32" : a.elementType;
  if (!a.shape || !b?.shape || a.shape.length === 0 || b.shape.length === 0) return [{ elementType }];
  const left = a.shape.length === 1 ? [staticDim(1), a.shape[0]] : a.shape;
  const right = b.shape.length === 1 ? [b.shape[0], staticDim(1)] : b.shape;
  const batch = broadcastShapes([left.slice(0, -2), right.slice(0, -2)]);
  const rows = a.shape.length === 1 ? [] : [left[left.length - 2]];
  const columns = b.shape.length === 1 ? [] : [right[right.length - 1]];
  return [{ shape: [...batch, ...rows, ...columns], elementType }];
};

/** Gemm: [M, K] x [K, N], either operand transposed by transA / transB. */
const gemm: Infer = ({ node, inputs }) => {
  const [a, b] = inputs;
  // The output is a matrix whatever is known of the operands.
  if (a.shape?.length !== 2 || b?.shape?.length !== 2) return [{ shape: unknownDims(2), elementType: a.elementType }];
  const rows = intAttribute(node, "transA", 0) ? a.shape[1] : a.shape[0];
  const columns = intAttribute(node, "transB", 0) ? b.shape[0] : b.shape[1];
  return [{ shape: [rows, columns], elementType: a.elementType }];
};

/**
 * Einsum: each letter names one dim; `...` stands for the broadcast leading dims. Without `->`
 * the output is the ellipsis then the letters used once, in alphabetical order.
 */
const einsum: Infer = ({ node, inputs }) => {
  const elementType = inputs[0]?.elementType;
  const equation = node.attributes.get("equation");
  if (equation?.type !== "string") return [{ elementType }];
  const [left, right] = equation.value.replace(/\s/g, "").split("->");
  const terms = left.split(",");
  if (terms.length !== inputs.length || inputs.some((input) => !input.shape)) return [{ elementType }];
  const letters = new Map<string, Dim>();
  const ellipses: Dim[][] = [];
  for (const [i, term] of terms.entries()) {
    const shape = inputs[i].shape!;
    const [before, after = ""] = term.split("...");
    const named = before.length + after.length;
    const hasEllipsis = term.includes("...");
    if (hasEllipsis ? named > shape.length : named !== shape.length) return [{ elementType }];
    const ellipsisRank = shape.length - named;
    if (hasEllipsis) ellipses.push(shape.slice(before.length, before.length + ellipsisRank));
    [...before, ...after].forEach((letter, k) => {
      const dim = shape[k < before.length ? k : k + ellipsisRank];
      const seen = letters.get(letter);
      // A letter's dims must agree, except that a 1 broadcasts.
      letters.set(letter, seen ? broadcastShapes([[seen], [dim]])[0] : dim);
    });
  }
  const broadcast = broadcastShapes(ellipses);
  const output = right ?? implicitOutput(terms, ellipses.length > 0);
  const [outBefore, outAfter = ""] = output.split("...");
  const named = (text: string) => [...text].map((letter) => letters.get(letter) ?? UNKNOWN_DIM);
  return [{ shape: output.includes("...") ? [...named(outBefore), ...broadcast, ...named(outAfter)] : named(output), elementType }];
};

function implicitOutput(terms: readonly string[], hasEllipsis: boolean): string {
  const counts = new Map<string, number>();
  for (const letter of terms.join("").replace(/\.\.\./g, "")) counts.set(letter, (counts.get(letter) ?? 0) + 1);
  const once = [...counts].filter(([, count]) => count === 1).map(([letter]) => letter).sort();
  return (hasEllipsis ? "..." : "") + once.join("");
}

/** The reductions whose entries are folded, by the binary op that combines two entries. */
const FOLDED_REDUCTIONS: Readonly<Record<string, string>> = { ReduceSum: "Add", ReduceProd: "Mul", ReduceMax: "Max", ReduceMin: "Min" };

/**
 * Reduce*: the axes (attribute, or input from opset 13 for ReduceSum and 18 for the others),
 * all of them when none are given (unless noop_with_empty_axes), kept as 1s with keepdims.
 */
const reduce: Infer = (input) => {
  const { node, inputs, entryLimit } = input;
  const [x] = inputs;
  const keep = intAttribute(node, "keepdims", 1) === 1;
  const listed = intsFromAttributeOrInput(input, "axes", 1);
  if (!x.shape) return [{ elementType: x.elementType }];
  if (listed === undefined) return [keep ? { shape: unknownDims(x.shape.length), elementType: x.elementType } : { elementType: x.elementType }];
  const none = listed === null || listed.length === 0;
  if (none && intAttribute(node, "noop_with_empty_axes", 0) === 1) return [x];
  const axes = none ? x.shape.map((_, axis) => axis) : normalizeAxes(listed, x.shape.length);
  if (!axes) return [{ elementType: x.elementType }];
  const reduced = new Set(axes);
  const shape = x.shape.flatMap((dim, axis) => (!reduced.has(axis) ? [dim] : keep ? [staticDim(1)] : []));
  const dims = dimsWithEntries(x);
  const combine = FOLDED_REDUCTIONS[node.opType] && binaryEntryOp(FOLDED_REDUCTIONS[node.opType], x.elementType);
  return [outputFacts(shape, x.elementType, entryLimit, dims && combine ? () => reduceEntries(x.entries!, dims, reduced, combine) : undefined)];
};

/** ArgMax, ArgMin: int64 indices along one axis (kept as a 1 with keepdims). */
const argReduce: Infer = ({ node, inputs }) => {
  const [x] = inputs;
  if (!x.shape) return [{ elementType: "int64" }];
  const axis = normalizeAxis(intAttribute(node, "axis", 0), x.shape.length);
  if (axis === undefined) return [{ elementType: "int64" }];
  const keep = intAttribute(node, "keepdims", 1) === 1;
  return [{ shape: x.shape.flatMap((dim, k) => (k !== axis ? [dim] : keep ? [staticDim(1)] : [])), elementType: "int64" }];
};

/** TopK: values and int64 indices, the axis cut to k (an attribute before opset 10, an input after). */
const topK: Infer = ({ node, inputs }) => {
  const [x, kInput] = inputs;
  if (!x.shape) return [{ elementType: x.elementType }, { elementType: "int64" }];
  const axis = normalizeAxis(intAttribute(node, "axis", -1), x.shape.length);
  const k = node.attributes.has("k") ? intAttribute(node, "k", 0) : scalarEntry(kInput);
  const shape = axis === undefined ? undefined : x.shape.map((dim, i) => (i === axis ? dimFromEntry(k) : dim));
  return [{ shape, elementType: x.elementType }, { shape, elementType: "int64" }];
};

const REDUCTIONS = ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"];

export const contractionInference: ReadonlyMap<string, Infer> = new Map<string, Infer>([
  ["MatMul", matmul],
  ["MatMulInteger", matmul],
  ["Gemm", gemm],
  ["Einsum", einsum],
  ...REDUCTIONS.map((op) => [op, reduce] as const),
  ["ArgMax", argReduce],
  ["ArgMin", argReduce],
  ["TopK", topK],
]);
