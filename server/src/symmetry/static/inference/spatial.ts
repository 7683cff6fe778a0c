/**
 * Shapes of the ops on [N, C, spatial...] tensors: Conv, ConvTranspose, the pools, Pad,
 * Resize/Upsample and DepthToSpace/SpaceToDepth, with ONNX's window arithmetic (pads, strides,
 * dilations, auto_pad, ceil_mode). A symbolic spatial dim survives a window that keeps the size.
 */
import { intAttribute, intsAttribute, stringAttribute } from "../../../onnx/attributes";
import type { Dim, Node } from "../../../onnx/model";
import { divideDim, dimFromEntry, normalizeAxes, offsetDim, sameDims, scaleDim, staticDim, UNKNOWN_DIM, unknownDims } from "./dims";
import { intsFromAttributeOrInput, numberEntries, type Infer, type ValueFacts } from "./types";

/** The window of a conv or pool along each spatial axis. */
interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Begin pads then end pads, as ONNX lists them. */
  pads: number[];
  autoPad: string;
  ceil: boolean;
}

function windowOf(node: Node, kernel: number[]): Window {
  const count = kernel.length;
  return {
    kernel,
    strides: intsAttribute(node, "strides") ?? new Array<number>(count).fill(1),
    dilations: intsAttribute(node, "dilations") ?? new Array<number>(count).fill(1),
    pads: intsAttribute(node, "pads") ?? new Array<number>(2 * count).fill(0),
    autoPad: stringAttribute(node, "auto_pad", "NOTSET"),
    ceil: intAttribute(node, "ceil_mode", 0) === 1,
  };
}

/** Whether the window's lists fit its spatial rank (a malformed node gets no shape rather than a wrong one). */
function consistent(window: Window): boolean {
  const count = window.kernel.length;
  return window.strides.length === count && window.dilations.length === count && window.pads.length === 2 * count && positive(window.strides) && positive(window.dilations) && positive(window.kernel);
}

function positive(values: readonly number[]): boolean {
  for (let i = 0; i < values.length; i++) if (!(Number.isInteger(values[i]) && values[i] > 0)) return false;
  return true;
}

/**
 * The output size along spatial axis `axis`: floor (or with ceil_mode, ceil) of
 * (in + pads - dilated kernel) / stride, plus 1; with ceil_mode a last window that would start
 * in the end padding is dropped. SAME_* auto_pad gives ceil(in / stride); VALID pads nothing.
 */
function windowOutput(input: Dim, window: Window, axis: number): Dim {
  const stride = window.strides[axis];
  const extent = (window.kernel[axis] - 1) * window.dilations[axis] + 1;
  if (window.autoPad === "SAME_UPPER" || window.autoPad === "SAME_LOWER") {
    if (input.kind !== "static") return stride === 1 ? input : UNKNOWN_DIM;
    return staticDim(Math.ceil(input.value / stride));
  }
  const count = window.kernel.length;
  const begin = window.autoPad === "VALID" ? 0 : window.pads[axis];
  const end = window.autoPad === "VALID" ? 0 : window.pads[axis + count];
  if (input.kind !== "static") return stride === 1 && begin + end === extent - 1 ? input : UNKNOWN_DIM;
  const span = input.value + begin + end - extent;
  if (span < 0) return UNKNOWN_DIM;
  return staticDim(windowsAlong(input.value, begin, end, extent - 1, stride, window.ceil));
}

/**
 * How many windows of `reach` + 1 cells (a dilated kernel) fit along an axis of `size` cells
 * padded by `begin` and `end`, one every `stride` cells: floor (or with ceil_mode, ceil) of
 * (size + pads - reach - 1) / stride, plus 1; with ceil_mode a last window that would start in
 * the end padding is dropped, as ONNX Runtime and PyTorch do. Shape inference and the window
 * rules both count with this.
 */
export function windowsAlong(size: number, begin: number, end: number, reach: number, stride: number, ceilMode: boolean): number {
  const room = (size + begin + end - reach - 1) / stride;
  const count = (ceilMode ? Math.ceil(room) : Math.floor(room)) + 1;
  return ceilMode && (count - 1) * stride >= size + begin ? count - 1 : count;
}

/**
 * [N, channels, spatial outputs], or what is known of it: the input's shape itself when they are
 * the same (a convolution that keeps the size and the channels), not a copy.
 */
function spatialOutput(x: ValueFacts, channels: Dim, window: Window, spatial: (input: Dim, axis: number) => Dim): readonly Dim[] | undefined {
  const count = window.kernel.length;
  if (x.shape && x.shape.length !== count + 2) return undefined;
  if (!consistent(window)) return x.shape ? unknownDims(x.shape.length) : unknownDims(count + 2);
  const shape = new Array<Dim>(count + 2);
  shape[0] = x.shape?.[0] ?? UNKNOWN_DIM;
  shape[1] = channels;
  for (let axis = 0; axis < count; axis++) shape[axis + 2] = spatial(x.shape?.[axis + 2] ?? UNKNOWN_DIM, axis);
  return x.shape && sameDims(x.shape, shape) ? x.shape : shape;
}

/** The kernel's spatial size: the attribute, else the weight's trailing dims when static. */
function kernelOf(node: Node, weight: ValueFacts | undefined): number[] | undefined {
  const fromAttribute = intsAttribute(node, "kernel_shape");
  if (fromAttribute) return fromAttribute;
  const dims = weight?.shape?.slice(2);
  return dims?.every((dim) => dim.kind === "static") ? dims.map((dim) => (dim.kind === "static" ? dim.value : 0)) : undefined;
}

/** Conv: X [N, C, ...] with W [M, C/group, k...] gives [N, M, ...]. */
const conv: Infer = ({ node, inputs }) => {
  const [x, w] = inputs;
  const elementType = node.opType === "ConvInteger" ? "int32" : x.elementType;
  const kernel = kernelOf(node, w);
  const rank = x.shape?.length ?? w?.shape?.length;
  if (!kernel) return [{ shape: rank === undefined ? undefined : unknownDims(rank), elementType }];
  const window = windowOf(node, kernel);
  return [{ shape: spatialOutput(x, w?.shape?.[0] ?? UNKNOWN_DIM, window, (input, axis) => windowOutput(input, window, axis)), elementType }];
};

/**
 * ConvTranspose: W [C, M/group, k...] gives [N, M, ...] of size
 * stride * (in - 1) + output_padding + dilated kernel - pads, or output_shape when given.
 */
const convTranspose: Infer = ({ node, inputs }) => {
  const [x, w] = inputs;
  const kernel = kernelOf(node, w);
  const rank = x.shape?.length ?? w?.shape?.length;
  if (!kernel) return [{ shape: rank === undefined ? undefined : unknownDims(rank), elementType: x.elementType }];
  const window = windowOf(node, kernel);
  const count = kernel.length;
  const outputPadding = intsAttribute(node, "output_padding") ?? new Array<number>(count).fill(0);
  // Some exporters write output_shape with the batch and channel dims.
  const outputShape = intsAttribute(node, "output_shape")?.slice(-count);
  const channels = w?.shape?.[1] ? scaleDim(w.shape[1], intAttribute(node, "group", 1)) : UNKNOWN_DIM;
  const spatial = (input: Dim, axis: number): Dim => {
    if (outputShape?.length === count) return staticDim(outputShape[axis]);
    const stride = window.strides[axis];
    if (window.autoPad === "SAME_UPPER" || window.autoPad === "SAME_LOWER") return scaleDim(input, stride);
    const extent = (kernel[axis] - 1) * window.dilations[axis] + 1;
    const pads = window.autoPad === "VALID" ? 0 : window.pads[axis] + window.pads[axis + count];
    const added = (outputPadding[axis] ?? 0) + extent - pads;
    // stride * (in - 1) + added keeps a symbolic size only when it is in itself.
    if (input.kind !== "static") return stride === 1 && added === 1 ? input : UNKNOWN_DIM;
    return offsetDim(staticDim(stride * (input.value - 1)), added);
  };
  return [{ shape: spatialOutput(x, channels, window, spatial), elementType: x.elementType }];
};


/** MaxPool (with int64 indices), AveragePool, LpPool: the window arithmetic, channels kept. */
const pool: Infer = ({ node, inputs }) => {
  const [x] = inputs;
  const kernel = intsAttribute(node, "kernel_shape");
  const window = kernel && windowOf(node, kernel);
  const shape = window ? spatialOutput(x, x.shape?.[1] ?? UNKNOWN_DIM, window, (input, axis) => windowOutput(input, window, axis)) : x.shape && unknownDims(x.shape.length);
  return node.opType === "MaxPool" ? [{ shape, elementType: x.elementType }, { shape, elementType: "int64" }] : [{ shape, elementType: x.elementType }];
};

/** Global pools: every spatial dim becomes 1. */
const globalPool: Infer = ({ inputs }) => {
  const [x] = inputs;
  return [{ shape: x.shape?.map((dim, axis) => (axis < 2 ? dim : staticDim(1))), elementType: x.elementType }];
};

/**
 * Pad: each axis grows by its begin and end pads (negative ones crop). Pads are an attribute
 * (`paddings` in opset 1) before opset 11, an input after; opset 18 may list the axes.
 */
const pad: Infer = (input) => {
  const { node, inputs } = input;
  const [x] = inputs;
  if (!x.shape) return [{ elementType: x.elementType }];
  const rank = x.shape.length;
  const pads = intsAttribute(node, "paddings") ?? intsFromAttributeOrInput(input, "pads", 1);
  const listedAxes = node.inputs[3] ? intsFromAttributeOrInput(input, "axes", 3) : x.shape.map((_, axis) => axis);
  const axes = listedAxes && normalizeAxes(listedAxes, rank);
  if (!pads || !axes || pads.length !== 2 * axes.length) return [{ shape: unknownDims(rank), elementType: x.elementType }];
  const shape = [...x.shape];
  axes.forEach((axis, i) => (shape[axis] = offsetDim(x.shape![axis], pads[i] + pads[i + axes.length])));
  return [{ shape, elementType: x.elementType }];
};

/**
 * Resize and Upsample: sizes when given, else floor(dim * scale). Where the inputs sit changed
 * with the opsets: Upsample's scales were an attribute before opset 9; Resize 10 takes
 * (X, scales), 11 on (X, roi, scales, sizes); opset 18 may list the axes and keep the aspect ratio.
 */
const resize: Infer = ({ node, inputs, opset }) => {
  const [x] = inputs;
  if (!x.shape) return [{ elementType: x.elementType }];
  const rank = x.shape.length;
  const unknown = [{ shape: unknownDims(rank), elementType: x.elementType }];
  const axes = normalizeAxes(intsAttribute(node, "axes") ?? x.shape.map((_, axis) => axis), rank);
  const legacyScales = node.attributes.get("scales");
  const scalesIndex = node.opType === "Upsample" || opset < 11 ? 1 : 2;
  const scales = legacyScales?.type === "floats" ? legacyScales.value : numberEntries(inputs[scalesIndex]);
  const sizes = node.opType === "Resize" && opset >= 11 ? numberEntries(inputs[3]) : undefined;
  // Cropping to a region of interest scales the region, not the axis.
  if (!axes || stringAttribute(node, "coordinate_transformation_mode", "") === "tf_crop_and_resize") return unknown;
  const shape = [...x.shape];
  if (sizes && sizes.length === axes.length) {
    if (stringAttribute(node, "keep_aspect_ratio_policy", "stretch") !== "stretch") return unknown;
    axes.forEach((axis, i) => (shape[axis] = dimFromEntry(sizes[i])));
  } else if (scales && scales.length === axes.length) {
    axes.forEach((axis, i) => (shape[axis] = scaledDim(x.shape![axis], scales[i])));
  } else {
    return unknown;
  }
  return [{ shape, elementType: x.elementType }];
};

function scaledDim(dim: Dim, scale: number): Dim {
  if (dim.kind !== "static") return scale === 1 ? dim : UNKNOWN_DIM;
  return scale > 0 ? staticDim(Math.floor(dim.value * scale)) : UNKNOWN_DIM;
}

/** DepthToSpace moves blocks of channels into space; SpaceToDepth the reverse. */
const depthToSpace: Infer = ({ node, inputs }) => {
  const [x] = inputs;
  const block = intAttribute(node, "blocksize", 0);
  if (x.shape?.length !== 4 || block <= 0) return [{ shape: x.shape && unknownDims(x.shape.length), elementType: x.elementType }];
  const [n, c, h, w] = x.shape;
  const shape = node.opType === "DepthToSpace"
    ? [n, divideDim(c, block * block), scaleDim(h, block), scaleDim(w, block)]
    : [n, scaleDim(c, block * block), divideDim(h, block), divideDim(w, block)];
  return [{ shape, elementType: x.elementType }];
};

export const spatialInference: ReadonlyMap<string, Infer> = new Map<string, Infer>([
  ["Conv", conv],
  ["ConvInteger", conv],
  ["ConvTranspose", convTranspose],
  ["MaxPool", pool],
  ["AveragePool", pool],
  ["LpPool", pool],
  ["GlobalAveragePool", globalPool],
  ["GlobalMaxPool", globalPool],
  ["GlobalLpPool", globalPool],
  ["Pad", pad],
  ["Resize", resize],
  ["Upsample", resize],
  ["DepthToSpace", depthToSpace],
  ["SpaceToDepth", depthToSpace],
]);
