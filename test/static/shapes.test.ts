/**
 * Graph facts: shapes from value infos or inferred per op (symbolic dims kept where an op keeps
 * the size), constants decoded for every element type, and shape computations folded the way
 * exporters write them (PyTorch's flatten: Shape -> Gather -> Unsqueeze -> Concat -> Reshape).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { describeDim, type Tensor } from "../../server/src/onnx/model";
import { readOnnxModel } from "../../server/src/onnx/reader";
import { convertNumber, decodeTensor } from "../../server/src/symmetry/static/constants";
import type { GraphFacts } from "../../server/src/symmetry/static/facts";
import { indexGraph } from "../../server/src/symmetry/static/graph";
import { graphFacts } from "../../server/src/symmetry/static/shapes";
import {
  boolTensor, doubleTensor, float, floats, floatTensor, GraphBuilder, int32Tensor, int64Tensor, ints, rawTensor, seededRandom, tensor, typedFieldTensor,
  type DimSpec, type ModelOptions,
} from "../support/onnxBuilder";

function factsOf(graph: GraphBuilder, options: ModelOptions = {}): GraphFacts {
  return graphFacts(indexGraph(readOnnxModel(graph.toModelBytes(options))));
}

/** A value's shape as the tests write it: `[batch, 3, ?]`, or `unknown rank`. */
function shape(facts: GraphFacts, value: string): string {
  const dims = facts.shape(value);
  return dims ? `[${dims.map(describeDim).join(", ")}]` : "unknown rank";
}

/** A graph with float inputs of the given shapes. */
function inputs(shapes: Record<string, DimSpec[]>, elementType = "float"): GraphBuilder {
  const graph = new GraphBuilder("shapes");
  for (const [name, dims] of Object.entries(shapes)) graph.input(name, elementType, dims);
  return graph;
}

/** Adds the op to the graph, then gives its output's shape. */
function opShape(graph: GraphBuilder, options: ModelOptions, ...op: Parameters<GraphBuilder["op"]>): string {
  const out = graph.op(...op);
  return shape(factsOf(graph, options), out);
}

/** The shape of the single op's output, for a graph with these inputs. */
function shapeAfter(op: string, shapes: Record<string, DimSpec[]>, attributes: Parameters<GraphBuilder["op"]>[2] = {}, options: ModelOptions = {}): string {
  const graph = inputs(shapes);
  const out = graph.op(op, Object.keys(shapes), attributes);
  return shape(factsOf(graph, options), out);
}

describe("value infos", () => {
  test("a declared shape wins; inference fills in the dims it leaves unknown and the values it does not declare", () => {
    const graph = inputs({ x: ["batch", 3, 8, 8] });
    graph.node("Relu", ["x"], ["a"]).node("Relu", ["a"], ["b"]).node("Relu", ["b"], ["c"]);
    graph.valueInfo("a", "float", ["n", 3, null, 8]).output("c", "float", [null, null, null, null]);
    const facts = factsOf(graph);
    assert.equal(shape(facts, "a"), "[n, 3, 8, 8]");
    assert.equal(shape(facts, "b"), "[n, 3, 8, 8]");
    assert.equal(shape(facts, "c"), "[n, 3, 8, 8]");
    assert.equal(facts.elementType("c"), "float");
  });

  test("initializers have their dims and type; a value nothing produces or declares has no shape", () => {
    const graph = inputs({ x: [2] }).initializer("w", floatTensor([4, 2], new Array(8).fill(0)));
    graph.node("MadeUpOp", ["x"], ["y"]);
    const facts = factsOf(graph);
    assert.equal(shape(facts, "w"), "[4, 2]");
    assert.equal(facts.elementType("w"), "float");
    assert.equal(shape(facts, "y"), "unknown rank");
    assert.equal(facts.elementType("y"), undefined);
  });

  test("the producer of a value, the default domain's opset", () => {
    const graph = inputs({ x: [2] });
    const y = graph.op("Relu", ["x"]);
    const facts = factsOf(graph, { opset: 13 });
    assert.equal(facts.producer(y)?.opType, "Relu");
    assert.equal(facts.producer("x"), undefined);
    assert.equal(facts.opset, 13);
  });
});

describe("elementwise and broadcasting", () => {
  test("unary ops keep the shape; predicates give bools", () => {
    const graph = inputs({ x: ["batch", 3, 8] });
    const relu = graph.op("Softmax", [graph.op("Relu", ["x"])], { axis: -1 });
    const nan = graph.op("IsNaN", ["x"]);
    const facts = factsOf(graph);
    assert.equal(shape(facts, relu), "[batch, 3, 8]");
    assert.deepEqual([shape(facts, nan), facts.elementType(nan)], ["[batch, 3, 8]", "bool"]);
  });

  test("numpy broadcasting: 1s give way, a symbol meets a size, different symbols are unknown", () => {
    assert.equal(shapeAfter("Add", { a: ["batch", 3, 1, 8], b: [4, 1] }), "[batch, 3, 4, 8]");
    assert.equal(shapeAfter("Mul", { a: ["n", 1], b: [1, "m"] }), "[n, m]");
    assert.equal(shapeAfter("Sub", { a: ["n"], b: ["m"] }), "[?]");
    assert.equal(shapeAfter("Div", { a: ["n"], b: [5] }), "[5]");
    assert.equal(shapeAfter("Sum", { a: [2, 1], b: [3], c: [1, 1] }), "[2, 3]");
  });

  test("comparisons give bools; Where broadcasts its three inputs and has the values' type", () => {
    const graph = inputs({ a: [2, 1], b: [3] });
    const less = graph.op("Less", ["a", "b"]);
    const where = graph.op("Where", [less, "a", "b"]);
    const facts = factsOf(graph);
    assert.deepEqual([shape(facts, less), facts.elementType(less)], ["[2, 3]", "bool"]);
    assert.deepEqual([shape(facts, where), facts.elementType(where)], ["[2, 3]", "float"]);
  });

  test("before opset 7 the second input broadcasts onto the first, whose shape the output keeps", () => {
    assert.equal(shapeAfter("Add", { a: [2, 3, 4], b: [3] }, { broadcast: 1, axis: 1 }, { opset: 6 }), "[2, 3, 4]");
  });

  test("Cast changes the type to `to`; CastLike to its second input's", () => {
    const graph = inputs({ x: [2] });
    const half = graph.op("Cast", ["x"], { to: 10 });
    graph.input("like", "double", [1]);
    const like = graph.op("CastLike", ["x", "like"]);
    const facts = factsOf(graph);
    assert.deepEqual([shape(facts, half), facts.elementType(half)], ["[2]", "float16"]);
    assert.equal(facts.elementType(like), "double");
  });

  test("Dropout: the output and its bool mask", () => {
    const graph = inputs({ x: ["n", 4] });
    graph.node("Dropout", ["x"], ["y", "mask"]);
    const facts = factsOf(graph);
    assert.equal(shape(facts, "y"), "[n, 4]");
    assert.deepEqual([shape(facts, "mask"), facts.elementType("mask")], ["[n, 4]", "bool"]);
  });
});

describe("convolutions and pools", () => {
  function conv(x: DimSpec[], weight: number[], attributes: Parameters<GraphBuilder["op"]>[2], op = "Conv"): string {
    const graph = inputs({ x }).initializer("w", floatTensor(weight, new Array(weight.reduce((a, b) => a * b, 1)).fill(0)));
    return opShape(graph, {}, op, ["x", "w"], attributes);
  }

  test("Conv: pads, strides and dilations; channels from the weight", () => {
    assert.equal(conv(["batch", 3, 32, 32], [16, 3, 3, 3], { pads: [1, 1, 1, 1], strides: [2, 2] }), "[batch, 16, 16, 16]");
    assert.equal(conv([1, 3, 32, 20], [8, 3, 3, 3], { dilations: [2, 1] }), "[1, 8, 28, 18]");
    assert.equal(conv([1, 4, 10], [6, 2, 3], { group: 2, pads: [0, 2] }), "[1, 6, 10]");
  });

  test("Conv: auto_pad SAME gives ceil(size / stride), VALID pads nothing; kernel_shape may be left to the weight", () => {
    assert.equal(conv([1, 3, 33, 33], [4, 3, 3, 3], { auto_pad: "SAME_UPPER", strides: [2, 2] }), "[1, 4, 17, 17]");
    assert.equal(conv([1, 3, 33, 33], [4, 3, 3, 3], { auto_pad: "VALID", strides: [2, 2], pads: [5, 5, 5, 5] }), "[1, 4, 16, 16]");
  });

  test("Conv on symbolic spatial dims: a same-size window keeps them, a strided one does not", () => {
    assert.equal(conv(["batch", 3, "h", "w"], [8, 3, 3, 3], { pads: [1, 1, 1, 1] }), "[batch, 8, h, w]");
    assert.equal(conv(["batch", 3, "h", "w"], [8, 3, 3, 3], { auto_pad: "SAME_LOWER" }), "[batch, 8, h, w]");
    assert.equal(conv(["batch", 3, "h", "w"], [8, 3, 3, 3], { pads: [1, 1, 1, 1], strides: [2, 2] }), "[batch, 8, ?, ?]");
  });

  test("ConvTranspose: stride * (in - 1) + output_padding + kernel - pads, or output_shape; channels times group", () => {
    assert.equal(conv([1, 3, 7, 6], [3, 4, 3, 3], { strides: [3, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }, "ConvTranspose"), "[1, 4, 20, 12]");
    assert.equal(conv([1, 4, 5, 5], [4, 2, 2, 2], { strides: [2, 2], group: 2 }, "ConvTranspose"), "[1, 4, 10, 10]");
    assert.equal(conv([1, 3, 5, 5], [3, 2, 3, 3], { strides: [2, 2], output_shape: [11, 12] }, "ConvTranspose"), "[1, 2, 11, 12]");
    assert.equal(conv(["n", 3, "h", "w"], [3, 2, 3, 3], { pads: [1, 1, 1, 1] }, "ConvTranspose"), "[n, 2, h, w]");
  });

  test("pools: floor, or ceil_mode (dropping a last window that would start in the end padding); MaxPool's indices", () => {
    assert.equal(shapeAfter("AveragePool", { x: [1, 3, 32, 32] }, { kernel_shape: [3, 3], strides: [2, 2] }), "[1, 3, 15, 15]");
    assert.equal(shapeAfter("AveragePool", { x: [1, 3, 32, 32] }, { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }), "[1, 3, 16, 16]");
    assert.equal(shapeAfter("MaxPool", { x: [1, 1, 5] }, { kernel_shape: [2], strides: [2], pads: [1, 1], ceil_mode: 1 }), "[1, 1, 3]");
    // The corpus' PyTorch MaxPool2d with dilations: 1000 x 1000 gives 43 x 25.
    assert.equal(shapeAfter("MaxPool", { x: [1, 1, 1000, 1000] }, { kernel_shape: [60, 80], strides: [10, 10], pads: [10, 20, 10, 20], dilations: [10, 10] }), "[1, 1, 43, 25]");
    const graph = inputs({ x: ["n", 2, 8, 8] });
    graph.node("MaxPool", ["x"], ["y", "indices"], { kernel_shape: [2, 2], strides: [2, 2] });
    const facts = factsOf(graph);
    assert.deepEqual([shape(facts, "indices"), facts.elementType("indices")], ["[n, 2, 4, 4]", "int64"]);
  });

  test("global pools make every spatial dim 1", () => {
    assert.equal(shapeAfter("GlobalAveragePool", { x: ["batch", 64, "h", "w"] }), "[batch, 64, 1, 1]");
  });

  test("Pad: pads as an attribute before opset 11, an input after; negative pads crop", () => {
    assert.equal(shapeAfter("Pad", { x: [1, 3, 4, 4] }, { pads: [0, 0, 1, 2, 0, 0, 3, -1], mode: "reflect" }, { opset: 10 }), "[1, 3, 8, 5]");
    const graph = inputs({ x: ["n", 3, 4, 4] }).initializer("pads", int64Tensor([8], [0, 0, 1, 1, 0, 0, 1, 1]));
    assert.equal(opShape(graph, { opset: 13 }, "Pad", ["x", "pads"], { mode: "edge" }), "[n, 3, 6, 6]");
    const axes = inputs({ x: ["n", 3, 4, 4] }).initializer("pads", int64Tensor([4], [1, 2, 3, 4])).initializer("axes", int64Tensor([2], [-1, 1]));
    assert.equal(opShape(axes, { opset: 18 }, "Pad", ["x", "pads", "", "axes"]), "[n, 9, 4, 8]");
  });

  test("Resize by scales or sizes, Upsample by its attribute (opset 7) or input (opset 9)", () => {
    const scales = inputs({ x: ["n", 3, 8, 6] }).initializer("scales", floatTensor([4], [1, 1, 2, 1.5]));
    assert.equal(opShape(scales, { opset: 13 }, "Resize", ["x", "", "scales"]), "[n, 3, 16, 9]");
    const sizes = inputs({ x: ["n", 3, 8, 6] }).initializer("sizes", int64Tensor([2], [5, 7]));
    assert.equal(opShape(sizes, { opset: 18 }, "Resize", ["x", "", "", "sizes"], { axes: [2, 3] }), "[n, 3, 5, 7]");
    assert.equal(shapeAfter("Upsample", { x: [1, 2, 3, 3] }, { scales: floats([1, 1, 2, 2]) }, { opset: 7 }), "[1, 2, 6, 6]");
    const input = inputs({ x: [1, 2, 3, 3] }).initializer("scales", floatTensor([4], [1, 1, 3, 3]));
    assert.equal(opShape(input, { opset: 9 }, "Upsample", ["x", "scales"]), "[1, 2, 9, 9]");
  });

  test("DepthToSpace and SpaceToDepth move blocks between channels and space", () => {
    assert.equal(shapeAfter("DepthToSpace", { x: [1, 8, 3, 4] }, { blocksize: 2 }), "[1, 2, 6, 8]");
    assert.equal(shapeAfter("SpaceToDepth", { x: ["n", 2, 6, 8] }, { blocksize: 2 }), "[n, 8, 3, 4]");
  });
});

describe("contractions and reductions", () => {
  test("MatMul: batch dims broadcast, a 1-D operand's axis is dropped", () => {
    assert.equal(shapeAfter("MatMul", { a: ["batch", 1, "seq", 64], b: [8, 64, 16] }), "[batch, 8, seq, 16]");
    assert.equal(shapeAfter("MatMul", { a: [64], b: ["n", 64, 16] }), "[n, 16]");
    assert.equal(shapeAfter("MatMul", { a: ["n", 5, 64], b: [64] }), "[n, 5]");
  });

  test("Gemm with transA and transB", () => {
    assert.equal(shapeAfter("Gemm", { a: ["batch", 9216], b: [4096, 9216] }, { transB: 1 }), "[batch, 4096]");
    assert.equal(shapeAfter("Gemm", { a: [7, "m"], b: [7, 3] }, { transA: 1 }), "[m, 3]");
  });

  test("Einsum: explicit and implicit outputs, ellipsis", () => {
    assert.equal(shapeAfter("Einsum", { a: ["b", 4, 5], c: ["b", 5, 6] }, { equation: "bij,bjk->bik" }), "[b, 4, 6]");
    assert.equal(shapeAfter("Einsum", { a: [4, 5], c: [5, 6] }, { equation: "ij,jk" }), "[4, 6]");
    assert.equal(shapeAfter("Einsum", { a: ["n", 2, 4, 5] }, { equation: "...ij->...ji" }), "[n, 2, 5, 4]");
  });

  test("Reduce*: axes as an attribute or input (by opset), keepdims, every axis when none are given", () => {
    assert.equal(shapeAfter("ReduceMean", { x: ["n", 3, 8, 8] }, { axes: [2, -1], keepdims: 0 }, { opset: 13 }), "[n, 3]");
    assert.equal(shapeAfter("ReduceMax", { x: ["n", 3, 8, 8] }, { axes: [1] }, { opset: 13 }), "[n, 1, 8, 8]");
    assert.equal(shapeAfter("ReduceL2", { x: ["n", 3] }, {}, { opset: 13 }), "[1, 1]");
    const input = inputs({ x: ["n", 3, 8] }).initializer("axes", int64Tensor([1], [1]));
    assert.equal(opShape(input, { opset: 13 }, "ReduceSum", ["x", "axes"], { keepdims: 0 }), "[n, 8]");
    const noop = inputs({ x: ["n", 3] });
    noop.initializer("none", int64Tensor([0], []));
    assert.equal(opShape(noop, { opset: 18 }, "ReduceMean", ["x", "none"], { noop_with_empty_axes: 1 }), "[n, 3]");
  });

  test("ArgMax gives int64 indices; TopK cuts its axis to k", () => {
    const graph = inputs({ x: ["n", 10] }).initializer("k", int64Tensor([1], [3]));
    const argmax = graph.op("ArgMax", ["x"], { axis: 1, keepdims: 0 });
    graph.node("TopK", ["x", "k"], ["values", "indices"]);
    const facts = factsOf(graph);
    assert.deepEqual([shape(facts, argmax), facts.elementType(argmax)], ["[n]", "int64"]);
    assert.deepEqual([shape(facts, "values"), shape(facts, "indices"), facts.elementType("indices")], ["[n, 3]", "[n, 3]", "int64"]);
  });
});

describe("shape ops", () => {
  function reshape(x: DimSpec[], target: number[], attributes = {}): string {
    const graph = inputs({ x }).initializer("target", int64Tensor([target.length], target));
    return opShape(graph, {}, "Reshape", ["x", "target"], attributes);
  }

  test("Reshape: 0 copies a dim, -1 takes the rest (symbols cancel), allowzero keeps a 0", () => {
    assert.equal(reshape(["batch", 3, 4, 4], [0, -1]), "[batch, 48]");
    assert.equal(reshape([2, 3, 4], [4, -1, 2]), "[4, 3, 2]");
    assert.equal(reshape(["batch", "seq", 64], [0, 0, 8, 8]), "[batch, seq, 8, 8]");
    assert.equal(reshape(["batch", "seq", 64], [-1, 64]), "[?, 64]");
    assert.equal(reshape([0, 3], [0, 3], { allowzero: 1 }), "[0, 3]");
    assert.equal(reshape([2, 3], [-1, -1]), "unknown rank");
  });

  test("Reshape with a target whose length alone is known: the rank", () => {
    const graph = inputs({ x: [2, 3], target: [3] }, "float");
    assert.equal(opShape(graph, {}, "Reshape", ["x", "target"]), "[?, ?, ?]");
  });

  test("Reshape before opset 5 takes its shape as an attribute", () => {
    assert.equal(shapeAfter("Reshape", { x: [2, 3, 4] }, { shape: [6, -1] }, { opset: 4 }), "[6, 4]");
  });

  test("Flatten multiplies the dims on each side of its axis", () => {
    assert.equal(shapeAfter("Flatten", { x: ["batch", 3, 4, 4] }), "[batch, 48]");
    assert.equal(shapeAfter("Flatten", { x: ["batch", 3, 4, 4] }, { axis: 0 }), "[1, ?]");
    assert.equal(shapeAfter("Flatten", { x: [2, 3, 4] }, { axis: -1 }), "[6, 4]");
  });

  test("Transpose by perm, reversed by default", () => {
    assert.equal(shapeAfter("Transpose", { x: ["n", 3, 5] }, { perm: [0, 2, 1] }), "[n, 5, 3]");
    assert.equal(shapeAfter("Transpose", { x: ["n", 3, 5] }), "[5, 3, n]");
    assert.equal(shapeAfter("Transpose", { x: ["n", 3, 5] }, { perm: [0, 0, 1] }), "unknown rank");
  });

  test("Squeeze and Unsqueeze: axes as attributes (opset 11) or inputs (opset 13)", () => {
    assert.equal(shapeAfter("Squeeze", { x: ["n", 1, 5, 1] }, { axes: [1, -1] }, { opset: 11 }), "[n, 5]");
    assert.equal(shapeAfter("Squeeze", { x: [1, 5, 1] }, {}, { opset: 11 }), "[5]");
    assert.equal(shapeAfter("Squeeze", { x: ["n", 5, 1] }, {}, { opset: 11 }), "unknown rank");
    assert.equal(shapeAfter("Unsqueeze", { x: ["n", 5] }, { axes: [0, -1] }, { opset: 11 }), "[1, n, 5, 1]");
    const graph = inputs({ x: ["n", 5] }).initializer("axes", int64Tensor([1], [1]));
    assert.equal(opShape(graph, { opset: 13 }, "Unsqueeze", ["x", "axes"]), "[n, 1, 5]");
  });

  test("Concat adds up its axis and agrees on the others", () => {
    assert.equal(shapeAfter("Concat", { a: ["n", 3, 8], b: ["n", 5, 8] }, { axis: 1 }), "[n, 8, 8]");
    assert.equal(shapeAfter("Concat", { a: ["n", 3], b: ["m", 3] }, { axis: 0 }), "[?, 3]");
    assert.equal(shapeAfter("Concat", { a: ["n", 3], b: [0, 3] }, { axis: 0 }), "[n, 3]");
  });

  test("Split: explicit sizes, equal parts, opset 18's num_outputs with a smaller last part", () => {
    const graph = inputs({ x: ["n", 6] });
    graph.node("Split", ["x"], ["a", "b"], { axis: 1, split: [2, 4] });
    graph.node("Split", ["x"], ["c", "d", "e"], { axis: -1 });
    const facts = factsOf(graph, { opset: 11 });
    assert.deepEqual(["a", "b", "c", "e"].map((v) => shape(facts, v)), ["[n, 2]", "[n, 4]", "[n, 2]", "[n, 2]"]);
    const uneven = inputs({ x: [7] });
    uneven.node("Split", ["x"], ["f", "g", "h"], { num_outputs: 3 });
    const unevenFacts = factsOf(uneven, { opset: 18 });
    assert.deepEqual(["f", "g", "h"].map((v) => shape(unevenFacts, v)), ["[3]", "[3]", "[1]"]);
  });

  test("Slice: negative indices, clamping, steps; a symbolic dim survives a whole-axis slice only", () => {
    const graph = inputs({ x: ["n", 10, 8, "w"] });
    graph.initializer("starts", int64Tensor([4], [0, -3, 7, 0]));
    graph.initializer("ends", int64Tensor([4], [2n ** 63n - 1n, 100, -100, 2]));
    graph.initializer("steps", int64Tensor([4], [1, 1, -2, 1]));
    graph.initializer("axes", int64Tensor([4], [0, 1, 2, 3]));
    assert.equal(opShape(graph, {}, "Slice", ["x", "starts", "ends", "axes", "steps"]), "[n, 3, 4, ?]");
    assert.equal(shapeAfter("Slice", { x: [1, 4] }, { starts: [1], ends: [3], axes: [1] }, { opset: 9 }), "[1, 2]");
  });

  test("Gather: data[:axis] + indices + data[axis+1:]; a scalar index removes the axis", () => {
    assert.equal(shapeAfter("Gather", { data: [1000, 64], ids: ["batch", "seq"] }), "[batch, seq, 64]");
    const scalar = inputs({ x: ["n", 3, 5] }).initializer("i", int64Tensor([], [2]));
    assert.equal(opShape(scalar, {}, "Gather", ["x", "i"], { axis: 1 }), "[n, 5]");
  });

  test("Expand broadcasts to its target; Tile multiplies each dim", () => {
    const graph = inputs({ x: [3, 1] }).initializer("target", int64Tensor([3], [2, 1, 4])).initializer("repeats", int64Tensor([2], [2, 3]));
    const expanded = graph.op("Expand", ["x", "target"]);
    const tiled = graph.op("Tile", ["x", "repeats"]);
    const facts = factsOf(graph);
    assert.deepEqual([shape(facts, expanded), shape(facts, tiled)], ["[2, 3, 4]", "[6, 3]"]);
  });
});

describe("tensors made from shapes", () => {
  test("Shape gives int64 entries, symbols included; opset 15 slices it", () => {
    const graph = inputs({ x: ["batch", 3, null, 8] });
    const whole = graph.op("Shape", ["x"]);
    const tail = graph.op("Shape", ["x"], { start: -2 });
    const facts = factsOf(graph, { opset: 15 });
    assert.deepEqual([shape(facts, whole), facts.elementType(whole)], ["[4]", "int64"]);
    assert.deepEqual(facts.shapeVector(whole), ["batch", 3, undefined, 8]);
    assert.deepEqual(facts.shapeVector(tail), [undefined, 8]);
    assert.equal(facts.constant(whole), undefined, "a shape with symbols is not a constant");
  });

  test("Shape of a static shape is a constant; Size is its element count", () => {
    const graph = inputs({ x: [2, 3, 4] });
    const dims = graph.op("Shape", ["x"]);
    const size = graph.op("Size", ["x"]);
    const facts = factsOf(graph);
    assert.deepEqual(Array.from(facts.constant(dims)!.values), [2, 3, 4]);
    assert.deepEqual([shape(facts, size), facts.shapeVector(size)], ["[]", [24]]);
  });

  test("ConstantOfShape: the shape from its input, the type and value of its attribute", () => {
    const graph = inputs({}).initializer("dims", int64Tensor([2], [2, 3]));
    const zeros = graph.op("ConstantOfShape", ["dims"]);
    const sevens = graph.op("ConstantOfShape", ["dims"], { value: int32Tensor([1], [7]) });
    const facts = factsOf(graph);
    assert.deepEqual([shape(facts, zeros), facts.elementType(zeros)], ["[2, 3]", "float"]);
    assert.deepEqual(facts.constant(sevens), { elementType: "int32", dims: [2, 3], values: new Float64Array(6).fill(7) });
  });

  test("Range: ceil((limit - start) / delta) entries", () => {
    const graph = inputs({}).initializer("start", int64Tensor([], [10])).initializer("limit", int64Tensor([], [1])).initializer("delta", int64Tensor([], [-3]));
    const range = graph.op("Range", ["start", "limit", "delta"]);
    const facts = factsOf(graph);
    assert.deepEqual(facts.shapeVector(range), [10, 7, 4]);
    const symbolic = inputs({ n: [] }, "int64").initializer("zero", int64Tensor([], [0])).initializer("one", int64Tensor([], [1]));
    assert.equal(opShape(symbolic, {}, "Range", ["zero", "n", "one"]), "[?]");
  });
});

describe("folding shape computations", () => {
  /** PyTorch's x.view(x.size(0), -1) / flatten(x, 1): Shape -> Gather(0) -> Unsqueeze -> Concat with [-1] -> Reshape. */
  function pytorchFlatten(batch: DimSpec, opset: number): { graph: GraphBuilder; target: string; out: string } {
    const graph = inputs({ x: [batch, 3, 4, 4] });
    graph.initializer("zero", int64Tensor([], [0])).initializer("minusOne", int64Tensor([1], [-1]));
    const size = graph.op("Shape", ["x"]);
    const first = graph.op("Gather", [size, "zero"], { axis: 0 });
    const unsqueezed = opset >= 13 ? graph.initializer("axes", int64Tensor([1], [0])).op("Unsqueeze", [first, "axes"]) : graph.op("Unsqueeze", [first], { axes: [0] });
    const target = graph.op("Concat", [unsqueezed, "minusOne"], { axis: 0 });
    const out = graph.op("Reshape", ["x", target]);
    return { graph, target, out };
  }

  test("with a symbolic batch: the target is [batch, -1], not a constant, and the Reshape gives [batch, 48]", () => {
    for (const opset of [11, 13]) {
      const { graph, target, out } = pytorchFlatten("batch", opset);
      const facts = factsOf(graph, { opset });
      assert.deepEqual(facts.shapeVector(target), ["batch", -1], `opset ${opset}`);
      assert.equal(facts.constant(target), undefined);
      assert.equal(shape(facts, out), "[batch, 48]");
    }
  });

  test("with a static batch: the target is the constant [2, -1]", () => {
    const { graph, target, out } = pytorchFlatten(2, 13);
    const facts = factsOf(graph, { opset: 13 });
    assert.deepEqual(facts.constant(target), { elementType: "int64", dims: [2], values: [2, -1] });
    assert.equal(shape(facts, out), "[2, 48]");
  });

  test("integer arithmetic truncates like the runtime; a symbol survives * 1 and + 0 only", () => {
    const graph = inputs({ x: ["batch", 7] });
    graph.initializer("two", int64Tensor([2], [2, 2])).initializer("factors", int64Tensor([2], [1, 3])).initializer("zero", int64Tensor([2], [0, 0]));
    const size = graph.op("Shape", ["x"]);
    const halved = graph.op("Div", [size, "two"]);
    const scaled = graph.op("Mul", [size, "factors"]);
    const shifted = graph.op("Add", ["zero", size]);
    const same = graph.op("Equal", [size, size]);
    const picked = graph.op("Where", [graph.op("Equal", [size, "zero"]), "two", size]);
    const facts = factsOf(graph);
    assert.deepEqual(facts.shapeVector(halved), [undefined, 3]);
    assert.deepEqual(facts.shapeVector(scaled), ["batch", 21]);
    assert.deepEqual(facts.shapeVector(shifted), ["batch", 7]);
    assert.deepEqual(facts.shapeVector(same), [1, 1]);
    assert.deepEqual(facts.shapeVector(picked), [undefined, 7]);
  });

  test("Slice, Cast, Squeeze, ReduceProd and Identity of a shape", () => {
    const graph = inputs({ x: [2, 3, 4, 5] });
    graph.initializer("start", int64Tensor([1], [1])).initializer("end", int64Tensor([1], [3]));
    const size = graph.op("Shape", ["x"]);
    const middle = graph.op("Slice", [size, "start", "end"]);
    const asInt32 = graph.op("Cast", [middle], { to: 6 });
    const count = graph.op("ReduceProd", [graph.op("Identity", [asInt32])], { keepdims: 0 });
    const facts = factsOf(graph);
    assert.deepEqual(facts.constant(asInt32), { elementType: "int32", dims: [2], values: [3, 4] });
    assert.deepEqual(facts.constant(count), { elementType: "int32", dims: [], values: [12] });
  });

  test("a value computed from a graph input is not constant", () => {
    const graph = inputs({ x: [2] }).initializer("w", floatTensor([2], [1, 2]));
    const sum = graph.op("Add", ["x", "w"]);
    const facts = factsOf(graph);
    assert.equal(facts.constant(sum), undefined);
    assert.equal(facts.constant("x"), undefined);
    assert.deepEqual(facts.shapeVector(sum), [undefined, undefined]);
  });
});

describe("constants", () => {
  test("initializers are decoded when asked, once (the same object again)", () => {
    const graph = inputs({}).initializer("w", floatTensor([2, 2], [1, 2, 3, 4.5]));
    const facts = factsOf(graph);
    const weight = facts.constant("w");
    assert.deepEqual(weight, { elementType: "float", dims: [2, 2], values: new Float32Array([1, 2, 3, 4.5]) });
    assert.equal(facts.constant("w"), weight);
  });

  test("weights through ops: a Transpose of a Linear layer's weight, a Cast of float16 weights, a ConstantOfShape fill", () => {
    const graph = inputs({}).initializer("w", floatTensor([2, 3], [1, 2, 3, 4, 5, 6]));
    const transposed = graph.op("Transpose", ["w"], { perm: [1, 0] });
    graph.initializer("half", rawTensor("float16", [2], new Uint8Array(new Uint16Array([0x3c00, 0xc000]).buffer)));
    const widened = graph.op("Cast", ["half"], { to: 1 });
    graph.initializer("weightShape", int64Tensor([4], [64, 64, 3, 3]));
    const filled = graph.op("ConstantOfShape", ["weightShape"], { value: floatTensor([1], [0.5]) });
    const facts = factsOf(graph);
    assert.deepEqual(facts.constant(transposed), { elementType: "float", dims: [3, 2], values: [1, 4, 2, 5, 3, 6] });
    assert.deepEqual(facts.constant(widened), { elementType: "float", dims: [2], values: [1, -2] });
    const fill = facts.constant(filled)!;
    assert.deepEqual([fill.dims, fill.values.length, fill.values[0], fill.values[36863]], [[64, 64, 3, 3], 36864, 0.5, 0.5]);
    assert.equal(facts.shapeVector(filled), undefined, "a 4-D tensor is not a shape vector");
  });

  test("Constant nodes: a tensor, value_float(s), value_int(s)", () => {
    const graph = inputs({});
    const fromTensor = graph.op("Constant", [], { value: doubleTensor([2], [0.25, -1]) });
    const oneFloat = graph.op("Constant", [], { value_float: float(0.1) });
    const someFloats = graph.op("Constant", [], { value_floats: floats([1, 2.5]) });
    const oneInt = graph.op("Constant", [], { value_int: 7 });
    const someInts = graph.op("Constant", [], { value_ints: ints([3, -1]) });
    const facts = factsOf(graph);
    assert.deepEqual(facts.constant(fromTensor), { elementType: "double", dims: [2], values: new Float64Array([0.25, -1]) });
    assert.deepEqual(facts.constant(oneFloat), { elementType: "float", dims: [], values: [Math.fround(0.1)] });
    assert.deepEqual(facts.constant(someFloats), { elementType: "float", dims: [2], values: [1, 2.5] });
    assert.deepEqual(facts.constant(oneInt), { elementType: "int64", dims: [], values: [7] });
    assert.deepEqual([shape(facts, someInts), facts.shapeVector(someInts)], ["[2]", [3, -1]]);
  });

  test("every numeric element type decodes", () => {
    const cases: [string, Tensor["raw"], number[]][] = [
      ["float", bytes(new Float32Array([1.5, -2])), [1.5, -2]],
      ["double", bytes(new Float64Array([0.1, -1e300])), [0.1, -1e300]],
      ["int8", bytes(new Int8Array([-128, 127])), [-128, 127]],
      ["uint8", bytes(new Uint8Array([0, 255])), [0, 255]],
      ["int16", bytes(new Int16Array([-32768, 5])), [-32768, 5]],
      ["uint16", bytes(new Uint16Array([65535, 1])), [65535, 1]],
      ["int32", bytes(new Int32Array([-(2 ** 31), 9])), [-(2 ** 31), 9]],
      ["uint32", bytes(new Uint32Array([2 ** 32 - 1, 0])), [2 ** 32 - 1, 0]],
      ["int64", bytes(new BigInt64Array([-5n, 2n ** 40n])), [-5, 2 ** 40]],
      ["uint64", bytes(new BigUint64Array([7n, 2n ** 50n])), [7, 2 ** 50]],
      ["bool", new Uint8Array([1, 0]), [1, 0]],
      // float16: 1, -2, the smallest subnormal, infinity.
      ["float16", bytes(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7c00])), [1, -2, 2 ** -24, Infinity]],
      // bfloat16: the top half of a float32: 1, -3.5.
      ["bfloat16", bytes(new Uint16Array([0x3f80, 0xc060])), [1, -3.5]],
    ];
    for (const [elementType, raw, expected] of cases) {
      const decoded = decodeTensor({ name: elementType, elementType, dims: [expected.length], raw });
      assert.deepEqual(Array.from(decoded?.values ?? []), expected, elementType);
    }
  });

  test("bytes at an offset that does not suit the type (a view into a file's Buffer) are copied, not misread", () => {
    const file = Buffer.alloc(17);
    file.writeBigInt64LE(-3n, 1);
    file.writeBigInt64LE(11n, 9);
    const decoded = decodeTensor({ name: "t", elementType: "int64", dims: [2], raw: file.subarray(1) });
    assert.deepEqual(Array.from(decoded!.values), [-3, 11]);
  });

  test("values in typed fields (int32_data for float16, int64_data), bools, and what is not decoded", () => {
    const graph = inputs({})
      .initializer("half", typedFieldTensor("float16", [2], [0x3800, 0x4200]))
      .initializer("long", typedFieldTensor("int64", [2], [3n, -4n]))
      .initializer("flags", boolTensor([3], [true, false, true]))
      .initializer("packed", tensor([2], new Uint8Array([0x12, 0x34])));
    const facts = factsOf(graph);
    assert.deepEqual(Array.from(facts.constant("half")!.values), [0.5, 3]);
    assert.deepEqual(Array.from(facts.constant("long")!.values), [3, -4]);
    assert.deepEqual(Array.from(facts.constant("flags")!.values), [1, 0, 1]);
    assert.deepEqual(Array.from(facts.constant("packed")!.values), [0x12, 0x34]);
    assert.equal(decodeTensor({ name: "s", elementType: "string", dims: [1], strings: ["a"] }), undefined);
    assert.equal(decodeTensor({ name: "e", elementType: "float", dims: [1], external: { tensor: "e", location: "w.bin" } }), undefined);
    assert.equal(decodeTensor({ name: "c", elementType: "complex64", dims: [1], raw: new Uint8Array(8) }), undefined);
  });

  test("numbers converted to a type: rounding of narrow floats, truncation and range of integers, bools", () => {
    assert.equal(convertNumber(0.1, "float"), Math.fround(0.1));
    assert.equal(convertNumber(1 + 2 ** -11, "float16"), 1, "a tie rounds to even");
    assert.equal(convertNumber(1 + 3 * 2 ** -11, "float16"), 1 + 2 ** -9);
    assert.equal(convertNumber(65519, "float16"), 65504);
    assert.equal(convertNumber(65520, "float16"), Infinity);
    assert.equal(convertNumber(1 + 2 ** -9, "bfloat16"), 1);
    assert.equal(convertNumber(-7.9, "int32"), -7);
    assert.equal(convertNumber(300, "uint8"), undefined);
    assert.equal(convertNumber(NaN, "int64"), undefined);
    assert.equal(convertNumber(-0.5, "bool"), 1);
    assert.equal(convertNumber(1, "string"), undefined);
  });
});

describe("robustness", () => {
  test("malformed nodes get no shape instead of an exception", () => {
    const graph = inputs({ x: [2, 3] });
    const badPerm = graph.op("Transpose", ["x"], { perm: [0, 5] });
    const badConv = graph.op("Conv", ["x", "x"], { kernel_shape: [3], pads: [1] });
    const noInputs = graph.op("Relu", []);
    const badEinsum = graph.op("Einsum", ["x"], { equation: "ijk->i" });
    const otherDomain = graph.op("Relu", ["x"], {}, { domain: "com.example" });
    const facts = factsOf(graph, { opsets: { "com.example": 1 } });
    for (const value of [badPerm, noInputs, badEinsum, otherDomain]) assert.equal(shape(facts, value), "unknown rank", value);
    assert.equal(shape(facts, badConv), "unknown rank");
  });

  test("random graphs of random ops with random attributes: facts for every value, never an exception", () => {
    const random = seededRandom(4);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const smallInts = (length: number) => Array.from({ length }, () => Math.floor(random() * 7) - 3);
    const ops = ["Add", "Mul", "Div", "Where", "Equal", "Relu", "Cast", "Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool", "Pad",
      "Resize", "Upsample", "DepthToSpace", "MatMul", "Gemm", "Einsum", "ReduceSum", "ReduceProd", "ArgMax", "TopK", "Reshape", "Flatten", "Transpose",
      "Squeeze", "Unsqueeze", "Concat", "Split", "Slice", "Gather", "Expand", "Tile", "Shape", "Size", "Constant", "ConstantOfShape", "Range", "OneHot"];
    for (let trial = 0; trial < 150; trial++) {
      const graph = inputs({ x: [pick([1, 2, "n"]), 3, 4, 4] });
      graph.initializer("ints", int64Tensor([4], smallInts(4))).initializer("scalar", int64Tensor([], [pick([-1, 0, 2])]));
      const values = ["x", "ints", "scalar"];
      for (let i = 0; i < 8; i++) {
        const attributes = {
          axis: pick([-2, -1, 0, 1, 5]), axes: ints(smallInts(pick([0, 1, 2]))), perm: ints(smallInts(pick([2, 4]))), pads: ints(smallInts(pick([2, 4, 8]))),
          kernel_shape: ints([pick([1, 2, 3]), pick([0, 1, 3])]), strides: ints([pick([1, 2]), pick([0, 1])]), to: pick([1, 6, 7, 9, 99]),
          keepdims: pick([0, 1]), blocksize: pick([0, 2]), equation: pick(["ij,jk", "...i->i", "bad"]), value: int64Tensor([1], [pick([0, 3])]),
        };
        const chosen = Object.fromEntries(Object.entries(attributes).filter(() => random() < 0.3));
        values.push(graph.op(pick(ops), Array.from({ length: pick([0, 1, 2, 3]) }, () => pick(values)), chosen));
      }
      const facts = factsOf(graph, { opset: pick([6, 9, 11, 13, 18]) });
      for (const value of values) {
        facts.shape(value);
        facts.elementType(value);
        facts.shapeVector(value);
        facts.constant(value);
      }
    }
  });

  test("nodes on a cycle keep what the model declares about their outputs", () => {
    const graph = inputs({ x: [2] });
    graph.node("Add", ["x", "b"], ["a"]).node("Relu", ["a"], ["b"]).valueInfo("b", "float", [2]);
    const facts = factsOf(graph);
    assert.equal(shape(facts, "b"), "[2]");
    assert.equal(facts.constant("a"), undefined);
  });
});

function bytes(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}
