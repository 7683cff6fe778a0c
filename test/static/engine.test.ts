/** The engine and the verdicts, on graphs of elementwise ops: the rules every other family builds on. */
import { describe, test } from "node:test";
import { floatTensor, GraphBuilder } from "../support/onnxBuilder";
import { assertVerdict, staticChecks, verdictOf } from "./support";

const IMAGE = "input x [batch, channel, y, x]\noutput out [batch, channel, y, x]\n";

function chain(...ops: string[]): GraphBuilder {
  const graph = new GraphBuilder("chain").input("x", "float", ["batch", 3, 8, 8]).output("out", "float", ["batch", 3, 8, 8]);
  let previous = "x";
  ops.forEach((op, i) => {
    const next = i === ops.length - 1 ? "out" : `h${i}`;
    graph.node(op, [previous], [next], {}, { name: `${op.toLowerCase()}${i}` });
    previous = next;
  });
  return graph;
}

describe("elementwise chains", () => {
  test("any elementwise op commutes with shifts: proved", async () => {
    assertVerdict(await verdictOf(`${IMAGE}symmetry shift = translate(y, x)\nequivariant out under shift\n`, chain("Relu", "Sigmoid", "Exp")), "proved", null);
  });

  test("an equivariant output claimed invariant: violated, naming the output's axis", async () => {
    const check = await verdictOf(`${IMAGE}symmetry shift = translate(y, x)\ninvariant out under shift\n`, chain("Relu"));
    assertVerdict(check, "violated", "relu0", /axis 2 \(y\) moves as y/);
  });

  test("odd functions keep oddness; Relu breaks it and is named", async () => {
    const spec = `${IMAGE}symmetry neg = negate(x, out)\nequivariant out under neg\n`;
    assertVerdict(await verdictOf(spec, chain("Tanh", "Neg", "Sin")), "proved");
    assertVerdict(await verdictOf(spec, chain("Tanh", "Relu", "Tanh")), "violated", "relu1", /neither odd nor even/);
  });

  test("an even function of a negated input is invariant", async () => {
    assertVerdict(await verdictOf(`${IMAGE}symmetry neg = negate(x)\ninvariant out under neg\n`, chain("Tanh", "Abs", "Exp")), "proved");
  });

  test("Relu is positively homogeneous; Sigmoid is not", async () => {
    const spec = `${IMAGE}symmetry s = scale(x, out)\nequivariant out under s\n`;
    assertVerdict(await verdictOf(spec, chain("Relu", "Abs")), "proved");
    assertVerdict(await verdictOf(spec, chain("Relu", "Sigmoid")), "violated", "sigmoid1", /not positively homogeneous/);
  });

  test("an op without a rule: unknown, naming it", async () => {
    const check = await verdictOf(`${IMAGE}symmetry shift = translate(y, x)\nequivariant out under shift\n`, chain("Relu", "MadeUpOp"), {
      numeric: "skip",
      because: "onnxruntime has no MadeUpOp",
    });
    assertVerdict(check, "unknown", "madeupop1", /no rule for MadeUpOp/);
  });

  test("each symmetry of a claim is judged separately", async () => {
    const spec = `${IMAGE}symmetry shift = translate(y, x)\nsymmetry neg = negate(x)\ninvariant out under shift, neg\n`;
    const checks = await staticChecks(spec, chain("Abs"));
    assertVerdict(checks[0], "violated");
    assertVerdict(checks[1], "proved");
  });
});

describe("negation has order two", () => {
  test("the square of an odd tensor is even, so any function of it is invariant", async () => {
    const graph = new GraphBuilder("square").input("x", "float", ["batch", 8]).output("out", "float", ["batch", 8]);
    graph.node("Mul", ["x", "x"], ["squared"], {}, { name: "square" });
    graph.node("Sigmoid", ["squared"], ["out"], {}, { name: "sigmoid" });
    assertVerdict(await verdictOf("input x [batch, feature]\noutput out [batch, feature]\nsymmetry neg = negate(x)\ninvariant out under neg\n", graph), "proved");
  });
});

describe("effects survive ops of invariant inputs", () => {
  test("a valid convolution's border effect reaches an output computed after global pooling", async () => {
    const graph = new GraphBuilder("valid").input("x", "float", ["batch", 1, 8, 8]).output("out", "float", ["batch", 1, 1, 1]);
    graph.initializer("w", floatTensor([1, 1, 3, 3], [1, 1, 1, 1, 1, 1, 1, 1, 1]));
    graph.node("Conv", ["x", "w"], ["h"], { kernel_shape: [3, 3] }, { name: "conv" });
    graph.node("GlobalAveragePool", ["h"], ["pooled"], {}, { name: "pool" });
    graph.node("Softmax", ["pooled"], ["out"], { axis: 1 }, { name: "softmax" });
    const check = await verdictOf("input x [batch, channel, y, x]\noutput out [batch, channel, _, _]\nsymmetry shift = translate(y, x)\ninvariant out under shift\n", graph);
    assertVerdict(check, "approximate", "conv", /grid shrinks/);
  });
});
