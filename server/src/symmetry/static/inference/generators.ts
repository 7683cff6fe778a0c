/**
 * Ops that make tensors from shapes or attributes: Shape, Size, Constant, ConstantOfShape,
 * Range, EyeLike, OneHot, NonZero and the random generators. Shape is where shape computations
 * start: its entries are the input's dims, symbols included.
 */
import { intAttribute, intsAttribute } from "../../../onnx/attributes";
import { elementTypeName } from "../../../onnx/dataTypes";
import type { Node, Tensor } from "../../../onnx/model";
import { convertNumber, decodeTensor } from "../constants";
import { dimFromEntry, dimProduct, entryFromDim, normalizeAxis, product, staticDim, UNKNOWN_DIM } from "./dims";
import { outputFacts, shapeEntries } from "./entries";
import { NOTHING_KNOWN, scalarEntry, type Entry, type Infer, type ValueFacts } from "./types";

/** Shape: the input's dims (opset 15: those from start to end) as int64 entries. */
const shape: Infer = ({ node, inputs }) => {
  const dims = inputs[0].shape;
  if (!dims) return [{ elementType: "int64" }];
  const rank = dims.length;
  const bound = (value: number) => Math.min(Math.max(value < 0 ? value + rank : value, 0), rank);
  const kept = dims.slice(bound(intAttribute(node, "start", 0)), bound(intAttribute(node, "end", rank)));
  return [{ shape: [staticDim(kept.length)], elementType: "int64", entries: kept.map(entryFromDim) }];
};

/** Size: the input's element count as an int64 scalar. */
const size: Infer = ({ inputs }) => {
  const dims = inputs[0].shape;
  return [dims ? { shape: [], elementType: "int64", entries: [entryFromDim(dimProduct(dims))] } : { shape: [], elementType: "int64" }];
};

/** Constant: the one value attribute it has (a tensor, or value_float(s), value_int(s), value_string(s)). */
const constant: Infer = ({ node, entryLimit }) => {
  for (const [name, attribute] of node.attributes) {
    if (name === "value" && attribute.type === "tensor") return [tensorFacts(attribute.value, entryLimit)];
    if (name === "value_float" && attribute.type === "float") return [{ shape: [], elementType: "float", entries: [Math.fround(attribute.value)] }];
    if (name === "value_int" && attribute.type === "int") return [{ shape: [], elementType: "int64", entries: [attribute.value] }];
    if (name === "value_floats" && attribute.type === "floats") return [listFacts(attribute.value.map(Math.fround), "float", entryLimit)];
    if (name === "value_ints" && attribute.type === "ints") return [listFacts(attribute.value, "int64", entryLimit)];
    if (name === "value_string") return [{ shape: [], elementType: "string" }];
    if (name === "value_strings" && attribute.type === "strings") return [{ shape: [staticDim(attribute.value.length)], elementType: "string" }];
  }
  return [NOTHING_KNOWN];
};

function listFacts(values: number[], elementType: string, entryLimit: number): ValueFacts {
  return outputFacts([staticDim(values.length)], elementType, entryLimit, () => values);
}

/** A tensor's facts, its values decoded when there are few enough of them. */
export function tensorFacts(tensor: Tensor, entryLimit: number): ValueFacts {
  return outputFacts(tensor.dims.map(staticDim), tensor.elementType, entryLimit, () => decodeTensor(tensor)?.values);
}

/** The tensor attribute `name` of a node. */
function tensorAttribute(node: Node, name: string): Tensor | undefined {
  const attribute = node.attributes.get(name);
  return attribute?.type === "tensor" ? attribute.value : undefined;
}

/** ConstantOfShape: the shape from the input's entries, filled with `value` (a float 0 by default). */
const constantOfShape: Infer = ({ node, inputs, entryLimit }) => {
  const value = tensorAttribute(node, "value");
  const elementType = value?.elementType ?? "float";
  const fill = value ? decodeTensor(value)?.values[0] : 0;
  const dims = shapeEntries(inputs[0])?.map(dimFromEntry);
  return [outputFacts(dims, elementType, entryLimit, fill === undefined ? undefined : (out) => filled(product(out), fill, elementType))];
};

/** `count` copies of a value, in a typed array (a ConstantOfShape may stand for a whole weight). */
function filled(count: number, value: number, elementType: string): ArrayLike<number> {
  return elementType === "float" ? new Float32Array(count).fill(value) : new Float64Array(count).fill(value);
}

/** Range: max(ceil((limit - start) / delta), 0) entries of the start's type. */
const range: Infer = ({ inputs, entryLimit }) => {
  const [start, limit, delta] = inputs.map(scalarEntry);
  const elementType = inputs[0].elementType;
  if (typeof start !== "number" || typeof limit !== "number" || typeof delta !== "number" || delta === 0 || !elementType) {
    return [{ shape: [UNKNOWN_DIM], elementType }];
  }
  const count = Math.max(Math.ceil((limit - start) / delta), 0);
  if (!Number.isSafeInteger(count)) return [{ shape: [UNKNOWN_DIM], elementType }];
  return [outputFacts([staticDim(count)], elementType, entryLimit, () => Array.from({ length: count }, (_, i): Entry => convertNumber(start + i * delta, elementType)))];
};

/** EyeLike and the random `*Like` ops: the input's shape, the `dtype` attribute's type if given. */
const like: Infer = ({ node, inputs }) => [{ shape: inputs[0].shape, elementType: dtypeOf(node) ?? inputs[0].elementType }];

/** RandomNormal, RandomUniform: the `shape` attribute, float unless `dtype` says otherwise. */
const random: Infer = ({ node }) => [{ shape: intsAttribute(node, "shape")?.map(staticDim), elementType: dtypeOf(node) ?? "float" }];

function dtypeOf(node: Node): string | undefined {
  const code = intAttribute(node, "dtype");
  return code === undefined ? undefined : elementTypeName(code);
}

/** OneHot: the indices' shape with the depth inserted at axis (default last); the values' type. */
const oneHot: Infer = ({ node, inputs }) => {
  const [indices, depth, values] = inputs;
  if (!indices.shape) return [{ elementType: values?.elementType }];
  const rank = indices.shape.length + 1;
  const axis = normalizeAxis(intAttribute(node, "axis", -1), rank);
  if (axis === undefined) return [{ elementType: values?.elementType }];
  const depthEntry = scalarEntry(depth);
  const shape = [...indices.shape.slice(0, axis), dimFromEntry(typeof depthEntry === "number" ? Math.trunc(depthEntry) : depthEntry), ...indices.shape.slice(axis)];
  return [{ shape, elementType: values?.elementType }];
};

/** NonZero: [rank, number of non-zeros] int64 indices. */
const nonZero: Infer = ({ inputs }) => [{ shape: inputs[0].shape ? [staticDim(inputs[0].shape.length), UNKNOWN_DIM] : undefined, elementType: "int64" }];

export const generatorInference: ReadonlyMap<string, Infer> = new Map<string, Infer>([
  ["Shape", shape],
  ["Size", size],
  ["Constant", constant],
  ["ConstantOfShape", constantOfShape],
  ["Range", range],
  ["EyeLike", like],
  ["RandomNormalLike", like],
  ["RandomUniformLike", like],
  ["RandomNormal", random],
  ["RandomUniform", random],
  ["OneHot", oneHot],
  ["NonZero", nonZero],
]);
