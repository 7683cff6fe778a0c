/**
 * Shapes of the ops that move entries without computing: Reshape, Flatten, Transpose, Squeeze,
 * Unsqueeze, Concat, Split, Slice, Gather, Expand, Tile. Their entries are folded too: this is
 * how exporters compute shapes (PyTorch's flatten: Shape -> Gather -> Unsqueeze -> Concat ->
 * Reshape), and how a weight reaches a MatMul through a Transpose.
 */
import { intAttribute, intsAttribute } from "../../../onnx/attributes";
import type { Dim } from "../../../onnx/model";
import {
  agreeingDim, broadcastShapes, dimFromEntry, dimProduct, dimSum, isStatic, normalizeAxes, normalizeAxis, product, staticDim,
  UNKNOWN_DIM, unknownDims,
} from "./dims";
import { dimsWithEntries, outputFacts, shapeEntries } from "./entries";
import { broadcastEntries, concatEntries, gatherEntries, sliceEntries, tileEntries, transposeEntries, type AxisRange } from "./kernels";
import { integerEntries, intsFromAttributeOrInput, type Infer, type ValueFacts } from "./types";

/** An output with new dims and the input's entries unchanged (Reshape, Flatten, Squeeze, Unsqueeze). */
function sameEntries(x: ValueFacts, shape: readonly Dim[] | undefined, entryLimit: number): ValueFacts {
  return outputFacts(shape, x.elementType, entryLimit, x.entries && (() => x.entries));
}

/** Reshape: 0 copies the input's dim (unless allowzero), -1 takes what is left; before opset 5 the shape is an attribute. */
const reshape: Infer = ({ node, inputs, entryLimit }) => {
  const [x] = inputs;
  const target = intsAttribute(node, "shape") ?? shapeEntries(inputs[1]);
  if (!target) return [{ elementType: x.elementType }];
  const allowZero = intAttribute(node, "allowzero", 0) === 1;
  const dims = target.map((entry, axis): Dim | "rest" => {
    if (entry === -1) return "rest";
    if (entry === 0 && !allowZero) return x.shape?.[axis] ?? UNKNOWN_DIM;
    return dimFromEntry(entry);
  });
  const rest = dims.filter((dim) => dim === "rest").length;
  if (rest > 1) return [{ elementType: x.elementType }];
  const known = dims.filter((dim): dim is Dim => dim !== "rest");
  const shape = dims.map((dim) => (dim === "rest" ? remainingDim(x.shape, known) : dim));
  return [sameEntries(x, shape, entryLimit)];
};

/**
 * The dim that -1 stands for: the input's element count divided by the other dims'. Symbols
 * cancel when the same names appear on both sides ([batch, 3, 4] to [batch, -1] gives 12).
 */
function remainingDim(input: readonly Dim[] | undefined, others: readonly Dim[]): Dim {
  if (!input || input.some((dim) => dim.kind === "unknown") || others.some((dim) => dim.kind === "unknown")) return UNKNOWN_DIM;
  const symbols = input.filter((dim) => dim.kind === "symbolic").map((dim) => (dim.kind === "symbolic" ? dim.name : ""));
  for (const dim of others) {
    if (dim.kind !== "symbolic") continue;
    const index = symbols.indexOf(dim.name);
    if (index < 0) return UNKNOWN_DIM;
    symbols.splice(index, 1);
  }
  const inputCount = staticProduct(input);
  const otherCount = staticProduct(others);
  if (otherCount === 0 || inputCount % otherCount !== 0) return UNKNOWN_DIM;
  const ratio = inputCount / otherCount;
  if (symbols.length === 0) return staticDim(ratio);
  return symbols.length === 1 && ratio === 1 ? { kind: "symbolic", name: symbols[0] } : UNKNOWN_DIM;
}

/** The product of the static dims among `dims`. */
function staticProduct(dims: readonly Dim[]): number {
  return product(dims.flatMap((dim) => (dim.kind === "static" ? [dim.value] : [])));
}

/** Flatten: [product of dims before axis, product of the rest]. */
const flatten: Infer = ({ node, inputs, entryLimit }) => {
  const [x] = inputs;
  if (!x.shape) return [{ elementType: x.elementType }];
  const rank = x.shape.length;
  const axis = intAttribute(node, "axis", 1);
  const split = axis === rank ? rank : normalizeAxis(axis, rank);
  if (split === undefined) return [{ elementType: x.elementType }];
  return [sameEntries(x, [dimProduct(x.shape.slice(0, split)), dimProduct(x.shape.slice(split))], entryLimit)];
};

/** Transpose: perm, by default the reversed axes. */
const transpose: Infer = ({ node, inputs, entryLimit }) => {
  const [x] = inputs;
  if (!x.shape) return [{ elementType: x.elementType }];
  const rank = x.shape.length;
  const perm = intsAttribute(node, "perm") ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (perm.length !== rank || !normalizeAxes(perm, rank) || perm.some((axis) => axis < 0)) return [{ elementType: x.elementType }];
  const shape = perm.map((axis) => x.shape![axis]);
  const dims = dimsWithEntries(x);
  return [outputFacts(shape, x.elementType, entryLimit, dims && (() => transposeEntries(x.entries!, dims, perm)))];
};

/** Squeeze: the listed axes (attribute before opset 13, input after), or every static 1. */
const squeeze: Infer = (input) => {
  const [x] = input.inputs;
  const axes = intsFromAttributeOrInput(input, "axes", 1);
  if (!x.shape || axes === undefined) return [{ elementType: x.elementType }];
  if (axes === null || axes.length === 0) {
    // A symbolic or unknown dim might be 1: which axes go is then unknown.
    if (x.shape.some((dim) => dim.kind !== "static")) return [{ elementType: x.elementType }];
    return [sameEntries(x, x.shape.filter((dim) => dim.kind === "static" && dim.value !== 1), input.entryLimit)];
  }
  const removed = normalizeAxes(axes, x.shape.length);
  // ONNX requires each squeezed dim to be 1: a static one that is not makes the model invalid.
  if (!removed || removed.some((axis) => isStatic(x.shape![axis]) && !isStatic(x.shape![axis], 1))) return [{ elementType: x.elementType }];
  return [sameEntries(x, x.shape.filter((_, axis) => !removed.includes(axis)), input.entryLimit)];
};

/** Unsqueeze: inserts 1s at the listed axes of the output (attribute before opset 13, input after). */
const unsqueeze: Infer = (input) => {
  const [x] = input.inputs;
  const axes = intsFromAttributeOrInput(input, "axes", 1);
  if (!x.shape || !axes) return [{ elementType: x.elementType }];
  const rank = x.shape.length + axes.length;
  const inserted = normalizeAxes(axes, rank);
  if (!inserted) return [{ elementType: x.elementType }];
  const rest = [...x.shape];
  const shape = Array.from({ length: rank }, (_, axis) => (inserted.includes(axis) ? staticDim(1) : rest.shift()!));
  return [sameEntries(x, shape, input.entryLimit)];
};

/** Concat: the axis' dims add up; the others agree. */
const concat: Infer = ({ node, inputs, entryLimit }) => {
  const parts = inputs.filter((_, i) => node.inputs[i] !== "");
  const elementType = parts.find((part) => part.elementType)?.elementType;
  const shapes = parts.map((part) => part.shape);
  if (shapes.length === 0 || !shapes.every((shape): shape is readonly Dim[] => shape !== undefined && shape.length === shapes[0]!.length)) {
    return [{ elementType }];
  }
  const axis = normalizeAxis(intAttribute(node, "axis", 0), shapes[0].length);
  if (axis === undefined) return [{ elementType }];
  const shape = shapes[0].map((_, k) => (k === axis ? dimSum(shapes.map((s) => s[k])) : shapes.map((s) => s[k]).reduce(agreeingDim)));
  const dims = parts.map(dimsWithEntries);
  const foldable = dims.every((d) => d !== undefined);
  return [outputFacts(shape, elementType, entryLimit, foldable ? () => concatEntries(parts.map((part, i) => ({ values: part.entries!, dims: dims[i]! })), axis) : undefined)];
};

/**
 * Split into the outputs along axis: sizes from the `split` attribute (before opset 13) or
 * input, else equal parts (opset 18's num_outputs: ceil-sized, the last one smaller).
 */
const split: Infer = (input) => {
  const { node, inputs, entryLimit } = input;
  const [x] = inputs;
  const count = node.outputs.length;
  const unknownParts = node.outputs.map(() => (x.shape ? { shape: unknownDims(x.shape.length), elementType: x.elementType } : { elementType: x.elementType }));
  if (!x.shape) return unknownParts;
  const axis = normalizeAxis(intAttribute(node, "axis", 0), x.shape.length);
  const sizes = intsFromAttributeOrInput(input, "split", 1);
  if (axis === undefined || sizes === undefined) return unknownParts;
  const dim = x.shape[axis];
  const partSizes = sizes ?? (dim.kind === "static" ? equalParts(dim.value, count) : undefined);
  if (!partSizes || partSizes.length !== count) {
    return node.outputs.map(() => ({ shape: x.shape!.map((d, k) => (k === axis ? UNKNOWN_DIM : d)), elementType: x.elementType }));
  }
  const dims = dimsWithEntries(x);
  let start = 0;
  return partSizes.map((size) => {
    const shape = x.shape!.map((d, k) => (k === axis ? staticDim(size) : d));
    const ranges = dims?.map((d, k): AxisRange => (k === axis ? { start, step: 1, count: size } : { start: 0, step: 1, count: d }));
    start += size;
    return outputFacts(shape, x.elementType, entryLimit, ranges && (() => sliceEntries(x.entries!, dims!, ranges)));
  });
};

function equalParts(size: number, count: number): number[] {
  const part = Math.ceil(size / count);
  return Array.from({ length: count }, (_, i) => Math.max(0, Math.min(part, size - part * i)));
}

/**
 * Slice: starts, ends, axes, steps (attributes before opset 10, inputs after). On a static dim
 * the count follows ONNX's clamping; a symbolic dim survives only a slice that keeps it whole.
 */
const slice: Infer = (input) => {
  const { inputs, entryLimit } = input;
  const [x] = inputs;
  if (!x.shape) return [{ elementType: x.elementType }];
  const rank = x.shape.length;
  const starts = intsFromAttributeOrInput(input, "starts", 1);
  const ends = intsFromAttributeOrInput(input, "ends", 2);
  const axes = orDefault(intsFromAttributeOrInput(input, "axes", 3), starts?.map((_, i) => i));
  const steps = orDefault(intsFromAttributeOrInput(input, "steps", 4), starts?.map(() => 1));
  const axesKnown = axes && normalizeAxes(axes, rank);
  if (!starts || !ends || !axesKnown || !steps || starts.length !== axesKnown.length || ends.length !== axesKnown.length || steps.length !== axesKnown.length || steps.includes(0)) {
    // Which axes shrink, and by how much, is unknown.
    return [{ shape: unknownDims(rank), elementType: x.elementType }];
  }
  const ranges: (AxisRange | undefined)[] = x.shape.map((dim) => (dim.kind === "static" ? { start: 0, step: 1, count: dim.value } : undefined));
  const shape: Dim[] = [...x.shape];
  axesKnown.forEach((axis, i) => {
    const dim = x.shape![axis];
    if (dim.kind === "static") {
      ranges[axis] = axisRange(dim.value, starts[i], ends[i], steps[i]);
      shape[axis] = staticDim(ranges[axis]!.count);
    } else {
      shape[axis] = keepsWhole(starts[i], ends[i], steps[i]) ? dim : UNKNOWN_DIM;
    }
  });
  const dims = dimsWithEntries(x);
  return [outputFacts(shape, x.elementType, entryLimit, dims && (() => sliceEntries(x.entries!, dims, ranges as AxisRange[])))];
};

/** An optional list: its default when it is not given (null), nothing when it is given but unknown (undefined). */
function orDefault(list: number[] | null | undefined, fallback: number[] | undefined): number[] | undefined {
  return list === null ? fallback : list;
}

/** ONNX Slice on one axis of size `size`: negative indices count from the end, then clamp. */
function axisRange(size: number, start: number, end: number, step: number): AxisRange {
  const from = start < 0 ? start + size : start;
  const to = end < 0 ? end + size : end;
  const first = step > 0 ? clamp(from, 0, size) : clamp(from, 0, size - 1);
  const last = step > 0 ? clamp(to, 0, size) : clamp(to, -1, size - 1);
  return { start: first, step, count: Math.max(0, Math.ceil((last - first) / step)) };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

/** A slice from 0 to "the end" (exporters write INT_MAX or more) with step 1 keeps any axis whole. */
function keepsWhole(start: number, end: number, step: number): boolean {
  return start === 0 && step === 1 && end >= 2 ** 31 - 1;
}

/** Gather: data[:axis] + indices.shape + data[axis+1:]; folded when the indices are known and in range. */
const gather: Infer = ({ node, inputs, entryLimit }) => {
  const [data, indices] = inputs;
  if (!data.shape || !indices?.shape) return [{ elementType: data.elementType }];
  const axis = normalizeAxis(intAttribute(node, "axis", 0), data.shape.length);
  if (axis === undefined) return [{ elementType: data.elementType }];
  const shape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
  const dims = dimsWithEntries(data);
  const positions = dims && integerEntries(indices)?.map((index) => (index < 0 ? index + dims[axis] : index));
  const inRange = positions?.every((index) => index >= 0 && index < dims![axis]);
  return [outputFacts(shape, data.elementType, entryLimit, inRange ? () => gatherEntries(data.entries!, dims!, axis, positions!) : undefined)];
};

/** GatherElements and the scatters: the shape of the indices, or of the data. */
const gatherElements: Infer = ({ inputs }) => [{ shape: inputs[1]?.shape, elementType: inputs[0].elementType }];
const scatter: Infer = ({ inputs }) => [{ shape: inputs[0].shape, elementType: inputs[0].elementType }];

/** Expand: the broadcast of the input's shape and the target's. */
const expand: Infer = ({ inputs, entryLimit }) => {
  const [x, target] = inputs;
  const targetEntries = shapeEntries(target);
  if (!x.shape || !targetEntries) return [{ elementType: x.elementType }];
  const shape = broadcastShapes([x.shape, targetEntries.map(dimFromEntry)]);
  const dims = dimsWithEntries(x);
  return [outputFacts(shape, x.elementType, entryLimit, dims && ((out) => broadcastEntries(x.entries!, dims, out)))];
};

/** Tile: each dim times its repeat count. */
const tile: Infer = ({ inputs, entryLimit }) => {
  const [x, repeatsInput] = inputs;
  const repeats = integerEntries(repeatsInput);
  if (!x.shape) return [{ elementType: x.elementType }];
  if (!repeats || repeats.length !== x.shape.length || repeats.some((r) => r < 0)) return [{ shape: unknownDims(x.shape.length), elementType: x.elementType }];
  const shape = x.shape.map((dim, axis) => dimProduct([dim, staticDim(repeats[axis])]));
  const dims = dimsWithEntries(x);
  return [outputFacts(shape, x.elementType, entryLimit, dims && (() => tileEntries(x.entries!, dims, repeats)))];
};

export const layoutInference: ReadonlyMap<string, Infer> = new Map<string, Infer>([
  ["Reshape", reshape],
  ["Flatten", flatten],
  ["Transpose", transpose],
  ["Squeeze", squeeze],
  ["Unsqueeze", unsqueeze],
  ["Concat", concat],
  ["Split", split],
  ["Slice", slice],
  ["Gather", gather],
  ["GatherElements", gatherElements],
  ["Scatter", scatter],
  ["ScatterElements", scatter],
  ["ScatterND", scatter],
  ["Expand", expand],
  ["Tile", tile],
]);
