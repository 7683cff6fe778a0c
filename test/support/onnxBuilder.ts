/**
 * Writes ONNX model bytes for tests, the example models and the benchmarks.
 *
 *   const g = new GraphBuilder("tiny");
 *   g.input("image", "float", ["batch", 3, 8, 8]);
 *   g.initializer("w", floatTensor([4, 3, 3, 3], weights));
 *   g.node("Conv", ["image", "w"], ["h"], { pads: [1, 1, 1, 1], kernel_shape: [3, 3] });
 *   g.output("h", "float", ["batch", 4, 8, 8]);
 *   const bytes = g.toModelBytes({ opset: 17 });
 *
 * Attribute values are typed by their JS value: integers (and arrays of them) are ints, other
 * numbers floats, strings strings, TensorProtos tensors, GraphBuilders graphs. Where the
 * JS value is ambiguous, say so: `float(1)`, `floats([1, 2])`, `ints([])`, `strings([])`.
 */
import { clone, create, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType as AttributeType,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProtoSchema,
  TensorProto_DataLocation,
  TensorShapeProtoSchema,
  TensorShapeProto_DimensionSchema,
  TypeProtoSchema,
  TypeProto_TensorSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type TensorProto,
  type TypeProto,
} from "onnx-buf";
import { dataTypeCode, dataTypeInfo } from "../../server/src/onnx/dataTypes";

/** A static size, a symbolic name (`"batch"`), or null for a dimension nobody knows. */
export type DimSpec = number | string | null;

/** A value's type: an element type with a shape (omit it for an unknown rank), or any TypeProto. */
type TypeSpec = [elementType: string, shape?: DimSpec[]] | [type: TypeProto];

export type ExplicitAttribute =
  | { kind: "float"; value: number }
  | { kind: "floats"; value: number[] }
  | { kind: "ints"; value: number[] }
  | { kind: "strings"; value: string[] };

export type AttributeInput =
  | number
  | string
  | number[]
  | string[]
  | TensorProto
  | TensorProto[]
  | GraphBuilder
  | GraphBuilder[]
  | ExplicitAttribute;

export const float = (value: number): ExplicitAttribute => ({ kind: "float", value });
export const floats = (value: number[]): ExplicitAttribute => ({ kind: "floats", value });
export const ints = (value: number[]): ExplicitAttribute => ({ kind: "ints", value });
export const strings = (value: string[]): ExplicitAttribute => ({ kind: "strings", value });

export interface NodeOptions {
  /** Left empty unless given: the reader then names the node `${opType}_${index}`. */
  name?: string;
  domain?: string;
}

export interface ModelOptions {
  /** The default domain's opset; 17 unless given. */
  opset?: number;
  /** Other domains' opsets, e.g. `{ "com.microsoft": 1 }`. */
  opsets?: Record<string, number>;
  /** Defaults to the IR version that came with the opset. */
  irVersion?: number;
  producerName?: string;
  /** Old exporters (IR < 4) also list every initializer as a graph input. */
  initializersAsInputs?: boolean;
}

export class GraphBuilder {
  readonly proto: GraphProto;

  constructor(name = "graph") {
    this.proto = create(GraphProtoSchema, { name });
  }

  input(name: string, ...type: TypeSpec): this {
    this.proto.input.push(valueInfoProto(name, type));
    return this;
  }

  output(name: string, ...type: TypeSpec): this {
    this.proto.output.push(valueInfoProto(name, type));
    return this;
  }

  /** Type information for an intermediate value. */
  valueInfo(name: string, ...type: TypeSpec): this {
    this.proto.valueInfo.push(valueInfoProto(name, type));
    return this;
  }

  initializer(name: string, tensor: TensorProto): this {
    const named = clone(TensorProtoSchema, tensor);
    named.name = name;
    this.proto.initializer.push(named);
    return this;
  }

  node(
    opType: string,
    inputs: string[],
    outputs: string[],
    attributes: Record<string, AttributeInput> = {},
    options: NodeOptions = {},
  ): this {
    this.proto.node.push(
      create(NodeProtoSchema, {
        opType,
        input: inputs,
        output: outputs,
        name: options.name ?? "",
        domain: options.domain ?? "",
        attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
      }),
    );
    return this;
  }

  /**
   * Adds a node with one output named after it (`relu_3`) and returns that name: for chains
   * whose intermediate names do not matter, `g.op("Relu", [g.op("Conv", ["x", "w"])])`.
   */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeInput> = {}, options: NodeOptions = {}): string {
    const output = `${opType.toLowerCase()}_${this.proto.node.length}`;
    this.node(opType, inputs, [output], attributes, options);
    return output;
  }

  toModelProto(options: ModelOptions = {}): ModelProto {
    const opset = options.opset ?? 17;
    const graph = clone(GraphProtoSchema, this.proto);
    if (options.initializersAsInputs) {
      const declared = new Set(graph.input.map((input) => input.name));
      for (const tensor of graph.initializer.filter((initializer) => !declared.has(initializer.name))) {
        graph.input.push(valueInfoProto(tensor.name, [typeOfTensor(tensor)]));
      }
    }
    const opsets = { "": opset, ...options.opsets };
    return create(ModelProtoSchema, {
      irVersion: BigInt(options.irVersion ?? irVersionForOpset(opset)),
      producerName: options.producerName ?? "symcheck-tests",
      producerVersion: "1",
      opsetImport: Object.entries(opsets).map(([domain, version]) =>
        create(OperatorSetIdProtoSchema, { domain, version: BigInt(version) }),
      ),
      graph,
    });
  }

  toModelBytes(options: ModelOptions = {}): Uint8Array {
    return toBinary(ModelProtoSchema, this.toModelProto(options));
  }
}

/** The IR version released with each opset of the default domain (onnx/helper.py's table). */
export function irVersionForOpset(opset: number): number {
  const firsts: [opset: number, irVersion: number][] = [
    [23, 11], [21, 10], [19, 9], [15, 8], [12, 7], [11, 6], [10, 5], [9, 4], [7, 3],
  ];
  return firsts.find(([first]) => opset >= first)?.[1] ?? 3;
}

// ---------------------------------------------------------------------------------------------
// Tensors

type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** A tensor from a typed array, its element type read off the array's class, its values as raw_data. */
export function tensor(dims: number[], values: NumericArray): TensorProto {
  return rawTensor(elementTypeOfArray(values), dims, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

export const floatTensor = (dims: number[], values: ArrayLike<number>) => tensor(dims, Float32Array.from(values));
export const doubleTensor = (dims: number[], values: ArrayLike<number>) => tensor(dims, Float64Array.from(values));
export const int32Tensor = (dims: number[], values: ArrayLike<number>) => tensor(dims, Int32Array.from(values));
export const int64Tensor = (dims: number[], values: ArrayLike<number | bigint>) =>
  tensor(dims, BigInt64Array.from(Array.from(values, (value) => BigInt(value))));
export const boolTensor = (dims: number[], values: ArrayLike<boolean>) =>
  rawTensor("bool", dims, Uint8Array.from(Array.from(values, (value) => (value ? 1 : 0))));

/** A tensor whose bytes are given as they are (the host is little-endian, as ONNX's raw_data). */
export function rawTensor(elementType: string, dims: number[], bytes: Uint8Array): TensorProto {
  return create(TensorProtoSchema, { dataType: code(elementType), dims: dims.map(BigInt), rawData: bytes.slice() });
}

export function stringTensor(dims: number[], values: string[]): TensorProto {
  const encoder = new TextEncoder();
  return create(TensorProtoSchema, { dataType: code("string"), dims: dims.map(BigInt), stringData: values.map((value) => encoder.encode(value)) });
}

/**
 * A tensor whose values sit in the typed field that ONNX assigns to the type (float_data,
 * int32_data, ...) instead of raw_data, as some exporters write them.
 */
export function typedFieldTensor(elementType: string, dims: number[], values: number[] | bigint[]): TensorProto {
  const field = dataTypeInfo(elementType)?.field;
  if (!field || field === "stringData") throw new Error(`no typed field for ${elementType}`);
  const proto = create(TensorProtoSchema, { dataType: code(elementType), dims: dims.map(BigInt) });
  return Object.assign(proto, { [field]: values });
}

/** A tensor whose bytes live in another file. */
export function externalTensor(
  elementType: string,
  dims: number[],
  location: string,
  extent: { offset?: number; length?: number } = {},
): TensorProto {
  const entries = { location, ...extent };
  return create(TensorProtoSchema, {
    dataType: code(elementType),
    dims: dims.map(BigInt),
    dataLocation: TensorProto_DataLocation.EXTERNAL,
    externalData: Object.entries(entries).map(([key, value]) => ({ key, value: String(value) })),
  });
}

function elementTypeOfArray(values: NumericArray): string {
  if (values instanceof Float32Array) return "float";
  if (values instanceof Float64Array) return "double";
  if (values instanceof Int8Array) return "int8";
  if (values instanceof Uint8Array) return "uint8";
  if (values instanceof Int16Array) return "int16";
  if (values instanceof Uint16Array) return "uint16";
  if (values instanceof Int32Array) return "int32";
  if (values instanceof Uint32Array) return "uint32";
  if (values instanceof BigInt64Array) return "int64";
  return "uint64";
}

function code(elementType: string): number {
  const value = dataTypeCode(elementType);
  if (value === undefined) throw new Error(`unknown element type "${elementType}"`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Value infos and attributes

function valueInfoProto(name: string, type: TypeSpec) {
  const [first, shape] = type;
  return create(ValueInfoProtoSchema, { name, type: typeof first === "string" ? tensorTypeProto(first, shape) : first });
}

/** A tensor type; `shape` undefined for an unknown rank. */
export function tensorTypeProto(elementType: string, shape?: DimSpec[]): TypeProto {
  return tensorTypeOfCode(code(elementType), shape);
}

function typeOfTensor(tensor: TensorProto): TypeProto {
  return tensorTypeOfCode(tensor.dataType, tensor.dims.map(Number));
}

function tensorTypeOfCode(elemType: number, shape: DimSpec[] | undefined): TypeProto {
  const dims = shape?.map((dim) =>
    create(TensorShapeProto_DimensionSchema, {
      value:
        typeof dim === "number"
          ? { case: "dimValue", value: BigInt(dim) }
          : typeof dim === "string"
            ? { case: "dimParam", value: dim }
            : { case: undefined },
    }),
  );
  const tensorType = create(TypeProto_TensorSchema, {
    elemType,
    shape: dims && create(TensorShapeProtoSchema, { dim: dims }),
  });
  return create(TypeProtoSchema, { value: { case: "tensorType", value: tensorType } });
}

type AttributeFields = MessageInitShape<typeof AttributeProtoSchema>;

function attribute(name: string, value: AttributeInput): AttributeProto {
  const make = (fields: AttributeFields) => create(AttributeProtoSchema, { ...fields, name });
  if (typeof value === "number") {
    return Number.isInteger(value) ? make({ type: AttributeType.INT, i: BigInt(value) }) : make({ type: AttributeType.FLOAT, f: value });
  }
  if (typeof value === "string") return make({ type: AttributeType.STRING, s: new TextEncoder().encode(value) });
  if (value instanceof GraphBuilder) return make({ type: AttributeType.GRAPH, g: value.proto });
  if (Array.isArray(value)) return listAttribute(name, value, make);
  if ("kind" in value) {
    switch (value.kind) {
      case "float":
        return make({ type: AttributeType.FLOAT, f: value.value });
      case "floats":
        return make({ type: AttributeType.FLOATS, floats: value.value });
      case "ints":
        return make({ type: AttributeType.INTS, ints: value.value.map(BigInt) });
      case "strings":
        return make({ type: AttributeType.STRINGS, strings: value.value.map((text) => new TextEncoder().encode(text)) });
    }
  }
  return make({ type: AttributeType.TENSOR, t: value });
}

function listAttribute(
  name: string,
  values: number[] | string[] | TensorProto[] | GraphBuilder[],
  make: (fields: AttributeFields) => AttributeProto,
): AttributeProto {
  if (values.length === 0) throw new Error(`attribute "${name}": say ints([]), floats([]) or strings([]) for an empty list`);
  const [first] = values;
  if (typeof first === "number") {
    const numbers = values as number[];
    return numbers.every(Number.isInteger)
      ? make({ type: AttributeType.INTS, ints: numbers.map(BigInt) })
      : make({ type: AttributeType.FLOATS, floats: numbers });
  }
  if (typeof first === "string") return attribute(name, strings(values as string[]));
  if (first instanceof GraphBuilder) return make({ type: AttributeType.GRAPHS, graphs: (values as GraphBuilder[]).map((graph) => graph.proto) });
  return make({ type: AttributeType.TENSORS, tensors: values as TensorProto[] });
}

// ---------------------------------------------------------------------------------------------
// Seeded random numbers, for weights and fuzzing: the numeric check's own generator

export { seededRandom } from "../../server/src/symmetry/numeric/random";

/** `count` numbers drawn uniformly from [-scale, scale). */
export function randomFloats(count: number, random: () => number, scale = 1): number[] {
  return Array.from({ length: count }, () => (random() * 2 - 1) * scale);
}
