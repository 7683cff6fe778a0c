/**
 * The graph index the analysis walks: nodes in topological order whatever the file's order, every
 * value numbered once, each node's inputs and outputs by number, and each value's producer.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readOnnxModel } from "../../server/src/onnx/reader";
import { indexGraph, NO_VALUE, type GraphIndex } from "../../server/src/symmetry/static/graph";
import { floatTensor, GraphBuilder } from "../support/onnxBuilder";

function index(graph: GraphBuilder): GraphIndex {
  return indexGraph(readOnnxModel(graph.toModelBytes()));
}

/** The names of node k's inputs (or outputs), `""` for an omitted one. */
function valuesOf(graph: GraphIndex, k: number, side: "input" | "output"): string[] {
  const [ids, start] = side === "input" ? [graph.inputIds, graph.inputStart] : [graph.outputIds, graph.outputStart];
  return Array.from(ids.subarray(start[k], start[k + 1]), (id) => (id === NO_VALUE ? "" : graph.names[id]));
}

describe("graph index", () => {
  test("nodes listed out of order are walked after the producers of their inputs", () => {
    const graph = new GraphBuilder("reversed").input("x", "float", [2]).output("out", "float", [2]);
    graph.node("Relu", ["b"], ["out"], {}, { name: "last" });
    graph.node("Add", ["a", "a"], ["b"], {}, { name: "middle" });
    graph.node("Neg", ["x"], ["a"], {}, { name: "first" });
    const indexed = index(graph);
    assert.deepEqual(indexed.order.map((node) => node.name), ["first", "middle", "last"]);
    assert.deepEqual(valuesOf(indexed, 1, "input"), ["a", "a"]);
    assert.deepEqual(valuesOf(indexed, 2, "output"), ["out"]);
    assert.equal(indexed.producer("b")?.name, "middle");
    assert.equal(indexed.producer("x"), undefined);
  });

  test("every value gets one number; graph inputs and weights are given, computed values are not", () => {
    const graph = new GraphBuilder("numbers").input("x", "float", [2]).output("out", "float", [2]).initializer("w", floatTensor([2], [1, 2]));
    graph.node("Mul", ["x", "w"], ["h"], {}, { name: "scale" }).node("Add", ["h", "w"], ["out"], {}, { name: "shift" });
    const indexed = index(graph);
    assert.deepEqual([...indexed.names].sort(), ["h", "out", "w", "x"]);
    assert.equal(indexed.valueCount, 4);
    const given = (name: string) => indexed.given[indexed.ids.get(name)!] === 1;
    assert.deepEqual(["x", "w", "h", "out"].map(given), [true, true, false, false]);
    assert.deepEqual(["x", "w", "h", "out"].map((name) => indexed.producers[indexed.ids.get(name)!]?.name), [undefined, undefined, "scale", "shift"]);
  });

  test("an omitted optional input has no number", () => {
    const graph = new GraphBuilder("optional").input("x", "float", [2]).output("out", "float", [2]);
    graph.node("Clip", ["x", "", ""], ["out"], {}, { name: "clip" });
    assert.deepEqual(valuesOf(index(graph), 0, "input"), ["x", "", ""]);
  });

  test("nodes on a cycle, and those after them, are left out: their outputs have no producer", () => {
    const graph = new GraphBuilder("cycle").input("x", "float", [2]).output("out", "float", [2]);
    graph.node("Add", ["x", "b"], ["a"], {}, { name: "add" });
    graph.node("Relu", ["a"], ["b"], {}, { name: "relu" });
    graph.node("Neg", ["b"], ["out"], {}, { name: "after" });
    graph.node("Abs", ["x"], ["side"], {}, { name: "side" });
    const indexed = index(graph);
    assert.deepEqual(indexed.order.map((node) => node.name), ["side"]);
    assert.equal(indexed.producer("a"), undefined);
    assert.equal(indexed.producer("side")?.name, "side");
  });
});
