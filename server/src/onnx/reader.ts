/**
 * Reads ONNX model bytes into the plain OnnxModel that the binder and the analyses walk.
 *
 * Weights are not copied: `Tensor.raw` is a view into the bytes given (@bufbuild/protobuf
 * returns `bytes` fields as subarrays of its input). Everything that can go wrong with a file a
 * user points at (an empty file, an image, a truncated download, hostile nesting) ends in an
 * OnnxReadError whose message says what was found.
 */
import { fromBinary, isFieldSet } from "@bufbuild/protobuf";
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType as AttributeType,
  ModelProtoSchema,
  TensorProto_DataLocation,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type TensorShapeProto_Dimension,
  type TypeProto,
  type ValueInfoProto,
} from "onnx-buf";
import { dataTypeInfo, elementTypeName, rawByteLength } from "./dataTypes";
import { describeContent } from "./fileKind";
import {
  describeType,
  NO_VALUE,
  type AttributeValue,
  type Dim,
  type ExternalDataReference,
  type Graph,
  type Node,
  type OnnxModel,
  type OtherType,
  type Tensor,
  type TensorType,
  type ValueInfo,
  type ValueNames,
} from "./model";

/** A file that cannot be read as an ONNX model; the message is meant for the user. */
export class OnnxReadError extends Error {
  override name = "OnnxReadError";
}

/**
 * IR versions run from 1 (2017) to 13 (onnx 1.20). Allowing some headroom for future ones still
 * tells a real model from bytes that merely decode as protobuf.
 */
const MAX_PLAUSIBLE_IR_VERSION = 64;
/** opset_import became mandatory with IR version 3. */
const FIRST_IR_VERSION_WITH_OPSETS = 3;
/**
 * Protobuf message nesting that the decoder follows (its default): every subgraph takes three
 * levels (attribute, graph, node), so this allows about 30 levels of nested If/Loop/Scan bodies.
 */
const MAX_NESTING = 100;

const utf8 = new TextDecoder("utf-8");

export function readOnnxModel(bytes: Uint8Array): OnnxModel {
  if (bytes.byteLength === 0) throw new OnnxReadError("the file is empty (0 bytes), not an ONNX model");
  const proto = decodeModelProto(bytes);
  const graphProto = checkIsModel(proto, bytes);
  const context: ReadContext = { externalData: [] };
  const graph = convertGraph(graphProto, context);
  return {
    irVersion: Number(proto.irVersion),
    producerName: proto.producerName,
    producerVersion: proto.producerVersion,
    opsetImports: proto.opsetImport.map((opset) => ({ domain: opset.domain, version: Number(opset.version) })),
    graph,
    externalData: context.externalData,
    byteLength: bytes.byteLength,
  };
}

interface ReadContext {
  /** Every external-data tensor met so far, at any depth. */
  externalData: ExternalDataReference[];
}

// ---------------------------------------------------------------------------------------------
// Decoding and telling a model from other files

function decodeModelProto(bytes: Uint8Array): ModelProto {
  try {
    return fromBinary(ModelProtoSchema, bytes, { readUnknownFields: false, recursionLimit: MAX_NESTING });
  } catch (error) {
    throw explainDecodeFailure(error, bytes);
  }
}

/**
 * What @bufbuild/protobuf's fromBinary throws: a RangeError when a read runs past the end of
 * the bytes ("premature EOF" from its bounds checks, or DataView's own for fixed-size numbers),
 * that is when a field claims more bytes than remain, which for a file that starts like a model
 * means a cut-off file; plain Errors for bad tags, endless varints and nesting past the limit.
 */
function explainDecodeFailure(error: unknown, bytes: Uint8Array): OnnxReadError {
  const detail = error instanceof Error ? error.message : String(error);
  if (!startsLikeModel(bytes)) return notAModel(bytes);
  if (/recursion depth/.test(detail)) {
    return new OnnxReadError(
      `the model nests subgraphs or types more than ${MAX_NESTING} protobuf levels deep; symcheck does not read models nested this deeply`,
    );
  }
  if (error instanceof RangeError) return truncated(bytes, "a part of the model is cut off");
  return new OnnxReadError(`the file starts like an ONNX model but is damaged: ${detail}`);
}

/**
 * Every exporter writes ir_version (field 1, a varint) first, and its value is small: a cheap
 * test that keeps random bytes from being reported as a truncated model.
 */
function startsLikeModel(bytes: Uint8Array): boolean {
  return bytes[0] === 0x08 && bytes[1] >= 1 && bytes[1] <= MAX_PLAUSIBLE_IR_VERSION;
}

/** Protobuf decodes many byte strings without complaint: a model must also have the fields of one. Returns its graph. */
function checkIsModel(proto: ModelProto, bytes: Uint8Array): GraphProto {
  const irVersion = Number(proto.irVersion);
  const plausibleIrVersion = irVersion >= 1 && irVersion <= MAX_PLAUSIBLE_IR_VERSION;
  if (!plausibleIrVersion || (!proto.graph && !startsLikeModel(bytes))) throw notAModel(bytes);
  if (!proto.graph) throw truncated(bytes, "the model has no graph");
  if (irVersion >= FIRST_IR_VERSION_WITH_OPSETS && proto.opsetImport.length === 0) {
    throw truncated(bytes, "the model imports no operator set (opset_import)");
  }
  return proto.graph;
}

function notAModel(bytes: Uint8Array): OnnxReadError {
  return new OnnxReadError(`not an ONNX model: the file holds ${describeContent(bytes)}`);
}

function truncated(bytes: Uint8Array, what: string): OnnxReadError {
  return new OnnxReadError(`the file ends early (truncated at byte ${bytes.byteLength}?): ${what}`);
}

// ---------------------------------------------------------------------------------------------
// Graphs, nodes and attributes

function convertGraph(proto: GraphProto, context: ReadContext): Graph {
  const initializers = new Map<string, Tensor>();
  for (const tensor of proto.initializer) {
    initializers.set(tensor.name, convertTensor(tensor, context, `initializer "${tensor.name}" of graph "${proto.name}"`));
  }
  const named: Omit<Graph, "values"> = {
    name: proto.name,
    inputs: proto.input.map(convertValueInfo),
    outputs: proto.output.map(convertValueInfo),
    valueInfo: new Map(proto.valueInfo.map((info) => [info.name, convertValueInfo(info)])),
    initializers,
    nodes: proto.node.map((node, index) => convertNode(node, index, proto.name, context)),
  };
  return Object.assign(named, { values: numberValues(named) });
}

/**
 * Numbers the graph's value names (see ValueNames): its inputs and initializers first, then its
 * outputs and value infos, then its nodes' inputs and outputs in node order. Each node's name
 * lists get the stored string equal to each name in place of their own.
 */
function numberValues(graph: Omit<Graph, "values">): ValueNames {
  const ids = new Map<string, number>();
  const names: string[] = [];
  const number = (name: string): number => {
    let id = ids.get(name);
    if (id === undefined) {
      id = names.length;
      ids.set(name, id);
      names.push(name);
    }
    return id;
  };
  for (const input of graph.inputs) number(input.name);
  graph.initializers.forEach((_, name) => number(name));
  const givenCount = names.length;
  for (const output of graph.outputs) number(output.name);
  graph.valueInfo.forEach((_, name) => number(name));
  const { nodes } = graph;
  const inputStart = new Int32Array(nodes.length + 1);
  const outputStart = new Int32Array(nodes.length + 1);
  for (let i = 0; i < nodes.length; i++) {
    inputStart[i + 1] = inputStart[i] + nodes[i].inputs.length;
    outputStart[i + 1] = outputStart[i] + nodes[i].outputs.length;
  }
  const inputIds = new Int32Array(inputStart[nodes.length]);
  const outputIds = new Int32Array(outputStart[nodes.length]);
  const numberInPlace = (list: string[], into: Int32Array, start: number) => {
    for (let j = 0; j < list.length; j++) {
      if (list[j] === "") {
        into[start + j] = NO_VALUE;
        continue;
      }
      const id = number(list[j]);
      into[start + j] = id;
      list[j] = names[id];
    }
  };
  for (let i = 0; i < nodes.length; i++) {
    numberInPlace(nodes[i].inputs, inputIds, inputStart[i]);
    numberInPlace(nodes[i].outputs, outputIds, outputStart[i]);
  }
  return { names, ids, givenCount, inputIds, inputStart, outputIds, outputStart };
}

function convertNode(proto: NodeProto, index: number, graphName: string, context: ReadContext): Node {
  if (proto.opType === "") throw new OnnxReadError(`node ${index} of graph "${graphName}" has no operator type`);
  const name = proto.name || `${proto.opType}_${index}`;
  // The decoded message is not kept: its name lists become the node's.
  return {
    name,
    opType: proto.opType,
    domain: proto.domain,
    inputs: proto.input,
    outputs: proto.output,
    attributes: proto.attribute.length === 0 ? NO_ATTRIBUTES : convertAttributes(proto, name, context),
    index,
  };
}

/** The attributes of every node that has none: one map rather than one per Relu or Add. */
const NO_ATTRIBUTES: ReadonlyMap<string, AttributeValue> = new Map();

function convertAttributes(proto: NodeProto, nodeName: string, context: ReadContext): Map<string, AttributeValue> {
  // A Constant's value usually has no name of its own: it is known by the node's output.
  const unnamedTensorName = proto.opType === "Constant" ? (proto.output[0] ?? "") : "";
  const attributes = new Map<string, AttributeValue>();
  for (const attribute of proto.attribute) {
    const owner = `attribute "${attribute.name}" of node "${nodeName}"`;
    attributes.set(attribute.name, convertAttribute(attribute, context, owner, unnamedTensorName));
  }
  return attributes;
}

function convertAttribute(
  proto: AttributeProto,
  context: ReadContext,
  owner: string,
  unnamedTensorName: string,
): AttributeValue {
  const tensor = (value: TensorProto) => convertTensor(value, context, owner, unnamedTensorName);
  const type = attributeType(proto);
  switch (type) {
    case AttributeType.FLOAT:
      return { type: "float", value: proto.f };
    case AttributeType.INT:
      // int64 as a JS number: exact up to 2^53; INT64_MAX (Slice's "to the end") becomes 2^63.
      return { type: "int", value: Number(proto.i) };
    case AttributeType.STRING:
      return { type: "string", value: utf8.decode(proto.s) };
    case AttributeType.TENSOR:
      return { type: "tensor", value: tensor(required(proto.t, owner, "tensor")) };
    case AttributeType.GRAPH:
      return { type: "graph", value: convertGraph(required(proto.g, owner, "graph"), context) };
    case AttributeType.FLOATS:
      return { type: "floats", value: [...proto.floats] };
    case AttributeType.INTS:
      return { type: "ints", value: proto.ints.map(Number) };
    case AttributeType.STRINGS:
      return { type: "strings", value: proto.strings.map((value) => utf8.decode(value)) };
    case AttributeType.TENSORS:
      return { type: "tensors", value: proto.tensors.map(tensor) };
    case AttributeType.GRAPHS:
      return { type: "graphs", value: proto.graphs.map((graph) => convertGraph(graph, context)) };
    case AttributeType.SPARSE_TENSOR:
      return { type: "other", description: "sparse tensor" };
    case AttributeType.SPARSE_TENSORS:
      return { type: "other", description: "sparse tensors" };
    case AttributeType.TYPE_PROTO:
      return { type: "other", description: "type" };
    case AttributeType.TYPE_PROTOS:
      return { type: "other", description: "types" };
    default:
      return { type: "other", description: type === AttributeType.UNDEFINED ? "no value" : `attribute type ${type}` };
  }
}

/** The declared type, or for old models that left it unset, the type of the field that holds a value. */
function attributeType(proto: AttributeProto): AttributeType {
  if (proto.type !== AttributeType.UNDEFINED) return proto.type;
  const fields = AttributeProtoSchema.field;
  if (isFieldSet(proto, fields.f)) return AttributeType.FLOAT;
  if (isFieldSet(proto, fields.i)) return AttributeType.INT;
  if (isFieldSet(proto, fields.s)) return AttributeType.STRING;
  if (proto.t) return AttributeType.TENSOR;
  if (proto.g) return AttributeType.GRAPH;
  if (proto.floats.length > 0) return AttributeType.FLOATS;
  if (proto.ints.length > 0) return AttributeType.INTS;
  if (proto.strings.length > 0) return AttributeType.STRINGS;
  if (proto.tensors.length > 0) return AttributeType.TENSORS;
  if (proto.graphs.length > 0) return AttributeType.GRAPHS;
  return AttributeType.UNDEFINED;
}

function required<T>(value: T | undefined, owner: string, what: string): T {
  if (value === undefined) throw new OnnxReadError(`${owner} is declared as a ${what} but holds none`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Value infos and types

function convertValueInfo(proto: ValueInfoProto): ValueInfo {
  const type = proto.type && convertType(proto.type);
  return {
    name: proto.name,
    ...(type && { type }),
    ...(proto.docString && { docString: proto.docString }),
  };
}

function convertType(proto: TypeProto): TensorType | OtherType | undefined {
  const { value } = proto;
  switch (value.case) {
    case "tensorType":
      return tensorType(value.value.elemType, value.value.shape?.dim);
    case "sparseTensorType":
      return { kind: "other", description: `sparse ${describeType(tensorType(value.value.elemType, value.value.shape?.dim))}` };
    case "sequenceType":
      return { kind: "other", description: `sequence of ${describeType(value.value.elemType && convertType(value.value.elemType))}` };
    case "optionalType":
      return { kind: "other", description: `optional ${describeType(value.value.elemType && convertType(value.value.elemType))}` };
    case "mapType": {
      const valueType = describeType(value.value.valueType && convertType(value.value.valueType));
      return { kind: "other", description: `map from ${elementTypeName(value.value.keyType)} to ${valueType}` };
    }
    default:
      return undefined;
  }
}

function tensorType(elemType: number, dims: TensorShapeProto_Dimension[] | undefined): TensorType {
  const type: TensorType = { kind: "tensor", elementType: elementTypeName(elemType) };
  if (dims) type.shape = dims.map(convertDim);
  return type;
}

/** Exporters write -1 or a blank dim_param for "unknown"; both become `unknown`. */
function convertDim(proto: TensorShapeProto_Dimension): Dim {
  const { value } = proto;
  if (value.case === "dimValue") {
    const size = Number(value.value);
    return Number.isSafeInteger(size) && size >= 0 ? { kind: "static", value: size } : { kind: "unknown" };
  }
  if (value.case === "dimParam" && value.value !== "") return { kind: "symbolic", name: value.value };
  return { kind: "unknown" };
}

// ---------------------------------------------------------------------------------------------
// Tensors

function convertTensor(proto: TensorProto, context: ReadContext, owner: string, unnamedName = ""): Tensor {
  const name = proto.name || unnamedName;
  const elementType = elementTypeName(proto.dataType);
  const dims = proto.dims.map((dim) => {
    const size = Number(dim);
    if (!Number.isSafeInteger(size) || size < 0) throw new OnnxReadError(`${owner} has an invalid dimension ${dim}`);
    return size;
  });
  const count = dims.reduce((product, size) => product * size, 1);
  const shown = `${elementType}[${dims.join(", ")}]`;

  if (proto.dataLocation === TensorProto_DataLocation.EXTERNAL) {
    const external = externalReference(proto, name, owner);
    context.externalData.push(external);
    return { name, elementType, dims, external };
  }
  if (elementType === "string") {
    if (proto.stringData.length !== count) {
      throw new OnnxReadError(`${owner} holds ${proto.stringData.length} strings where ${shown} needs ${count}`);
    }
    return { name, elementType, dims, strings: proto.stringData.map((value) => utf8.decode(value)) };
  }
  const raw = proto.rawData.byteLength > 0 ? proto.rawData : encodeTypedFields(proto, elementType);
  const expected = rawByteLength(elementType, count);
  if (expected !== undefined && raw.byteLength !== expected) {
    throw new OnnxReadError(`${owner} holds ${raw.byteLength} bytes of data where ${shown} needs ${expected}`);
  }
  return { name, elementType, dims, raw };
}

function externalReference(proto: TensorProto, name: string, owner: string): ExternalDataReference {
  const entries = new Map(proto.externalData.map((entry) => [entry.key, entry.value]));
  const location = entries.get("location");
  if (!location) throw new OnnxReadError(`${owner} is stored in external data but names no file (no "location")`);
  const reference: ExternalDataReference = { tensor: name, location };
  const offset = byteCount(entries.get("offset"), owner, "offset");
  const length = byteCount(entries.get("length"), owner, "length");
  if (offset !== undefined) reference.offset = offset;
  if (length !== undefined) reference.length = length;
  return reference;
}

function byteCount(text: string | undefined, owner: string, key: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new OnnxReadError(`${owner} has an invalid external-data ${key} "${text}"`);
  }
  return value;
}

/**
 * Little-endian bytes from the typed field that the ONNX spec assigns to the type: 8- and
 * 16-bit types (float16 and bfloat16 as their bits) sit one per int32_data entry, packed 4-
 * and 2-bit types one byte per entry, uint32 in uint64_data.
 */
function encodeTypedFields(proto: TensorProto, elementType: string): Uint8Array {
  const info = dataTypeInfo(elementType);
  switch (info?.field) {
    case "floatData":
      return littleEndian(proto.floatData, 4, (view, offset, value) => view.setFloat32(offset, value, true));
    case "doubleData":
      return littleEndian(proto.doubleData, 8, (view, offset, value) => view.setFloat64(offset, value, true));
    case "int64Data":
      return littleEndian(proto.int64Data, 8, (view, offset, value) => view.setBigInt64(offset, value, true));
    case "uint64Data":
      return info.bits === 32
        ? littleEndian(proto.uint64Data, 4, (view, offset, value) => view.setUint32(offset, Number(value), true))
        : littleEndian(proto.uint64Data, 8, (view, offset, value) => view.setBigUint64(offset, value, true));
    case "int32Data":
      if (info.bits === 32) return littleEndian(proto.int32Data, 4, (view, offset, value) => view.setInt32(offset, value, true));
      if (info.bits === 16) return littleEndian(proto.int32Data, 2, (view, offset, value) => view.setUint16(offset, value, true));
      return littleEndian(proto.int32Data, 1, (view, offset, value) => view.setUint8(offset, value));
    default:
      return new Uint8Array(0);
  }
}

function littleEndian<T>(values: readonly T[], width: number, write: (view: DataView, offset: number, value: T) => void): Uint8Array {
  const bytes = new Uint8Array(values.length * width);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => write(view, index * width, value));
  return bytes;
}
