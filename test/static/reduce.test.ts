/**
 * Reductions, ArgMax/TopK, softmax and normalizations under groups that move entries: sets pooled
 * by sums, grids reduced over one or both plane axes, axes as attributes and as inputs.
 */
import { describe, test } from "node:test";
import { floatTensor, GraphBuilder, int64Tensor, randomFloats, seededRandom } from "../support/onnxBuilder";
import { assertVerdict, staticChecks, verdictOf } from "./support";

const SET = "input points [batch, element, feature]\n";

describe("pooling sets", () => {
  test("DeepSets: a per-feature map, then a sum over the elements: the pooled output is invariant, the per-element scores equivariant", async () => {
    const spec = `${SET}output pooled [batch, feature]\noutput scores [batch, element]\nsymmetry perm = permute(element)\ninvariant pooled under perm\nequivariant scores under perm\n`;
    const model = new GraphBuilder("deepsets")
      .input("points", "float", ["batch", 5, 3])
      .initializer("w", floatTensor([3], [0.5, -2, 1.5]))
      .initializer("elements", int64Tensor([1], [1]))
      .initializer("features", int64Tensor([1], [2]))
      .node("Mul", ["points", "w"], ["scaled"], {}, { name: "phi" })
      .node("Relu", ["scaled"], ["h"], {}, { name: "relu" })
      .node("ReduceSum", ["h", "elements"], ["pooled"], { keepdims: 0 }, { name: "pool" })
      .node("ReduceSum", ["h", "features"], ["scores"], { keepdims: 0 }, { name: "score" })
      .output("pooled", "float", ["batch", 3])
      .output("scores", "float", ["batch", 5]);
    const [pooled, scores] = await staticChecks(spec, model);
    assertVerdict(pooled, "proved");
    assertVerdict(scores, "proved");
  });

  test("an equivariant layer x - mean(x) over the elements (axes as an attribute before opset 18, as an input from 18)", async () => {
    const spec = `${SET}output out [batch, element, feature]\nsymmetry perm = permute(element)\nequivariant out under perm\n`;
    const layer = (axesAsInput: boolean) => {
      const graph = new GraphBuilder("centered").input("points", "float", ["batch", 5, 3]).output("out", "float", ["batch", 5, 3]);
      if (axesAsInput) graph.initializer("elements", int64Tensor([1], [1])).node("ReduceMean", ["points", "elements"], ["mean"], {}, { name: "mean" });
      else graph.node("ReduceMean", ["points"], ["mean"], { axes: [1] }, { name: "mean" });
      return graph.node("Sub", ["points", "mean"], ["out"], {}, { name: "center" });
    };
    assertVerdict(await verdictOf(spec, layer(false), { opset: 17 }), "proved");
    assertVerdict(await verdictOf(spec, layer(true), { opset: 18 }), "proved");
  });

  test("axes that are not a known constant: unknown, naming the reduction", async () => {
    // The numeric check feeds the axes: 1, the element axis, for the output to have the declared shape.
    const spec = `${SET}output out [batch, feature]\nsymmetry perm = permute(element)\ninvariant out under perm\ncheck { input axes ~ integers(1, 2) }\n`;
    const model = new GraphBuilder("dynamic_axes")
      .input("points", "float", ["batch", 5, 3])
      .input("axes", "int64", [1])
      .node("ReduceSum", ["points", "axes"], ["out"], { keepdims: 0 }, { name: "pool" })
      .output("out", "float", ["batch", 3]);
    assertVerdict(await verdictOf(spec, model), "unknown", "pool", /axes are not a known constant/);
  });
});

describe("reducing grids", () => {
  const IMAGE = "input x [batch, channel, y, x]\n";
  const image = (name: string) => new GraphBuilder(name).input("x", "float", ["batch", 3, 6, 6]);

  test("a mean over both plane axes is invariant under quarter turns; a sum over x alone is violated", async () => {
    const spec = `${IMAGE}output out [batch, channel]\nsymmetry turn = rotate90(y, x)\ninvariant out under turn\n`;
    const both = image("both").node("ReduceMean", ["x"], ["out"], { axes: [2, 3], keepdims: 0 }, { name: "gap" }).output("out", "float", ["batch", 3]);
    assertVerdict(await verdictOf(spec, both, { opset: 17 }), "proved");
    // Invariant: an output with y but not x has no quarter turn of its own to be equivariant under.
    const spec1 = `${IMAGE}output out [batch, channel, y]\nsymmetry turn = rotate90(y, x)\ninvariant out under turn\n`;
    const one = image("one").initializer("last", int64Tensor([1], [3])).node("ReduceSum", ["x", "last"], ["out"], { keepdims: 0 }, { name: "row_sums" }).output("out", "float", ["batch", 3, 6]);
    assertVerdict(await verdictOf(spec1, one), "violated", "row_sums", /pools over axis 3 \(x\) but not axis 2 \(y\), which turn's quarter turns mix/);
  });

  test("reducing the channels (keepdims=0) keeps y and x, moved to their new places", async () => {
    const spec = `${IMAGE}output out [batch, y, x]\nsymmetry shift = translate(y, x)\nequivariant out under shift\n`;
    const model = image("channels").node("ReduceMax", ["x"], ["out"], { axes: [1], keepdims: 0 }, { name: "cmax" }).output("out", "float", ["batch", 6, 6]);
    assertVerdict(await verdictOf(spec, model, { opset: 17 }), "proved");
  });

  test("ArgMax over a shifted axis moves with the shift: an invariance claim is violated; over the channels it is equivariant", async () => {
    const spec = `${IMAGE}output out [batch, channel, x]\nsymmetry shift = translate(y, x)\ninvariant out under shift\n`;
    const overY = image("argmax_y").node("ArgMax", ["x"], ["out"], { axis: 2, keepdims: 0 }, { name: "where_y" }).output("out", "int64", ["batch", 3, 6]);
    assertVerdict(await verdictOf(spec, overY), "violated", "where_y", /index of the extreme entry along axis 2 \(y\) changes when shift moves that axis/);
    const specC = `${IMAGE}output out [batch, y, x]\nsymmetry shift = translate(y, x)\nequivariant out under shift\n`;
    const overC = image("argmax_c").node("ArgMax", ["x"], ["out"], { axis: 1, keepdims: 0 }, { name: "which_channel" }).output("out", "int64", ["batch", 6, 6]);
    assertVerdict(await verdictOf(specC, overC), "proved");
  });
});

describe("top entries, softmax and normalizations over moved axes", () => {
  const TOKENS = "input tokens [batch, token, feature]\n";
  const tokens = (name: string) => new GraphBuilder(name).input("tokens", "float", ["batch", 5, 4]);

  test("TopK over the tokens: its sorted values are invariant, its indices are violated", async () => {
    const spec = `${TOKENS}output best [batch, k, feature]\noutput where [batch, k, feature]\nsymmetry perm = permute(token)\ninvariant best under perm\ninvariant where under perm\n`;
    const model = tokens("topk")
      .initializer("k", int64Tensor([1], [2]))
      .node("TopK", ["tokens", "k"], ["best", "where"], { axis: 1 }, { name: "top2" })
      .output("best", "float", ["batch", 2, 4])
      .output("where", "int64", ["batch", 2, 4]);
    const [best, where] = await staticChecks(spec, model);
    assertVerdict(best, "proved");
    assertVerdict(where, "violated", "top2", /indices of the top entries along axis 1 \(token\)/);
  });

  test("attention weights: a softmax along a permuted axis is equivariant", async () => {
    const spec = "input scores [batch, token, token]\noutput weights [batch, token, token]\nsymmetry perm = permute(token)\nequivariant weights under perm\n";
    const model = new GraphBuilder("attention").input("scores", "float", ["batch", 5, 5]).node("Softmax", ["scores"], ["weights"], { axis: -1 }, { name: "softmax" }).output("weights", "float", ["batch", 5, 5]);
    assertVerdict(await verdictOf(spec, model), "proved");
  });

  test("Hardmax along a permuted axis: equivariant up to ties, which go to the first largest entry", async () => {
    const spec = "input scores [batch, token]\noutput choice [batch, token]\nsymmetry perm = permute(token)\nequivariant choice under perm\n";
    const model = new GraphBuilder("hardmax").input("scores", "float", ["batch", 5]).node("Hardmax", ["scores"], ["choice"], { axis: -1 }, { name: "pick" }).output("choice", "float", ["batch", 5]);
    assertVerdict(await verdictOf(spec, model), "approximate", "pick", /ties along axis 1 \(token\)/);
  });

  test("Softmax's axis by opset: coerced to 2-D before 13 (both plane axes), one axis from 13 (x alone breaks quarter turns)", async () => {
    const spec = "input x [batch, channel, y, x]\noutput out [batch, channel, y, x]\nsymmetry turn = rotate90(y, x)\nequivariant out under turn\n";
    const model = () => new GraphBuilder("spatial_softmax").input("x", "float", ["batch", 3, 6, 6]).node("Softmax", ["x"], ["out"], {}, { name: "softmax" }).output("out", "float", ["batch", 3, 6, 6]);
    assertVerdict(await verdictOf(spec, model(), { opset: 11 }), "proved");
    assertVerdict(await verdictOf(spec, model(), { opset: 13 }), "violated", "softmax", /pools over axis 3 \(x\) but not axis 2 \(y\)/);
  });

  test("LayerNormalization over the features keeps the token permutation; over tokens and features with a per-token scale it breaks it", async () => {
    const spec = `${TOKENS}output out [batch, token, feature]\nsymmetry perm = permute(token)\nequivariant out under perm\n`;
    const random = seededRandom(7);
    const perFeature = tokens("ln_feature")
      .initializer("gamma", floatTensor([4], randomFloats(4, random)))
      .initializer("beta", floatTensor([4], randomFloats(4, random)))
      .node("LayerNormalization", ["tokens", "gamma", "beta"], ["out"], { axis: -1 }, { name: "ln" })
      .output("out", "float", ["batch", 5, 4]);
    assertVerdict(await verdictOf(spec, perFeature), "proved");
    const perToken = tokens("ln_token")
      .initializer("gamma", floatTensor([5, 4], randomFloats(20, random)))
      .node("LayerNormalization", ["tokens", "gamma"], ["out"], { axis: 1 }, { name: "ln" })
      .output("out", "float", ["batch", 5, 4]);
    assertVerdict(await verdictOf(spec, perToken), "violated", "ln", /gamma varies along axis 1 \(token\), which perm moves: largest difference/);
  });

  test("InstanceNormalization keeps quarter turns; BatchNormalization keeps a channel permutation only with equal parameters", async () => {
    const spec = "input x [batch, channel, y, x]\noutput out [batch, channel, y, x]\nsymmetry turn = rotate90(y, x)\nequivariant out under turn\n";
    const instance = new GraphBuilder("instance")
      .input("x", "float", ["batch", 3, 6, 6])
      .initializer("gamma", floatTensor([3], [1, 2, 3]))
      .initializer("beta", floatTensor([3], [0, 1, -1]))
      .node("InstanceNormalization", ["x", "gamma", "beta"], ["out"], {}, { name: "norm" })
      .output("out", "float", ["batch", 3, 6, 6]);
    assertVerdict(await verdictOf(spec, instance), "proved");
    const specC = "input x [batch, channel, y, x]\noutput out [batch, channel, y, x]\nsymmetry mix = permute(channel)\nequivariant out under mix\n";
    const batchNorm = (scale: number[]) =>
      new GraphBuilder("batchnorm")
        .input("x", "float", ["batch", 3, 6, 6])
        .initializer("scale", floatTensor([3], scale))
        .initializer("bias", floatTensor([3], [0.5, 0.5, 0.5]))
        .initializer("mean", floatTensor([3], [0, 0, 0]))
        .initializer("var", floatTensor([3], [1, 1, 1]))
        .node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["out"], {}, { name: "bn" })
        .output("out", "float", ["batch", 3, 6, 6]);
    assertVerdict(await verdictOf(specC, batchNorm([2, 2, 2])), "proved");
    assertVerdict(await verdictOf(specC, batchNorm([1, 2, 3])), "violated", "bn", /scale varies along axis 1 \(channel\), which mix moves: largest difference 1/);
  });
});
