import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import {
  AttributeProtoSchema,
  ModelProtoSchema,
  TypeProtoSchema,
  TypeProto_MapSchema,
  TypeProto_OptionalSchema,
  TypeProto_SequenceSchema,
} from "onnx-buf";
import { describeType, modelInputs, NO_VALUE, type AttributeValue, type Graph, type Tensor } from "../../server/src/onnx/model";
import { readOnnxModel } from "../../server/src/onnx/reader";
import {
  GraphBuilder,
  boolTensor,
  externalTensor,
  float,
  floatTensor,
  floats,
  int64Tensor,
  ints,
  rawTensor,
  stringTensor,
  strings,
  tensor,
  tensorTypeProto,
  typedFieldTensor,
} from "../support/onnxBuilder";

function attribute(graph: Graph, nodeName: string, attributeName: string): AttributeValue | undefined {
  return graph.nodes.find((node) => node.name === nodeName)?.attributes.get(attributeName);
}

function tensorAttribute(value: AttributeValue | undefined): Tensor {
  assert.equal(value?.type, "tensor");
  return value.value;
}

function graphAttribute(value: AttributeValue | undefined): Graph {
  assert.equal(value?.type, "graph");
  return value.value;
}

/** A one-node model that passes `x` through, for tests about the model's header. */
function identityModel(): GraphBuilder {
  return new GraphBuilder("identity").input("x", "float", [2]).node("Identity", ["x"], ["y"]).output("y", "float", [2]);
}

describe("model header", () => {
  test("reads the IR version, producer and opset imports", () => {
    const model = readOnnxModel(identityModel().toModelBytes({ opset: 19, opsets: { "com.microsoft": 1 }, producerName: "pytorch" }));
    assert.equal(model.irVersion, 9);
    assert.equal(model.producerName, "pytorch");
    assert.deepEqual(model.opsetImports, [
      { domain: "", version: 19 },
      { domain: "com.microsoft", version: 1 },
    ]);
    assert.equal(model.graph.name, "identity");
  });

  test("byteLength is the size of the bytes read", () => {
    const bytes = identityModel().toModelBytes();
    assert.equal(readOnnxModel(bytes).byteLength, bytes.byteLength);
  });
});

describe("values and their types", () => {
  test("reads static, symbolic and unknown dimensions, and unknown ranks", () => {
    const graph = new GraphBuilder()
      .input("image", "float", ["batch", 3, null, 8])
      .input("anything", "int64")
      .node("Identity", ["image"], ["hidden"])
      .valueInfo("hidden", "float", ["batch", 3, null, 8])
      .node("Identity", ["hidden"], ["out"])
      .output("out", "float16", [])
      .toModelBytes();
    const model = readOnnxModel(graph).graph;
    assert.deepEqual(model.inputs[0], {
      name: "image",
      type: {
        kind: "tensor",
        elementType: "float",
        shape: [{ kind: "symbolic", name: "batch" }, { kind: "static", value: 3 }, { kind: "unknown" }, { kind: "static", value: 8 }],
      },
    });
    assert.equal(describeType(model.inputs[1].type), "int64[unknown rank]");
    assert.equal(describeType(model.outputs[0].type), "float16[]");
    assert.equal(describeType(model.valueInfo.get("hidden")?.type), "float[batch, 3, ?, 8]");
  });

  test("names every element type in lower case", () => {
    const names = ["float", "uint8", "int8", "uint16", "int16", "int32", "int64", "string", "bool", "float16", "double", "uint32",
      "uint64", "complex64", "complex128", "bfloat16", "float8e4m3fn", "float8e5m2", "int4", "uint4"];
    const builder = new GraphBuilder();
    names.forEach((name, index) => builder.input(`x${index}`, name, [1]));
    builder.node("Identity", ["x0"], ["y"]).output("y", "float", [1]);
    const inputs = readOnnxModel(builder.toModelBytes()).graph.inputs;
    assert.deepEqual(
      inputs.map((input) => input.type?.kind === "tensor" && input.type.elementType),
      names,
    );
  });

  test("describes sequences, maps and optionals in words", () => {
    const sequence = create(TypeProtoSchema, {
      value: { case: "sequenceType", value: create(TypeProto_SequenceSchema, { elemType: tensorTypeProto("float", ["n", 3]) }) },
    });
    const map = create(TypeProtoSchema, {
      value: { case: "mapType", value: create(TypeProto_MapSchema, { keyType: 7, valueType: tensorTypeProto("float", []) }) },
    });
    const optional = create(TypeProtoSchema, {
      value: { case: "optionalType", value: create(TypeProto_OptionalSchema, { elemType: tensorTypeProto("int32", [2]) }) },
    });
    const graph = readOnnxModel(
      new GraphBuilder().input("s", sequence).input("m", map).input("o", optional).node("Identity", ["s"], ["t"]).output("t", sequence).toModelBytes(),
    ).graph;
    assert.deepEqual(
      graph.inputs.map((input) => describeType(input.type)),
      ["sequence of float[n, 3]", "map from int64 to float[]", "optional int32[2]"],
    );
  });

  test("old-style models list initializers as inputs; modelInputs leaves them out", () => {
    const graph = readOnnxModel(
      new GraphBuilder()
        .input("x", "float", [1, 4])
        .initializer("w", floatTensor([4, 2], [1, 2, 3, 4, 5, 6, 7, 8]))
        .node("MatMul", ["x", "w"], ["y"])
        .output("y", "float", [1, 2])
        .toModelBytes({ opset: 8, initializersAsInputs: true }),
    ).graph;
    assert.deepEqual(graph.inputs.map((input) => input.name), ["x", "w"]);
    assert.equal(describeType(graph.inputs[1].type), "float[4, 2]");
    assert.deepEqual(modelInputs(graph).map((input) => input.name), ["x"]);
  });
});

describe("nodes and attributes", () => {
  test("keeps node names, generates opType_index for unnamed nodes, keeps omitted inputs as empty names", () => {
    const graph = readOnnxModel(
      new GraphBuilder()
        .input("x", "float", [4])
        .node("Relu", ["x"], ["a"], {}, { name: "/layer1/Relu" })
        .node("Clip", ["a", "", "max"], ["b"])
        .node("Custom", ["b"], ["c"], {}, { domain: "com.example" })
        .output("c", "float", [4])
        .toModelBytes({ opsets: { "com.example": 1 } }),
    ).graph;
    assert.deepEqual(
      graph.nodes.map((node) => [node.name, node.opType, node.domain, node.index]),
      [
        ["/layer1/Relu", "Relu", "", 0],
        ["Clip_1", "Clip", "", 1],
        ["Custom_2", "Custom", "com.example", 2],
      ],
    );
    assert.deepEqual(graph.nodes[1].inputs, ["a", "", "max"]);
    assert.deepEqual(graph.nodes[1].outputs, ["b"]);
  });

  test("numbers every value name once: graph inputs and initializers first, each node's names in order, none for omitted inputs", () => {
    const graph = readOnnxModel(
      new GraphBuilder()
        .input("x", "float", [4])
        .initializer("max", floatTensor([], [6]))
        .node("Relu", ["x"], ["a"])
        .node("Clip", ["a", "", "max"], ["b"])
        .node("Add", ["b", "a"], ["c"])
        .output("c", "float", [4])
        .toModelBytes(),
    ).graph;
    const { names, ids, givenCount } = graph.values;
    assert.deepEqual(names.slice(0, givenCount), ["x", "max"]);
    assert.deepEqual([...names].sort(), ["a", "b", "c", "max", "x"]);
    assert.deepEqual([...ids].map(([name, id]) => names[id] === name), [true, true, true, true, true]);
    const numbered = graph.nodes.map((_, i) => {
      const { inputIds, inputStart, outputIds, outputStart } = graph.values;
      const named = (id: number) => (id === NO_VALUE ? "" : names[id]);
      return [Array.from(inputIds.subarray(inputStart[i], inputStart[i + 1]), named), Array.from(outputIds.subarray(outputStart[i], outputStart[i + 1]), named)];
    });
    assert.deepEqual(numbered, graph.nodes.map((node) => [node.inputs, node.outputs]));
    assert.deepEqual(numbered[1], [["a", "", "max"], ["b"]]);
  });

  test("op() chains one-output nodes under generated value names", () => {
    const g = new GraphBuilder().input("x", "float", [1, 3, 8, 8]).initializer("w", floatTensor([4, 3, 1, 1], new Array(12).fill(1)));
    const y = g.op("Relu", [g.op("Conv", ["x", "w"], { kernel_shape: [1, 1] })]);
    const graph = readOnnxModel(g.output(y, "float", [1, 4, 8, 8]).toModelBytes()).graph;
    assert.deepEqual(
      graph.nodes.map((node) => `${node.name}: ${node.inputs.join(", ")} -> ${node.outputs.join(", ")}`),
      ["Conv_0: x, w -> conv_0", "Relu_1: conv_0 -> relu_1"],
    );
    assert.deepEqual(graph.outputs.map((output) => output.name), ["relu_1"]);
  });

  test("decodes attributes of every type", () => {
    const body = new GraphBuilder("body").input("v", "float", [1]).node("Neg", ["v"], ["w"]).output("w", "float", [1]);
    const graph = readOnnxModel(
      new GraphBuilder()
        .input("x", "float", [1])
        .node("Everything", ["x"], ["y"], {
          an_int: 7,
          a_big_int: Number.MAX_SAFE_INTEGER,
          negative_ints: [-1, 0, 3],
          empty_ints: ints([]),
          a_float: 0.5,
          a_whole_float: float(2),
          some_floats: [0.25, 1.5],
          whole_floats: floats([1, 2]),
          a_string: "wrap",
          unicode: "größe ≠ size",
          some_strings: ["a", "β"],
          empty_strings: strings([]),
          a_tensor: floatTensor([2], [1, 2]),
          some_tensors: [floatTensor([1], [3]), int64Tensor([1], [4])],
          a_graph: body,
          some_graphs: [body, body],
        })
        .output("y", "float", [1])
        .toModelBytes(),
    ).graph;
    const attributes = graph.nodes[0].attributes;
    const simple = (name: string) => attributes.get(name);
    assert.deepEqual(simple("an_int"), { type: "int", value: 7 });
    assert.deepEqual(simple("a_big_int"), { type: "int", value: Number.MAX_SAFE_INTEGER });
    assert.deepEqual(simple("negative_ints"), { type: "ints", value: [-1, 0, 3] });
    assert.deepEqual(simple("empty_ints"), { type: "ints", value: [] });
    assert.deepEqual(simple("a_float"), { type: "float", value: 0.5 });
    assert.deepEqual(simple("a_whole_float"), { type: "float", value: 2 });
    assert.deepEqual(simple("some_floats"), { type: "floats", value: [0.25, 1.5] });
    assert.deepEqual(simple("whole_floats"), { type: "floats", value: [1, 2] });
    assert.deepEqual(simple("a_string"), { type: "string", value: "wrap" });
    assert.deepEqual(simple("unicode"), { type: "string", value: "größe ≠ size" });
    assert.deepEqual(simple("some_strings"), { type: "strings", value: ["a", "β"] });
    assert.deepEqual(simple("empty_strings"), { type: "strings", value: [] });
    assert.deepEqual(Array.from(new Float32Array(tensorAttribute(simple("a_tensor")).raw!.slice().buffer)), [1, 2]);
    const tensors = simple("some_tensors");
    assert.equal(tensors?.type, "tensors");
    assert.deepEqual(tensors.value.map((value) => [value.elementType, value.dims]), [["float", [1]], ["int64", [1]]]);
    assert.deepEqual(graphAttribute(simple("a_graph")).nodes.map((node) => node.opType), ["Neg"]);
    const graphs = simple("some_graphs");
    assert.equal(graphs?.type, "graphs");
    assert.deepEqual(graphs.value.map((value) => value.name), ["body", "body"]);
  });

  test("rounds int64 attributes beyond 2^53, as Slice's INT64_MAX ends", () => {
    const proto = new GraphBuilder().input("x", "float", [4]).node("Slice", ["x"], ["y"]).output("y", "float", [4]).toModelProto();
    proto.graph!.node[0].attribute.push(create(AttributeProtoSchema, { name: "end", type: 2, i: 9223372036854775807n }));
    const graph = readOnnxModel(toBinary(ModelProtoSchema, proto)).graph;
    assert.deepEqual(attribute(graph, "Slice_0", "end"), { type: "int", value: 2 ** 63 });
  });

  test("infers the type of attributes that old exporters left untyped", () => {
    const proto = new GraphBuilder().input("x", "float", [4]).node("Old", ["x"], ["y"]).output("y", "float", [4]).toModelProto();
    proto.graph!.node[0].attribute.push(
      create(AttributeProtoSchema, { name: "axis", i: 0n }),
      create(AttributeProtoSchema, { name: "alpha", f: 0 }),
      create(AttributeProtoSchema, { name: "perm", ints: [1n, 0n] }),
      create(AttributeProtoSchema, { name: "nothing" }),
    );
    const graph = readOnnxModel(toBinary(ModelProtoSchema, proto)).graph;
    assert.deepEqual(attribute(graph, "Old_0", "axis"), { type: "int", value: 0 });
    assert.deepEqual(attribute(graph, "Old_0", "alpha"), { type: "float", value: 0 });
    assert.deepEqual(attribute(graph, "Old_0", "perm"), { type: "ints", value: [1, 0] });
    assert.deepEqual(attribute(graph, "Old_0", "nothing"), { type: "other", description: "no value" });
  });

  test("reads the subgraphs of If and Loop, at any depth", () => {
    const inner = new GraphBuilder("inner").node("Constant", [], ["k"], { value: floatTensor([1], [3]) }).output("k", "float", [1]);
    const thenBranch = new GraphBuilder("then")
      .node("If", ["flag"], ["z"], { then_branch: inner, else_branch: inner })
      .output("z", "float", [1]);
    const elseBranch = new GraphBuilder("else").node("Identity", ["x"], ["z"]).output("z", "float", [1]);
    const body = new GraphBuilder("body")
      .input("i", "int64", [])
      .input("cond", "bool", [])
      .input("acc", "float", [1])
      .node("Add", ["acc", "x"], ["acc_next"])
      .node("Identity", ["cond"], ["cond_next"])
      .output("cond_next", "bool", [])
      .output("acc_next", "float", [1]);
    const graph = readOnnxModel(
      new GraphBuilder()
        .input("x", "float", [1])
        .input("flag", "bool", [])
        .input("trips", "int64", [])
        .node("If", ["flag"], ["y"], { then_branch: thenBranch, else_branch: elseBranch })
        .node("Loop", ["trips", "", "y"], ["total"], { body })
        .output("total", "float", [1])
        .toModelBytes(),
    ).graph;
    const then = graphAttribute(attribute(graph, "If_0", "then_branch"));
    assert.equal(then.name, "then");
    const deepest = graphAttribute(then.nodes[0].attributes.get("else_branch"));
    assert.deepEqual(deepest.nodes.map((node) => node.name), ["Constant_0"]);
    assert.deepEqual(tensorAttribute(deepest.nodes[0].attributes.get("value")).dims, [1]);
    const loopBody = graphAttribute(attribute(graph, "Loop_1", "body"));
    assert.deepEqual(loopBody.inputs.map((input) => input.name), ["i", "cond", "acc"]);
    assert.deepEqual(loopBody.nodes.map((node) => node.name), ["Add_0", "Identity_1"]);
  });
});

describe("tensors", () => {
  test("raw_data stays a view into the file's bytes (no copy)", () => {
    const weights = Float32Array.from({ length: 24 }, (_, index) => index / 4 - 2);
    const bytes = new GraphBuilder()
      .input("x", "float", [1, 4])
      .initializer("w", tensor([4, 6], weights))
      .node("MatMul", ["x", "w"], ["y"])
      .output("y", "float", [1, 6])
      .toModelBytes();
    const w = readOnnxModel(bytes).graph.initializers.get("w")!;
    assert.equal(w.elementType, "float");
    assert.deepEqual(w.dims, [4, 6]);
    assert.equal(w.raw!.buffer, bytes.buffer);
    assert.ok(w.raw!.byteOffset > 0 && w.raw!.byteOffset + w.raw!.byteLength <= bytes.byteLength);
    assert.deepEqual(new Float32Array(w.raw!.slice().buffer), weights);
  });

  test("a view into a larger buffer stays a view into that buffer", () => {
    const model = new GraphBuilder()
      .input("x", "float", [2])
      .initializer("b", floatTensor([2], [1, 2]))
      .node("Add", ["x", "b"], ["y"])
      .output("y", "float", [2])
      .toModelBytes();
    const file = new Uint8Array(model.byteLength + 16);
    file.set(model, 16);
    const bytes = file.subarray(16);
    assert.equal(readOnnxModel(bytes).graph.initializers.get("b")!.raw!.buffer, file.buffer);
  });

  /** Little-endian bytes, to compare `raw` with. */
  const le = (values: number[], width: number, write: (view: DataView, offset: number, value: number) => void) => {
    const view = new DataView(new ArrayBuffer(values.length * width));
    values.forEach((value, index) => write(view, index * width, value));
    return Array.from(new Uint8Array(view.buffer));
  };

  const typedCases: [string, number[], number[] | bigint[], number[]][] = [
    ["float", [3], [1.5, -2, 0], le([1.5, -2, 0], 4, (v, o, x) => v.setFloat32(o, x, true))],
    ["double", [2], [0.1, -1e300], le([0.1, -1e300], 8, (v, o, x) => v.setFloat64(o, x, true))],
    ["int32", [2], [-7, 2 ** 31 - 1], le([-7, 2 ** 31 - 1], 4, (v, o, x) => v.setInt32(o, x, true))],
    ["int64", [2], [-5n, 2n ** 40n], le([-5, 2 ** 40], 8, (v, o, x) => v.setBigInt64(o, BigInt(x), true))],
    ["uint64", [1], [2n ** 63n], le([0], 8, (v, o) => v.setBigUint64(o, 2n ** 63n, true))],
    ["uint32", [2], [1n, 4294967295n], le([1, 4294967295], 4, (v, o, x) => v.setUint32(o, x, true))],
    ["int16", [2], [-2, 300], le([-2, 300], 2, (v, o, x) => v.setInt16(o, x, true))],
    ["uint16", [1], [65535], [0xff, 0xff]],
    ["float16", [2], [0x3c00, 0xc000], [0x00, 0x3c, 0x00, 0xc0]],
    ["bfloat16", [1], [0x3f80], [0x80, 0x3f]],
    ["int8", [3], [-1, 127, -128], [0xff, 0x7f, 0x80]],
    ["uint8", [2], [0, 255], [0, 255]],
    ["bool", [3], [1, 0, 1], [1, 0, 1]],
    ["float8e4m3fn", [1], [0x38], [0x38]],
    ["int4", [3], [0x21, 0x03], [0x21, 0x03]],
    ["uint2", [5], [0xe4, 0x01], [0xe4, 0x01]],
    ["complex64", [1], [1, -1], le([1, -1], 4, (v, o, x) => v.setFloat32(o, x, true))],
  ];
  for (const [elementType, dims, values, expected] of typedCases) {
    test(`encodes ${elementType} values from the typed field into little-endian raw bytes`, () => {
      const graph = readOnnxModel(
        new GraphBuilder()
          .input("x", "float", [1])
          .initializer("t", typedFieldTensor(elementType, dims, values))
          .node("Identity", ["x"], ["y"])
          .output("y", "float", [1])
          .toModelBytes(),
      ).graph;
      const t = graph.initializers.get("t")!;
      assert.equal(t.elementType, elementType);
      assert.deepEqual(t.dims, dims);
      assert.deepEqual(Array.from(t.raw!), expected);
    });
  }

  test("reads string tensors as strings and bool tensors as bytes", () => {
    const graph = readOnnxModel(
      new GraphBuilder()
        .input("x", "string", [2])
        .initializer("stop", stringTensor([2], ["the", "größe"]))
        .initializer("mask", boolTensor([3], [true, false, true]))
        .node("Identity", ["x"], ["y"])
        .output("y", "string", [2])
        .toModelBytes(),
    ).graph;
    const stop = graph.initializers.get("stop")!;
    assert.deepEqual(stop.strings, ["the", "größe"]);
    assert.equal(stop.raw, undefined);
    assert.deepEqual(Array.from(graph.initializers.get("mask")!.raw!), [1, 0, 1]);
  });

  test("a Constant's value is a tensor named after the node's output", () => {
    const graph = readOnnxModel(
      new GraphBuilder()
        .input("x", "int64", [2])
        .node("Constant", [], ["shape"], { value: int64Tensor([2], [2, -1]) })
        .node("Reshape", ["x", "shape"], ["y"])
        .output("y", "int64", [2, 1])
        .toModelBytes(),
    ).graph;
    const value = tensorAttribute(attribute(graph, "Constant_0", "value"));
    assert.equal(value.name, "shape");
    assert.deepEqual(value.dims, [2]);
    assert.deepEqual(Array.from(new BigInt64Array(value.raw!.slice().buffer)), [2n, -1n]);
  });

  test("collects external-data tensors at every depth, without reading them", () => {
    const branch = new GraphBuilder("branch")
      .node("Constant", [], ["k"], { value: externalTensor("float", [1000], "weights.bin", { offset: 4096, length: 4000 }) })
      .output("k", "float", [1000]);
    const graph = new GraphBuilder()
      .input("flag", "bool", [])
      .initializer("w", externalTensor("float", [1000], "weights.bin"))
      .node("If", ["flag"], ["y"], { then_branch: branch, else_branch: branch })
      .output("y", "float", [1000]);
    const model = readOnnxModel(graph.toModelBytes());
    assert.deepEqual(model.externalData, [
      { tensor: "w", location: "weights.bin" },
      { tensor: "k", location: "weights.bin", offset: 4096, length: 4000 },
      { tensor: "k", location: "weights.bin", offset: 4096, length: 4000 },
    ]);
    const w = model.graph.initializers.get("w")!;
    assert.deepEqual(w.external, { tensor: "w", location: "weights.bin" });
    assert.equal(w.raw, undefined);
  });

  test("keeps an empty tensor's empty data", () => {
    const graph = readOnnxModel(
      new GraphBuilder()
        .input("x", "float", [1, 3, 4, 4])
        .initializer("roi", floatTensor([0], []))
        .node("Identity", ["x"], ["y"])
        .output("y", "float", [1, 3, 4, 4])
        .toModelBytes(),
    ).graph;
    assert.deepEqual(graph.initializers.get("roi")!.dims, [0]);
    assert.equal(graph.initializers.get("roi")!.raw!.byteLength, 0);
  });
});

describe("models that break the rules", () => {
  /** A model with one initializer, for tests that spoil the initializer. */
  function modelWith(initializer: Parameters<GraphBuilder["initializer"]>[1]): Uint8Array {
    return new GraphBuilder()
      .input("x", "float", [2])
      .initializer("w", initializer)
      .node("Add", ["x", "w"], ["y"])
      .output("y", "float", [2])
      .toModelBytes();
  }

  test("data of the wrong size for the tensor's shape", () => {
    assert.throws(() => readOnnxModel(modelWith(rawTensor("float", [4, 3], new Uint8Array(12)))), {
      name: "OnnxReadError",
      message: 'initializer "w" of graph "graph" holds 12 bytes of data where float[4, 3] needs 48',
    });
    assert.throws(() => readOnnxModel(modelWith(typedFieldTensor("int64", [3], [1n]))), {
      message: 'initializer "w" of graph "graph" holds 8 bytes of data where int64[3] needs 24',
    });
    assert.throws(() => readOnnxModel(modelWith(stringTensor([2], ["only one"]))), {
      message: 'initializer "w" of graph "graph" holds 1 strings where string[2] needs 2',
    });
  });

  test("a negative dimension", () => {
    const negative = floatTensor([1], [1]);
    negative.dims = [-1n];
    assert.throws(() => readOnnxModel(modelWith(negative)), {
      name: "OnnxReadError",
      message: 'initializer "w" of graph "graph" has an invalid dimension -1',
    });
  });

  test("external data without a file name, or with a bad offset", () => {
    const nameless = externalTensor("float", [2], "w.bin");
    nameless.externalData = nameless.externalData.filter((entry) => entry.key !== "location");
    assert.throws(() => readOnnxModel(modelWith(nameless)), {
      message: 'initializer "w" of graph "graph" is stored in external data but names no file (no "location")',
    });
    const badOffset = externalTensor("float", [2], "w.bin");
    badOffset.externalData.push({ $typeName: "onnx.StringStringEntryProto", key: "offset", value: "-8" });
    assert.throws(() => readOnnxModel(modelWith(badOffset)), {
      message: 'initializer "w" of graph "graph" has an invalid external-data offset "-8"',
    });
  });

  test("a node without an operator type", () => {
    const bytes = new GraphBuilder().input("x", "float", [1]).node("", ["x"], ["y"]).output("y", "float", [1]).toModelBytes();
    assert.throws(() => readOnnxModel(bytes), { name: "OnnxReadError", message: 'node 0 of graph "graph" has no operator type' });
  });

  test("a model without a graph, or without opset imports", () => {
    const proto = identityModel().toModelProto();
    const withoutOpsets = toBinary(ModelProtoSchema, { ...proto, opsetImport: [] });
    assert.throws(() => readOnnxModel(withoutOpsets), {
      name: "OnnxReadError",
      message: `the file ends early (truncated at byte ${withoutOpsets.byteLength}?): the model imports no operator set (opset_import)`,
    });
    const withoutGraph = toBinary(ModelProtoSchema, { ...proto, graph: undefined });
    assert.throws(() => readOnnxModel(withoutGraph), {
      message: `the file ends early (truncated at byte ${withoutGraph.byteLength}?): the model has no graph`,
    });
  });

  test("IR versions 1 and 2 had no opset imports", () => {
    const proto = identityModel().toModelProto({ irVersion: 2 });
    assert.equal(readOnnxModel(toBinary(ModelProtoSchema, { ...proto, opsetImport: [] })).irVersion, 2);
  });

  test("subgraphs nested deeper than the limit are refused, not followed", () => {
    const leaf = new GraphBuilder("leaf").node("Identity", ["c"], ["out"]).output("out", "bool", []);
    const nested = (depth: number): GraphBuilder => {
      if (depth === 0) return leaf;
      return new GraphBuilder(`level${depth}`).input("c", "bool", []).node("If", ["c"], ["out"], { then_branch: nested(depth - 1), else_branch: leaf }).output("out", "bool", []);
    };
    assert.equal(readOnnxModel(nested(8).toModelBytes()).graph.nodes[0].opType, "If");
    assert.throws(() => readOnnxModel(nested(40).toModelBytes()), {
      name: "OnnxReadError",
      message: /nests subgraphs or types more than 100 protobuf levels deep/,
    });
  });
});
