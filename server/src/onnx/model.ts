/**
 * The graph model that the binder and the analyses walk: a plain, read-only view of an ONNX
 * ModelProto with names resolved, shapes decoded and weights left as views into the file.
 */

/** ONNX element types by their TensorProto.DataType names, lower-case (`float`, `int64`, `bfloat16`...). */
export type ElementType = string;

/** One dimension of a shape: a number, a named symbol (`batch`, `N`), or nothing known. */
export type Dim =
  | { kind: "static"; value: number }
  | { kind: "symbolic"; name: string }
  | { kind: "unknown" };

/** The type of a value: a tensor with an element type and, where known, a shape. */
export interface TensorType {
  kind: "tensor";
  elementType: ElementType;
  /** Absent when the rank is unknown. */
  shape?: Dim[];
}

/** Sequences, maps, optionals and sparse tensors: named, not analysed. */
export interface OtherType {
  kind: "other";
  description: string;
}

export interface ValueInfo {
  name: string;
  type?: TensorType | OtherType;
  docString?: string;
}

/** Where a tensor's bytes live when they are outside the model file (reported, not read yet). */
export interface ExternalDataReference {
  tensor: string;
  location: string;
  offset?: number;
  length?: number;
}

/** A constant tensor: an initializer, a `Constant` node's value, or a tensor attribute. */
export interface Tensor {
  name: string;
  elementType: ElementType;
  dims: number[];
  /**
   * Little-endian bytes of the values (from `raw_data`, a zero-copy view into the file's
   * bytes, or encoded from the typed fields when the exporter used those).
   * Absent for external data and string tensors.
   */
  raw?: Uint8Array;
  /** For string tensors. */
  strings?: string[];
  external?: ExternalDataReference;
}

export type AttributeValue =
  | { type: "float"; value: number }
  | { type: "int"; value: number }
  | { type: "string"; value: string }
  | { type: "tensor"; value: Tensor }
  | { type: "graph"; value: Graph }
  | { type: "floats"; value: number[] }
  | { type: "ints"; value: number[] }
  | { type: "strings"; value: string[] }
  | { type: "tensors"; value: Tensor[] }
  | { type: "graphs"; value: Graph[] }
  | { type: "other"; description: string };

export interface Node {
  /** The node's name, or a generated one (`Conv_3`) when the exporter left it empty. */
  name: string;
  opType: string;
  /** `""` (and `ai.onnx`) is the default domain. */
  domain: string;
  /** Input value names; `""` marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  /** Read-only: nodes without attributes (most Relus, Adds...) share one empty map. */
  attributes: ReadonlyMap<string, AttributeValue>;
  /** Position in the graph's node list. */
  index: number;
}

export interface Graph {
  name: string;
  /**
   * The graph's declared inputs, in order, including those that older exporters list for
   * initializers (see `modelInputs` for the ones a user feeds).
   */
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Intermediate value infos, by name. */
  valueInfo: Map<string, ValueInfo>;
  initializers: Map<string, Tensor>;
  nodes: Node[];
  /** Every value name the graph mentions, numbered. */
  values: ValueNames;
}

/** The number of an omitted optional input (`""`). */
export const NO_VALUE = -1;

/**
 * The value names of a graph (its inputs, initializers, outputs, value infos, and its nodes'
 * inputs and outputs), each numbered once when the model is read, so that the analyses can
 * match a node's inputs with their producers by number: on graphs of thousands of nodes,
 * looking every freshly read name up in a map cost more than the rest of the indexing. Equal
 * names are one string (the one stored here), which also makes later lookups by name cheap.
 */
export interface ValueNames {
  /** Each value's name, by number. */
  readonly names: readonly string[];
  /** Each value's number, by name. */
  readonly ids: ReadonlyMap<string, number>;
  /** The graph's inputs and initializers are numbered first: 0 up to givenCount - 1. */
  readonly givenCount: number;
  /**
   * The numbers of the inputs of `nodes[i]` are `inputIds[inputStart[i]]` up to
   * `inputIds[inputStart[i + 1] - 1]`, in order; NO_VALUE for `""`. Flat, not one array per node.
   */
  readonly inputIds: Int32Array;
  readonly inputStart: Int32Array;
  /** Likewise for outputs. */
  readonly outputIds: Int32Array;
  readonly outputStart: Int32Array;
}

export interface OpsetImport {
  domain: string;
  version: number;
}

export interface OnnxModel {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  opsetImports: OpsetImport[];
  graph: Graph;
  /** Every tensor, at any depth, whose data lives in another file. */
  externalData: ExternalDataReference[];
  /** The size of the file's bytes. */
  byteLength: number;
}

/** Graph inputs a user feeds: declared inputs that no initializer provides. */
export function modelInputs(graph: Graph): ValueInfo[] {
  return graph.inputs.filter((input) => !graph.initializers.has(input.name));
}

/** `float[batch, 3, 224, 224]`, `int64[?]`, `float[unknown rank]`: a value's type in words. */
export function describeType(type: ValueInfo["type"]): string {
  if (!type) return "unknown type";
  if (type.kind === "other") return type.description;
  if (!type.shape) return `${type.elementType}[unknown rank]`;
  return `${type.elementType}[${type.shape.map(describeDim).join(", ")}]`;
}

export function describeDim(dim: Dim): string {
  return dim.kind === "static" ? String(dim.value) : dim.kind === "symbolic" ? dim.name : "?";
}
