/**
 * Whole architectures, each a small model as exporters write it: set models, graph networks,
 * attention with and without positional embeddings, CNNs with a flattening head, a group
 * convolution. Each asserts the verdict and the node named.
 */
import { describe, test } from "node:test";
import { floatTensor, GraphBuilder, int64Tensor, randomFloats, seededRandom } from "../support/onnxBuilder";
import { assertVerdict, exampleChecks, staticChecks, verdictOf } from "./support";

const random = seededRandom(42);

/** A fresh weight initializer of the given shape, named `name`, on the graph. */
function weight(graph: GraphBuilder, name: string, dims: number[]): string {
  graph.initializer(name, floatTensor(dims, randomFloats(dims.reduce((a, b) => a * b, 1), random, 0.5)));
  return name;
}

/** A linear layer along the last axis (MatMul, then Add of a bias), named `name`. */
function linear(graph: GraphBuilder, input: string, name: string, inputs: number, outputs: number): string {
  graph.node("MatMul", [input, weight(graph, `${name}.weight`, [inputs, outputs])], [`${name}.matmul`], {}, { name: `${name}.matmul` });
  graph.node("Add", [`${name}.matmul`, weight(graph, `${name}.bias`, [outputs])], [`${name}.out`], {}, { name: `${name}.add` });
  return `${name}.out`;
}

function relu(graph: GraphBuilder, input: string, name: string): string {
  graph.node("Relu", [input], [name], {}, { name });
  return name;
}

describe("set models", () => {
  test("the DeepSets example: pooled invariant and scores equivariant under permutations, both proved", async () => {
    const [pooled, scores] = await exampleChecks("deepsets");
    assertVerdict(pooled, "proved");
    assertVerdict(scores, "proved");
  });

  test("a PointNet-style classifier (shared MLP, max over points, linear head): invariant under point permutations", async () => {
    const g = new GraphBuilder("pointnet").input("points", "float", ["batch", 16, 3]).output("logits", "float", ["batch", 5]);
    const hidden = relu(g, linear(g, relu(g, linear(g, "points", "mlp1", 3, 8), "act1"), "mlp2", 8, 12), "act2");
    g.initializer("point_axis", int64Tensor([1], [1]));
    g.node("ReduceMax", [hidden, "point_axis"], ["global"], { keepdims: 0 }, { name: "max_pool" });
    g.node("Gemm", ["global", weight(g, "head.weight", [5, 12]), weight(g, "head.bias", [5])], ["logits"], { transB: 1 }, { name: "head" });
    const spec = "input points [batch, point, xyz]\noutput logits [batch, class]\nsymmetry perm = permute(point)\ninvariant logits under perm\n";
    // ReduceMax takes its axes as an input from opset 18 on.
    assertVerdict(await verdictOf(spec, g, { opset: 18 }), "proved");
  });
});

describe("graph networks", () => {
  const SPEC = "input adj [batch, node, node]\ninput x [batch, node, feature]\nsymmetry relabel = permute(node)\n";

  function messagePassing(): GraphBuilder {
    const g = new GraphBuilder("gnn").input("adj", "float", ["batch", 6, 6]).input("x", "float", ["batch", 6, 4]);
    g.node("MatMul", ["adj", "x"], ["aggregated"], {}, { name: "aggregate" });
    relu(g, linear(g, "aggregated", "update", 4, 8), "node_features");
    return g;
  }

  test("adj @ x then a weight: node features equivariant under relabelling, proved", async () => {
    const g = messagePassing().output("node_features", "float", ["batch", 6, 8]);
    assertVerdict(await verdictOf(`${SPEC}output node_features [batch, node, hidden]\nequivariant node_features under relabel\n`, g), "proved");
  });

  test("a sum readout over the nodes: the graph's embedding is invariant, proved", async () => {
    const g = messagePassing().output("graph", "float", ["batch", 8]);
    g.initializer("node_axis", int64Tensor([1], [1]));
    g.node("ReduceSum", ["node_features", "node_axis"], ["graph"], { keepdims: 0 }, { name: "readout" });
    assertVerdict(await verdictOf(`${SPEC}output graph [batch, hidden]\ninvariant graph under relabel\n`, g), "proved");
  });
});

describe("attention", () => {
  const [tokens, width] = [5, 8];
  const SPEC = "input x [batch, token, feature]\noutput out [batch, token, feature]\nsymmetry perm = permute(token)\nequivariant out under perm\n";

  /** Single-head self-attention on `input`: softmax(Q K^T / sqrt(d)) V, then an output projection to `out`. */
  function selfAttention(g: GraphBuilder, input: string): void {
    g.node("MatMul", [input, weight(g, "wq", [width, width])], ["q"], {}, { name: "q_proj" });
    g.node("MatMul", [input, weight(g, "wk", [width, width])], ["k"], {}, { name: "k_proj" });
    g.node("MatMul", [input, weight(g, "wv", [width, width])], ["v"], {}, { name: "v_proj" });
    g.node("Transpose", ["k"], ["kt"], { perm: [0, 2, 1] }, { name: "k_transpose" });
    g.node("MatMul", ["q", "kt"], ["scores"], {}, { name: "scores" });
    g.initializer("scale", floatTensor([], [1 / Math.sqrt(width)]));
    g.node("Mul", ["scores", "scale"], ["scaled"], {}, { name: "scale" });
    g.node("Softmax", ["scaled"], ["weights"], { axis: -1 }, { name: "softmax" });
    g.node("MatMul", ["weights", "v"], ["context"], {}, { name: "context" });
    g.node("MatMul", ["context", weight(g, "wo", [width, width])], ["out"], {}, { name: "out_proj" });
  }

  test("without a positional embedding: equivariant under token permutations, proved", async () => {
    const g = new GraphBuilder("attention").input("x", "float", ["batch", tokens, width]).output("out", "float", ["batch", tokens, width]);
    selfAttention(g, "x");
    assertVerdict(await verdictOf(SPEC, g), "proved");
  });

  test("with a learned positional embedding added to the tokens: violated, naming the Add", async () => {
    const g = new GraphBuilder("attention").input("x", "float", ["batch", tokens, width]).output("out", "float", ["batch", tokens, width]);
    g.node("Add", ["x", weight(g, "pos_emb", [1, tokens, width])], ["positioned"], {}, { name: "add_position" });
    selfAttention(g, "positioned");
    assertVerdict(await verdictOf(SPEC, g), "violated", "add_position", /pos_emb varies along axis 1 \(token\)/);
  });

  test("multi-head: heads split by Reshape and Transpose, merged back: proved", async () => {
    const [heads, size] = [2, width / 2];
    const g = new GraphBuilder("mha").input("x", "float", ["batch", tokens, width]).output("out", "float", ["batch", tokens, width]);
    g.initializer("split_heads", int64Tensor([4], [0, 0, heads, size]));
    g.initializer("merge_heads", int64Tensor([3], [0, 0, width]));
    const project = (name: string) => {
      g.node("MatMul", ["x", weight(g, `w${name}`, [width, width])], [`${name}_flat`], {}, { name: `${name}_proj` });
      g.node("Reshape", [`${name}_flat`, "split_heads"], [`${name}_split`], {}, { name: `${name}_split` });
      g.node("Transpose", [`${name}_split`], [name], { perm: name === "k" ? [0, 2, 3, 1] : [0, 2, 1, 3] }, { name: `${name}_heads` });
    };
    ["q", "k", "v"].forEach(project);
    g.node("MatMul", ["q", "k"], ["scores"], {}, { name: "scores" });
    g.node("Softmax", ["scores"], ["weights"], { axis: 3 }, { name: "softmax" });
    g.node("MatMul", ["weights", "v"], ["context"], {}, { name: "context" });
    g.node("Transpose", ["context"], ["context_tokens"], { perm: [0, 2, 1, 3] }, { name: "context_tokens" });
    g.node("Reshape", ["context_tokens", "merge_heads"], ["merged"], {}, { name: "merge" });
    g.node("MatMul", ["merged", weight(g, "wo", [width, width])], ["out"], {}, { name: "out_proj" });
    assertVerdict(await verdictOf(SPEC, g), "proved");
  });

  test("an encoder pooled by its first token (a class token): violated, naming the Gather", async () => {
    const g = new GraphBuilder("cls").input("x", "float", ["batch", tokens, width]).output("pooled", "float", ["batch", width]);
    relu(g, linear(g, "x", "ffn", width, width), "hidden");
    g.initializer("first", int64Tensor([], [0]));
    g.node("Gather", ["hidden", "first"], ["pooled"], { axis: 1 }, { name: "take_cls" });
    const spec = "input x [batch, token, feature]\noutput pooled [batch, feature]\nsymmetry perm = permute(token)\ninvariant pooled under perm\n";
    assertVerdict(await verdictOf(spec, g), "violated", "take_cls", /picks entries \(0\) of axis 1 \(token\)/);
  });

  test("token ids through an embedding table, a feed-forward layer and mean pooling: invariant, proved", async () => {
    const g = new GraphBuilder("bag").input("ids", "int64", ["batch", tokens]).output("pooled", "float", ["batch", width]);
    g.node("Gather", [weight(g, "embedding", [50, width]), "ids"], ["embedded"], { axis: 0 }, { name: "embed" });
    relu(g, linear(g, "embedded", "ffn", width, width), "hidden");
    g.initializer("token_axis", int64Tensor([1], [1]));
    g.node("ReduceMean", ["hidden", "token_axis"], ["pooled"], { keepdims: 0 }, { name: "mean_pool" });
    const spec = "input ids [batch, token]\noutput pooled [batch, feature]\nsymmetry perm = permute(token)\ninvariant pooled under perm\ncheck { input ids ~ integers(0, 50) }\n";
    // ReduceMean takes its axes as an input from opset 18 on.
    assertVerdict(await verdictOf(spec, g, { opset: 18 }), "proved");
  });
});

describe("convolutional networks with a flattening head", () => {
  test("the flatten_cnn example: violated at the Gemm, naming the Flatten and the largest weight difference", async () => {
    const [check] = await exampleChecks("flatten_cnn");
    assertVerdict(check, "violated", "fc", /y and x with other axes merged by flatten.*largest difference/);
  });

  test("PyTorch's flatten (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) then Gemm: violated at the Gemm, naming the Reshape", async () => {
    const g = new GraphBuilder("torch_flatten").input("image", "float", ["batch", 2, 6, 6]).output("logits", "float", ["batch", 3]);
    g.initializer("pads", int64Tensor([8], [0, 0, 1, 1, 0, 0, 1, 1]));
    g.node("Pad", ["image", "pads"], ["padded"], { mode: "wrap" }, { name: "pad" });
    g.node("Conv", ["padded", weight(g, "conv.weight", [4, 2, 3, 3])], ["conv"], { kernel_shape: [3, 3] }, { name: "conv" });
    relu(g, "conv", "features");
    g.initializer("zero", int64Tensor([], [0]));
    g.initializer("zero_axis", int64Tensor([1], [0]));
    g.initializer("minus_one", int64Tensor([1], [-1]));
    g.node("Shape", ["features"], ["shape"], {}, { name: "shape" });
    g.node("Gather", ["shape", "zero"], ["batch_size"], { axis: 0 }, { name: "batch_size" });
    g.node("Unsqueeze", ["batch_size", "zero_axis"], ["batch_dim"], {}, { name: "batch_dim" });
    g.node("Concat", ["batch_dim", "minus_one"], ["target"], { axis: 0 }, { name: "target" });
    g.node("Reshape", ["features", "target"], ["flat"], {}, { name: "flatten" });
    g.node("Gemm", ["flat", weight(g, "fc.weight", [3, 144])], ["logits"], { transB: 1 }, { name: "fc" });
    const spec = "input image [batch, channel, y, x]\noutput logits [batch, class]\nsymmetry shift = translate(y, x)\ninvariant logits under shift\n";
    assertVerdict(await verdictOf(spec, g), "violated", "fc", /merged by flatten.*fc\.weight.*largest difference/);
  });

  test("the tiny_cnn example (global pooling before Flatten and Gemm): both claims proved", async () => {
    const [shift, turn] = await exampleChecks("tiny_cnn");
    assertVerdict(shift, "proved");
    assertVerdict(turn, "proved");
  });

  test("the p4conv example: the lifted channels split into [orientation, channel] carry the turn, proved", async () => {
    const [check] = await exampleChecks("p4conv");
    assertVerdict(check, "proved");
  });
});

describe("geometry", () => {
  test("pairwise dot products of positions (a Gram matrix by Einsum): invariant under rotations, equivariant under relabelling", async () => {
    const g = new GraphBuilder("gram").input("pos", "float", ["batch", 5, 3]).output("gram", "float", ["batch", 5, 5]);
    g.node("Einsum", ["pos", "pos"], ["gram"], { equation: "bai,bci->bac" }, { name: "gram" });
    const spec =
      "input pos [batch, atom, xyz]\noutput gram [batch, atom, atom]\nsymmetry rot = O(xyz)\nsymmetry relabel = permute(atom)\ninvariant gram under rot\nequivariant gram under relabel\n";
    const [rotation, relabelling] = await staticChecks(spec, g);
    assertVerdict(rotation, "proved");
    assertVerdict(relabelling, "proved");
  });
});
