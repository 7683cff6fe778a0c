/** Value groups (negate, scale) through broadcasting ops, reductions, normalizations and softmax. */
import { describe, test } from "node:test";
import { float, floatTensor, GraphBuilder, int64Tensor } from "../support/onnxBuilder";
import { assertVerdict, verdictOf } from "./support";

const FEATURES = "input x [batch, feature]\noutput out [batch, feature]\n";
const ODD = `${FEATURES}symmetry neg = negate(x, out)\nequivariant out under neg\n`;
const EVEN = `${FEATURES}symmetry neg = negate(x)\ninvariant out under neg\n`;
const HOMOGENEOUS = `${FEATURES}symmetry s = scale(x, out)\nequivariant out under s\n`;
const SCALE_INVARIANT = `${FEATURES}symmetry s = scale(x)\ninvariant out under s\n`;

function features(name: string): GraphBuilder {
  return new GraphBuilder(name).input("x", "float", ["batch", 4]).output("out", "float", ["batch", 4]);
}

/** Two layers of y = tanh(w * x (+ b)), with per-feature weights (matrix products are another family's). */
function mlp(bias?: number[]): GraphBuilder {
  const graph = features("mlp").initializer("w1", floatTensor([4], [0.5, -1, 2, 0.25])).initializer("w2", floatTensor([4], [1.5, 0.5, -0.5, 1]));
  graph.node("Mul", ["x", "w1"], ["h1"], {}, { name: "fc1" });
  let pre = "h1";
  if (bias) {
    graph.initializer("b1", floatTensor([4], bias)).node("Add", ["h1", "b1"], ["h1b"], {}, { name: "add_b1" });
    pre = "h1b";
  }
  return graph
    .node("Tanh", [pre], ["a1"], {}, { name: "tanh1" })
    .node("Mul", ["a1", "w2"], ["h2"], {}, { name: "fc2" })
    .node("Tanh", ["h2"], ["out"], {}, { name: "tanh2" });
}

describe("odd and even networks", () => {
  test("an odd MLP (Tanh, no biases) is odd: proved", async () => {
    assertVerdict(await verdictOf(ODD, mlp()), "proved");
  });

  test("a bias breaks oddness: violated, naming the Add", async () => {
    assertVerdict(await verdictOf(ODD, mlp([0.1, 0, -0.3, 0.2])), "violated", "add_b1", /adds b1, which does not change sign with the input, so the output is not odd/);
  });

  test("a bias of zeros adds nothing: still odd", async () => {
    assertVerdict(await verdictOf(ODD, mlp([0, 0, 0, 0])), "proved");
  });

  test("x * x and x^2 are even, x^3 odd; x^2 under scaling has degree 2, not 1", async () => {
    assertVerdict(await verdictOf(EVEN, features("square").node("Mul", ["x", "x"], ["out"], {}, { name: "square" })), "proved");
    const power = (n: number) => features(`power${n}`).initializer("n", floatTensor([], [n])).node("Pow", ["x", "n"], ["out"], {}, { name: "power" });
    assertVerdict(await verdictOf(EVEN, power(2)), "proved");
    assertVerdict(await verdictOf(ODD, power(3)), "proved");
    assertVerdict(await verdictOf(HOMOGENEOUS, power(2)), "violated", "power", /scales with degree 2, where the claim needs it to scale with degree 1/);
  });

  test("Max(x, 0) keeps positive scaling but is not odd", async () => {
    const relu = () => features("max0").initializer("zero", floatTensor([], [0])).node("Max", ["x", "zero"], ["out"], {}, { name: "max0" });
    assertVerdict(await verdictOf(HOMOGENEOUS, relu()), "proved");
    assertVerdict(await verdictOf(ODD, relu()), "violated", "max0", /maximum of values that change sign is not odd/);
  });

  test("a gate from a comparison: scaling keeps it, negation turns the comparison around", async () => {
    const gated = () =>
      features("gate")
        .initializer("zero", floatTensor([], [0]))
        .node("Greater", ["x", "zero"], ["positive"], {}, { name: "is_positive" })
        .node("Where", ["positive", "x", "zero"], ["out"], {}, { name: "gate" });
    assertVerdict(await verdictOf(HOMOGENEOUS, gated()), "proved");
    assertVerdict(await verdictOf(ODD, gated()), "violated", "is_positive", /turns Greater around/);
  });
});

describe("norms and normalizations", () => {
  const normalized = () =>
    features("unit")
      .node("ReduceL2", ["x"], ["norm"], { axes: [1], keepdims: 1 }, { name: "norm" })
      .node("Div", ["x", "norm"], ["out"], {}, { name: "divide" });

  test("x / ||x|| is invariant under scaling and odd", async () => {
    assertVerdict(await verdictOf(SCALE_INVARIANT, normalized(), { opset: 17 }), "proved");
    assertVerdict(await verdictOf(ODD, normalized(), { opset: 17 }), "proved");
  });

  test("a maximum over the features is not odd; a norm is even", async () => {
    const spec = "input x [batch, feature]\noutput out [batch]\nsymmetry neg = negate(x)\ninvariant out under neg\n";
    const reduced = (op: string) => new GraphBuilder(op).input("x", "float", ["batch", 4]).initializer("axes", int64Tensor([1], [1])).node(op, ["x", "axes"], ["out"], { keepdims: 0 }, { name: "reduce" }).output("out", "float", ["batch"]);
    assertVerdict(await verdictOf(spec, reduced("ReduceL2"), { opset: 18 }), "proved");
    assertVerdict(await verdictOf(spec, reduced("ReduceMax"), { opset: 18 }), "violated", "reduce", /ReduceMax of values that change sign is neither odd nor even/);
  });

  test("LayerNormalization undoes a scaling up to its epsilon: approximate, naming the effect", async () => {
    const model = features("ln").initializer("gamma", floatTensor([4], [1, 1, 1, 1])).node("LayerNormalization", ["x", "gamma"], ["out"], { axis: -1 }, { name: "ln" });
    assertVerdict(await verdictOf(SCALE_INVARIANT, model), "approximate", "ln", /the epsilon 0.00001 added to the variance/);
  });

  test("BatchNormalization is odd only when it shifts nothing", async () => {
    const spec = "input x [batch, channel, y, x]\noutput out [batch, channel, y, x]\nsymmetry neg = negate(x, out)\nequivariant out under neg\n";
    const batchNorm = (bias: number[], mean: number[]) =>
      new GraphBuilder("bn")
        .input("x", "float", ["batch", 2, 3, 3])
        .initializer("scale", floatTensor([2], [2, 0.5]))
        .initializer("bias", floatTensor([2], bias))
        .initializer("mean", floatTensor([2], mean))
        .initializer("var", floatTensor([2], [1, 4]))
        .node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["out"], { epsilon: float(0) }, { name: "bn" })
        .output("out", "float", ["batch", 2, 3, 3]);
    assertVerdict(await verdictOf(spec, batchNorm([0, 0], [0, 0])), "proved");
    // bias = scale * mean / sqrt(var): the shifts cancel.
    assertVerdict(await verdictOf(spec, batchNorm([1, 0.5], [0.5, 2])), "proved");
    assertVerdict(await verdictOf(spec, batchNorm([0.3, 0], [0, 0])), "violated", "bn", /shifts its channels by up to 0.3/);
  });

  test("softmax is neither odd nor homogeneous", async () => {
    const model = () => features("softmax").node("Softmax", ["x"], ["out"], {}, { name: "softmax" });
    assertVerdict(await verdictOf(ODD, model()), "violated", "softmax", /Softmax is not homogeneous/);
    assertVerdict(await verdictOf(SCALE_INVARIANT, model()), "violated", "softmax", /Softmax is not homogeneous/);
  });
});
