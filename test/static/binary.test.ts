/** Broadcasting ops under groups that move entries: biases, embeddings, masks and operands that disagree. */
import { describe, test } from "node:test";
import { floatTensor, GraphBuilder, int64Tensor, randomFloats, seededRandom } from "../support/onnxBuilder";
import { assertVerdict, verdictOf } from "./support";

const IMAGE = "input x [batch, channel, y, x]\noutput out [batch, channel, y, x]\n";
const SHIFT = `${IMAGE}symmetry shift = translate(y, x)\nequivariant out under shift\n`;

/** out = x + bias, x of shape [batch, 3, 6, 6]. */
function biased(dims: number[], values: number[]): GraphBuilder {
  return new GraphBuilder("biased")
    .input("x", "float", ["batch", 3, 6, 6])
    .initializer("bias", floatTensor(dims, values))
    .node("Add", ["x", "bias"], ["out"], {}, { name: "add_bias" })
    .output("out", "float", ["batch", 3, 6, 6]);
}

/** A 6x6 plane of values v(i, j). */
function plane(value: (i: number, j: number) => number): number[] {
  return Array.from({ length: 36 }, (_, k) => value(Math.floor(k / 6), k % 6));
}

describe("fixed operands under shifts, flips and turns", () => {
  test("a per-channel bias keeps translation: proved", async () => {
    assertVerdict(await verdictOf(SHIFT, biased([3, 1, 1], [0.1, -0.4, 2])), "proved");
  });

  test("a bias that varies along y breaks translation: violated, naming the Add and the axis", async () => {
    const check = await verdictOf(SHIFT, biased([6, 1], [0, 1, 2, 3, 4, 5]));
    assertVerdict(check, "violated", "add_bias", /bias varies along axis 2 \(y\), which shift moves: largest difference 5/);
  });

  test("a bias periodic with the step keeps a strided translation", async () => {
    const spec = `${IMAGE}symmetry shift = translate(y, x, step=2)\nequivariant out under shift\n`;
    assertVerdict(await verdictOf(spec, biased([6, 1], [1, 5, 1, 5, 1, 5])), "proved");
    assertVerdict(await verdictOf(spec, biased([6, 1], [1, 5, 2, 5, 1, 5])), "violated", "add_bias", /shifted by 2/);
  });

  test("a palindromic bias keeps a flip; a ramp breaks it", async () => {
    const spec = `${IMAGE}symmetry mirror = flip(x)\nequivariant out under mirror\n`;
    assertVerdict(await verdictOf(spec, biased([6], [3, 1, 2, 2, 1, 3])), "proved");
    assertVerdict(await verdictOf(spec, biased([6], [0, 1, 2, 3, 4, 5])), "violated", "add_bias", /changes under mirror's reflection of x: largest difference 5/);
  });

  test("a radial bias keeps quarter turns; a bias along y alone does not", async () => {
    const spec = `${IMAGE}symmetry turn = rotate90(y, x)\nequivariant out under turn\n`;
    const radial = plane((i, j) => (i - 2.5) ** 2 + (j - 2.5) ** 2);
    assertVerdict(await verdictOf(spec, biased([6, 6], radial)), "proved");
    assertVerdict(await verdictOf(spec, biased([6, 1], [0, 1, 2, 3, 4, 5])), "violated", "add_bias", /varies along axis 2 \(y\), which turn moves/);
    const skewed = plane((i, j) => i * 6 + j);
    assertVerdict(await verdictOf(spec, biased([6, 6], skewed)), "violated", "add_bias", /quarter turn of \(y, x\)/);
  });

  test("a bias fed as an input the spec does not declare: unknown, since its values are not known", async () => {
    const model = new GraphBuilder("masked")
      .input("x", "float", ["batch", 3, 6, 6])
      .input("mask", "float", [1, 1, 6, 6])
      .node("Mul", ["x", "mask"], ["out"], {}, { name: "apply_mask" })
      .output("out", "float", ["batch", 3, 6, 6]);
    assertVerdict(await verdictOf(SHIFT, model), "unknown", "apply_mask", /mask is not a constant of the model/);
  });
});

describe("tokens and sets under permutations", () => {
  const TOKENS = "input tokens [batch, token, feature]\noutput out [batch, token, feature]\nsymmetry perm = permute(token)\nequivariant out under perm\n";

  function embedded(values: number[]): GraphBuilder {
    return new GraphBuilder("embedded")
      .input("tokens", "float", ["batch", 5, 4])
      .initializer("pos_emb", floatTensor([5, 4], values))
      .node("Add", ["tokens", "pos_emb"], ["out"], {}, { name: "add_pos" })
      .output("out", "float", ["batch", 5, 4]);
  }

  test("a positional embedding that varies along token breaks the permutation: violated, naming it", async () => {
    const check = await verdictOf(TOKENS, embedded(randomFloats(20, seededRandom(3))));
    assertVerdict(check, "violated", "add_pos", /pos_emb varies along axis 1 \(token\), which perm moves: largest difference \d/);
  });

  test("an embedding with one row for every token (a per-feature bias) keeps it", async () => {
    const row = [0.5, -1, 2, 0.25];
    assertVerdict(await verdictOf(TOKENS, embedded(Array.from({ length: 5 }, () => row).flat())), "proved");
  });

  test("a mask computed from the tokens moves with them: Where(x > 0, x, 0) is equivariant", async () => {
    const model = new GraphBuilder("gated")
      .input("tokens", "float", ["batch", 5, 4])
      .initializer("zero", floatTensor([], [0]))
      .node("Greater", ["tokens", "zero"], ["positive"], {}, { name: "gt" })
      .node("Where", ["positive", "tokens", "zero"], ["out"], {}, { name: "gate" })
      .output("out", "float", ["batch", 5, 4]);
    assertVerdict(await verdictOf(TOKENS, model), "proved");
  });

  test("two inputs whose axes the group moves differently cannot be added: violated", async () => {
    const spec = "input a [batch, y, x]\ninput b [batch, x, y]\noutput out [batch, y, x]\nsymmetry shift = translate(y, x)\nequivariant out under shift\n";
    const model = new GraphBuilder("crossed")
      .input("a", "float", ["batch", 4, 4])
      .input("b", "float", ["batch", 4, 4])
      .node("Add", ["a", "b"], ["out"], {}, { name: "cross_add" })
      .output("out", "float", ["batch", 4, 4]);
    assertVerdict(await verdictOf(spec, model), "violated", "cross_add", /a has axis 1 \(y\) where b has axis 1 \(x\)/);
  });

  test("an adjacency matrix times node features broadcast along the neighbours: both axes keep the permutation", async () => {
    const spec = "input adj [batch, node, node]\ninput feat [batch, node]\noutput out [batch, node, node]\nsymmetry perm = permute(node)\nequivariant out under perm\n";
    const model = new GraphBuilder("weighted")
      .input("adj", "float", ["batch", 4, 4])
      .input("feat", "float", ["batch", 4])
      .initializer("last", int64Tensor([1], [2]))
      .node("Unsqueeze", ["feat", "last"], ["column"], {}, { name: "column" })
      .node("Mul", ["adj", "column"], ["out"], {}, { name: "weigh" })
      .output("out", "float", ["batch", 4, 4]);
    assertVerdict(await verdictOf(spec, model), "proved");
  });
});

describe("axes merged by Flatten", () => {
  const SPEC = "input x [batch, channel, y, x]\noutput out [batch]\nsymmetry shift = translate(y, x)\ninvariant out under shift\n";

  /**
   * Flatten [batch, 2, 3, 3] to [batch, 18], add a bias over the 18 features, Relu, sum them
   * (without the Relu, the sum would add the same total bias whatever the shift).
   */
  function flattenedBias(bias: number[]): GraphBuilder {
    return new GraphBuilder("flat_bias")
      .input("x", "float", ["batch", 2, 3, 3])
      .initializer("bias", floatTensor([18], bias))
      .initializer("features", int64Tensor([1], [1]))
      .node("Flatten", ["x"], ["flat"], { axis: 1 }, { name: "flatten" })
      .node("Add", ["flat", "bias"], ["biased"], {}, { name: "add_bias" })
      .node("Relu", ["biased"], ["activated"], {}, { name: "relu" })
      .node("ReduceSum", ["activated", "features"], ["out"], { keepdims: 0 }, { name: "total" })
      .output("out", "float", ["batch"]);
  }

  test("a bias that is the same over each channel's cells keeps the shifts of the merged y and x", async () => {
    const perChannel = [...Array(9).fill(0.5), ...Array(9).fill(-2)];
    assertVerdict(await verdictOf(SPEC, flattenedBias(perChannel)), "proved");
  });

  test("a bias that varies over the cells breaks them, naming the part of the merged axis", async () => {
    // About half the cells biased below zero, so that the Relu cuts some and shifts change which.
    const ramp = Array.from({ length: 18 }, (_, i) => (i - 8.5) / 4);
    assertVerdict(await verdictOf(SPEC, flattenedBias(ramp)), "violated", "add_bias", /bias varies along the y part of axis 1/);
  });
});
