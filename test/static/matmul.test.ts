/** Contractions: MatMul, Gemm and Einsum, with weights, with matched moves, with vectors, and with value groups. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { einsumLabels, matmulLabels } from "../../server/src/symmetry/static/rules/matmul";
import { float, floatTensor, GraphBuilder, randomFloats, seededRandom } from "../support/onnxBuilder";
import { assertVerdict, verdictOf } from "./support";

const TOKENS = "input x [batch, token, feature]\n";
const PERM = "symmetry perm = permute(token)\n";

/** out = x [batch, 5, 4] contracted with the weight `w` by `op` (MatMul or Einsum). */
function withWeight(dims: number[], values: number[], op: string, outputShape: number[], attributes: Record<string, string> = {}, xFirst = true): GraphBuilder {
  return new GraphBuilder("weighted")
    .input("x", "float", ["batch", 5, 4])
    .initializer("w", floatTensor(dims, values))
    .node(op, xFirst ? ["x", "w"] : ["w", "x"], ["out"], attributes, { name: "contract" })
    .output("out", "float", ["batch", ...outputShape]);
}

describe("weights along an axis the group does not move", () => {
  test("a per-token linear layer (x @ W along the features) keeps the permutation of tokens", async () => {
    const model = withWeight([4, 3], randomFloats(12, seededRandom(1)), "MatMul", [5, 3]);
    assertVerdict(await verdictOf(`${TOKENS}output out [batch, token, hidden]\n${PERM}equivariant out under perm\n`, model), "proved");
  });

  test("claimed invariant instead: violated, the output's token axis still moves", async () => {
    const model = withWeight([4, 3], randomFloats(12, seededRandom(1)), "MatMul", [5, 3]);
    assertVerdict(await verdictOf(`${TOKENS}output out [batch, token, hidden]\n${PERM}invariant out under perm\n`, model), "violated", "contract", /axis 1 \(token\) moves as token/);
  });
});

describe("weights along an axis the group moves", () => {
  const spec = `${TOKENS}output out [batch, mixed, feature]\n${PERM}invariant out under perm\n`;

  test("W @ x over the tokens with generic weights: violated, naming the weights and the largest difference", async () => {
    const model = withWeight([3, 5], [0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24], "MatMul", [3, 4], {}, false);
    assertVerdict(await verdictOf(spec, model), "violated", "contract", /contracts axis 1 \(token\) of x with w, which perm does not leave alone: w varies along axis 1, which perm moves: largest difference 1/);
  });

  test("W @ x over the tokens with every column equal (a sum over tokens): proved", async () => {
    const model = withWeight([3, 5], [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, -1, -1, -1, -1, -1], "MatMul", [3, 4], {}, false);
    assertVerdict(await verdictOf(spec, model), "proved");
  });

  test("weights fed as an input the spec does not declare: unknown", async () => {
    const model = new GraphBuilder("fed")
      .input("x", "float", ["batch", 5, 4])
      .input("w", "float", [3, 5])
      .node("MatMul", ["w", "x"], ["out"], {}, { name: "contract" })
      .output("out", "float", ["batch", 3, 4]);
    assertVerdict(await verdictOf(spec, model), "unknown", "contract", /w is not a constant of the model/);
  });
});

describe("matched moves on both operands", () => {
  test("adj @ x in a graph network: the sum over neighbours runs over matched entries (proved)", async () => {
    const model = new GraphBuilder("gnn")
      .input("adj", "float", ["batch", 5, 5])
      .input("x", "float", ["batch", 5, 4])
      .node("MatMul", ["adj", "x"], ["out"], {}, { name: "aggregate" })
      .output("out", "float", ["batch", 5, 4]);
    const spec = `input adj [batch, node, node]\ninput x [batch, node, feature]\noutput out [batch, node, feature]\nsymmetry relabel = permute(node)\nequivariant out under relabel\n`;
    assertVerdict(await verdictOf(spec, model), "proved");
  });

  test("x @ x^T over the features is a Gram matrix: both axes move with the tokens", async () => {
    const model = new GraphBuilder("gram")
      .input("x", "float", ["batch", 5, 4])
      .node("Transpose", ["x"], ["xt"], { perm: [0, 2, 1] }, { name: "transpose" })
      .node("MatMul", ["x", "xt"], ["out"], {}, { name: "gram" })
      .output("out", "float", ["batch", 5, 5]);
    assertVerdict(await verdictOf(`${TOKENS}output out [batch, token, token]\n${PERM}equivariant out under perm\n`, model), "proved");
  });

  test("contracting the tokens of x with an axis of z that the group does not move: violated; z not moved at all: unknown", async () => {
    const model = new GraphBuilder("mismatch")
      .input("x", "float", ["batch", 5, 4])
      .input("z", "float", ["batch", 5, 5])
      .node("MatMul", ["z", "x"], ["out"], {}, { name: "mix" })
      .output("out", "float", ["batch", 5, 4]);
    const matched = `${TOKENS}input z [batch, other, token]\noutput out [batch, other, feature]\n${PERM}invariant out under perm\n`;
    assertVerdict(await verdictOf(matched, model), "proved");
    const crossed = `${TOKENS}input z [batch, token, slot]\noutput out [batch, token, feature]\n${PERM}equivariant out under perm\n`;
    assertVerdict(await verdictOf(crossed, model), "violated", "mix", /contracts axis 1 \(token\) of x with z, which the group does not move along it/);
    const fixed = `${TOKENS}input z [batch, other, slot]\noutput out [batch, other, feature]\n${PERM}invariant out under perm\n`;
    assertVerdict(await verdictOf(fixed, model), "unknown", "mix", /z is not a constant of the model/);
  });
});

describe("Gemm after Flatten", () => {
  const SHIFT = "input x [batch, channel, y, x]\noutput out [batch, class]\nsymmetry shift = translate(y, x)\ninvariant out under shift\n";

  function flattenGemm(weights: number[], bias?: number[]): GraphBuilder {
    const graph = new GraphBuilder("flatten_gemm")
      .input("x", "float", ["batch", 2, 3, 3])
      .initializer("fc.weight", floatTensor([4, 18], weights))
      .node("Flatten", ["x"], ["features"], { axis: 1 }, { name: "flatten" });
    if (bias) graph.initializer("fc.bias", floatTensor([4], bias));
    return graph.node("Gemm", ["features", "fc.weight", ...(bias ? ["fc.bias"] : [])], ["out"], { transB: 1 }, { name: "fc" }).output("out", "float", ["batch", 4]);
  }

  test("generic weights over the flattened (channel, y, x): violated at the Gemm, naming the Flatten and the largest difference", async () => {
    const check = await verdictOf(SHIFT, flattenGemm(randomFloats(72, seededRandom(3))));
    assertVerdict(check, "violated", "fc", /contracts axis 1 \(y and x with other axes merged by flatten\) of features with fc\.weight, which shift does not leave alone: .*largest difference \d/);
  });

  test("weights that are the same at every (y, x), per channel (a global sum pool folded in): proved, with a bias", async () => {
    const perChannel = randomFloats(8, seededRandom(4));
    const weights = Array.from({ length: 72 }, (_, i) => perChannel[Math.floor(i / 18) * 2 + Math.floor((i % 18) / 9)]);
    assertVerdict(await verdictOf(SHIFT, flattenGemm(weights, [0.1, 0.2, 0.3, 0.4])), "proved");
  });

  test("weights invariant under quarter turns of the 3x3 plane prove a turn; generic ones do not", async () => {
    const spec = SHIFT.replace("symmetry shift = translate(y, x)\ninvariant out under shift", "symmetry turn = rotate90(y, x)\ninvariant out under turn");
    // Per (class, channel): one value for the centre, one for the edges, one for the corners.
    const [corner, edge, centre] = [0.3, -0.7, 1.1];
    const kernel = [corner, edge, corner, edge, centre, edge, corner, edge, corner];
    assertVerdict(await verdictOf(spec, flattenGemm(Array.from({ length: 8 }, (_, k) => kernel.map((v) => v * (k + 1))).flat())), "proved");
    assertVerdict(await verdictOf(spec, flattenGemm(randomFloats(72, seededRandom(5)))), "violated", "fc", /quarter turn/);
  });
});

describe("value groups: products add exponents", () => {
  test("a linear layer is homogeneous of degree 1; a product of two scaled inputs has degree 2", async () => {
    const linear = withWeight([4, 3], randomFloats(12, seededRandom(6)), "MatMul", [5, 3]);
    assertVerdict(await verdictOf(`${TOKENS}output out [batch, token, hidden]\nsymmetry s = scale(x, out)\nequivariant out under s\n`, linear), "proved");
    const gram = new GraphBuilder("gram")
      .input("x", "float", ["batch", 5, 4])
      .node("Transpose", ["x"], ["xt"], { perm: [0, 2, 1] }, { name: "transpose" })
      .node("MatMul", ["x", "xt"], ["out"], {}, { name: "gram" })
      .output("out", "float", ["batch", 5, 5]);
    const check = await verdictOf(`${TOKENS}output out [batch, token, other]\nsymmetry s = scale(x, out)\nequivariant out under s\n`, gram);
    assertVerdict(check, "violated", "gram", /scales with degree 2/);
  });

  test("Gemm's bias breaks oddness; a zero bias does not", async () => {
    const gemm = (bias: number[]) =>
      new GraphBuilder("odd")
        .input("x", "float", ["batch", 4])
        .initializer("w", floatTensor([4, 2], randomFloats(8, seededRandom(7))))
        .initializer("b", floatTensor([2], bias))
        .node("Gemm", ["x", "w", "b"], ["out"], {}, { name: "fc" })
        .output("out", "float", ["batch", 2]);
    const spec = "input x [batch, feature]\noutput out [batch, hidden]\nsymmetry neg = negate(x, out)\nequivariant out under neg\n";
    assertVerdict(await verdictOf(spec, gemm([0.5, -0.5])), "violated", "fc", /adds the bias b/);
    assertVerdict(await verdictOf(spec, gemm([0, 0])), "proved");
  });
});

describe("positions through contractions", () => {
  const spec = (kind: string, group = "E") => `input pos [batch, atom, xyz: point]\noutput out [batch, _, xyz: ${kind}]\nsymmetry rigid = ${group}(xyz)\nequivariant out under rigid\n`;
  /** out = w @ pos: each output row a combination of the 3 atoms' positions with the coefficients in a row of w. */
  const combined = (rows: number[][], op = "MatMul", attributes: Record<string, string> = {}) =>
    new GraphBuilder("combined")
      .input("pos", "float", ["batch", 3, 3])
      .initializer("w", floatTensor([rows.length, 3], rows.flat()))
      .node(op, ["w", "pos"], ["out"], attributes, { name: "mix" })
      .output("out", "float", ["batch", rows.length, 3]);

  test("coefficients that sum to 1 in every row average positions: a position", async () => {
    assertVerdict(await verdictOf(spec("point"), combined([[0.2, 0.3, 0.5], [1, 1, -1]])), "proved");
    assertVerdict(await verdictOf(spec("point"), combined([[0.2, 0.3, 0.5], [1, 1, -1]], "Einsum", { equation: "mn,bnd->bmd" })), "proved");
  });

  test("coefficients that sum to 0 make differences of positions: vectors", async () => {
    const differences = combined([[1, -1, 0], [0.5, 0.5, -1]]);
    assertVerdict(await verdictOf(spec("vector"), differences), "proved");
    assertVerdict(await verdictOf(spec("point"), differences), "violated", "mix", /is rotated as a vector of xyz, where the claim needs it to be one that is rotated as a point/);
  });

  test("other coefficients: violated under translations, naming their sum; without translations the positions are vectors", async () => {
    const generic = combined([[1, 2, 3], [0.5, 0.5, 0]]);
    assertVerdict(await verdictOf(spec("point"), generic), "violated", "mix", /combines the positions along axis 2 \(the point axis xyz\) of pos with coefficients that sum to 6/);
    assertVerdict(await verdictOf(spec("point", "SO"), generic), "proved");
  });

  test("Gemm's alpha scales the coefficients; coefficients computed from another input: unknown", async () => {
    const gemm = (alpha: number) =>
      new GraphBuilder("gemm")
        .input("pos", "float", [3, 3])
        .initializer("w", floatTensor([2, 3], [1, 1, 0, 0, 1, 1]))
        .node("Gemm", ["w", "pos"], ["out"], { alpha: float(alpha) }, { name: "mix" })
        .output("out", "float", [2, 3]);
    const gemmSpec = "input pos [atom, xyz: point]\noutput out [_, xyz: point]\nsymmetry rigid = SE(xyz)\nequivariant out under rigid\n";
    assertVerdict(await verdictOf(gemmSpec, gemm(0.5)), "proved");
    assertVerdict(await verdictOf(gemmSpec, gemm(1)), "violated", "mix", /coefficients that sum to 2/);
    const attention = new GraphBuilder("attention")
      .input("pos", "float", ["batch", 3, 3])
      .input("weights", "float", ["batch", 3, 3])
      .node("MatMul", ["weights", "pos"], ["out"], {}, { name: "mix" })
      .output("out", "float", ["batch", 3, 3]);
    const attentionSpec = "input pos [batch, atom, xyz: point]\ninput weights [batch, _, _]\noutput out [batch, atom, xyz: point]\nsymmetry rigid = E(xyz)\nequivariant out under rigid\n";
    assertVerdict(await verdictOf(attentionSpec, attention), "unknown", "mix", /coefficients from weights, which is not a known constant/);
  });
});

describe("Einsum", () => {
  test("labels: explicit, implicit, and an ellipsis broadcast from the right", () => {
    assert.deepEqual(einsumLabels("bij,bjk->bik", [3, 3]), { inputs: [["b", "i", "j"], ["b", "j", "k"]], output: ["b", "i", "k"] });
    assert.deepEqual(einsumLabels("ij,jk", [2, 2]), { inputs: [["i", "j"], ["j", "k"]], output: ["i", "k"] });
    assert.deepEqual(einsumLabels("...qd, kd -> ...qk", [4, 2]), {
      inputs: [
        ["...0", "...1", "q", "d"],
        ["k", "d"],
      ],
      output: ["...0", "...1", "q", "k"],
    });
    assert.match(einsumLabels("ij,jk->ik", [3, 2]) as string, /does not fit operands of ranks 3, 2/);
    assert.deepEqual(matmulLabels(3, 2), { a: ["batch0", "n", "k"], b: ["k", "m"], output: ["batch0", "n", "m"] });
  });

  test("message passing written as Einsum (adjacency times features, then a weight): proved", async () => {
    const model = new GraphBuilder("gnn")
      .input("adj", "float", ["batch", 5, 5])
      .input("x", "float", ["batch", 5, 4])
      .initializer("w", floatTensor([4, 3], randomFloats(12, seededRandom(8))))
      .node("Einsum", ["adj", "x"], ["messages"], { equation: "bij,bjf->bif" }, { name: "aggregate" })
      .node("Einsum", ["messages", "w"], ["out"], { equation: "bnf,fh->bnh" }, { name: "update" })
      .output("out", "float", ["batch", 5, 3]);
    const spec = `input adj [batch, node, node]\ninput x [batch, node, feature]\noutput out [batch, node, hidden]\nsymmetry relabel = permute(node)\nequivariant out under relabel\n`;
    assertVerdict(await verdictOf(spec, model), "proved");
  });

  test("weights indexed by token position, summed over tokens: violated", async () => {
    const model = withWeight([5, 4], randomFloats(20, seededRandom(9)), "Einsum", [4], { equation: "btf,tf->bf" });
    const check = await verdictOf(`${TOKENS}output out [batch, feature]\n${PERM}invariant out under perm\n`, model);
    assertVerdict(check, "violated", "contract", /contracts axis 1 \(token\) of x with w/);
  });

  test("a dot product of two vectors is rotation invariant; weights along the vector axis are not", async () => {
    const dot = new GraphBuilder("dot")
      .input("u", "float", ["batch", 3])
      .input("v", "float", ["batch", 3])
      .node("Einsum", ["u", "v"], ["out"], { equation: "bi,bi->b" }, { name: "dot" })
      .output("out", "float", ["batch"]);
    const spec = "input u [batch, xyz]\ninput v [batch, xyz]\noutput out [batch]\nsymmetry rot = O(xyz)\ninvariant out under rot\n";
    assertVerdict(await verdictOf(spec, dot), "proved");
    const projected = new GraphBuilder("projected")
      .input("u", "float", ["batch", 3])
      .initializer("w", floatTensor([3, 2], randomFloats(6, seededRandom(10))))
      .node("MatMul", ["u", "w"], ["out"], {}, { name: "project" })
      .output("out", "float", ["batch", 2]);
    const projectedSpec = "input u [batch, xyz]\noutput out [batch, feature]\nsymmetry rot = SO(xyz)\ninvariant out under rot\n";
    assertVerdict(await verdictOf(projectedSpec, projected), "violated", "project", /a weight matrix applied along a vector axis does not commute with rotations/);
  });

  test("a dot product of points is not invariant under translations", async () => {
    const dot = new GraphBuilder("dot")
      .input("p", "float", ["batch", 3])
      .input("q", "float", ["batch", 3])
      .node("Einsum", ["p", "q"], ["out"], { equation: "bi,bi->b" }, { name: "dot" })
      .output("out", "float", ["batch"]);
    const spec = "input p [batch, xyz: point]\ninput q [batch, xyz: point]\noutput out [batch]\nsymmetry rigid = SE(xyz)\ninvariant out under rigid\n";
    assertVerdict(await verdictOf(spec, dot), "violated", "dot", /changes when points are translated/);
  });

  test("a diagonal (a label repeated in one operand): unknown", async () => {
    const model = new GraphBuilder("trace")
      .input("adj", "float", ["batch", 5, 5])
      .node("Einsum", ["adj"], ["out"], { equation: "bii->b" }, { name: "trace" })
      .output("out", "float", ["batch"]);
    const spec = "input adj [batch, node, node]\noutput out [batch]\nsymmetry relabel = permute(node)\ninvariant out under relabel\n";
    assertVerdict(await verdictOf(spec, model), "unknown", "trace", /diagonal/);
  });
});
