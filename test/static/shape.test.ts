/** Shape ops: where the axes the group moves end up through Transpose, Reshape, Flatten, Concat, Slice, Gather... */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { factorPermutation } from "../../server/src/symmetry/static/rules/shape";
import { floatTensor, GraphBuilder, int64Tensor } from "../support/onnxBuilder";
import { assertVerdict, verdictOf } from "./support";

const INT64_MAX = 9223372036854775807n;

/** A chain from `x` to `out` through the given nodes ([op, extra inputs, attributes, name]), with declared shapes. */
function chain(input: (string | number)[], output: (string | number)[], steps: [op: string, extra: string[], attributes: Record<string, number | number[]>, name: string][]): GraphBuilder {
  const graph = new GraphBuilder("shapes").input("x", "float", input).output("out", "float", output);
  let previous = "x";
  steps.forEach(([op, extra, attributes, name], i) => {
    const next = i === steps.length - 1 ? "out" : `${name}_out`;
    graph.node(op, [previous, ...extra], [next], attributes, { name });
    previous = next;
  });
  return graph;
}

const TOKENS = "input x [batch, token, feature]\n";
const PERM = "symmetry perm = permute(token)\n";
const SHIFT = "symmetry shift = translate(y, x)\n";

describe("Transpose, Squeeze, Unsqueeze", () => {
  test("Transpose moves the roles with the axes: channels-last output proved", async () => {
    const model = chain(["batch", 3, 8, 8], ["batch", 8, 8, 3], [["Transpose", [], { perm: [0, 2, 3, 1] }, "to_nhwc"]]);
    const spec = `input x [batch, channel, y, x]\noutput out [batch, y, x, channel]\n${SHIFT}equivariant out under shift\n`;
    assertVerdict(await verdictOf(spec, model), "proved");
  });

  test("a Transpose that swaps y and x under a shift of y alone: the output's axes are named as moved wrongly", async () => {
    const model = chain(["batch", 3, 8, 8], ["batch", 3, 8, 8], [["Transpose", [], { perm: [0, 1, 3, 2] }, "swap"]]);
    const spec = `input x [batch, channel, y, x]\noutput out [batch, channel, y, x]\nsymmetry down = translate(y)\nequivariant out under down\n`;
    assertVerdict(await verdictOf(spec, model), "violated", "swap", /axis 2 \(y\) is not moved by the group/);
  });

  test("Unsqueeze then Squeeze with axes as inputs (opset 13): permutation of tokens proved", async () => {
    const model = chain(["batch", 5, 4], ["batch", 5, 4], [
      ["Unsqueeze", ["axis1"], {}, "add_axis"],
      ["Relu", [], {}, "relu"],
      ["Squeeze", ["axis1"], {}, "drop_axis"],
    ]).initializer("axis1", int64Tensor([1], [1]));
    assertVerdict(await verdictOf(`${TOKENS}output out [batch, token, feature]\n${PERM}equivariant out under perm\n`, model), "proved");
  });

  test("Unsqueeze and Squeeze with axes as attributes (opset 11), negative axes", async () => {
    const model = chain(["batch", 5, 4], ["batch", 5, 4], [
      ["Unsqueeze", [], { axes: [-1] }, "add_axis"],
      ["Squeeze", [], { axes: [3] }, "drop_axis"],
    ]);
    assertVerdict(await verdictOf(`${TOKENS}output out [batch, token, feature]\n${PERM}equivariant out under perm\n`, model, { opset: 11 }), "proved");
  });
});

describe("Reshape and Flatten", () => {
  test("an output claimed on a flattened (y, x): violated, naming the Flatten and what it merged", async () => {
    const model = chain(["batch", 3, 4, 4], ["batch", 48], [["Flatten", [], { axis: 1 }, "flatten"]]);
    const spec = `input x [batch, channel, y, x]\noutput out [batch, feature]\n${SHIFT}invariant out under shift\n`;
    assertVerdict(await verdictOf(spec, model), "violated", "flatten", /merges y and x with other axes \(by flatten\)/);
  });

  test("Flatten, an elementwise op, and a Reshape back: the merged axis splits into its roles again (proved)", async () => {
    const model = chain(["batch", 3, 4, 4], ["batch", 3, 4, 4], [
      ["Flatten", [], { axis: 1 }, "flatten"],
      ["Relu", [], {}, "relu"],
      ["Reshape", ["unflat"], {}, "unflatten"],
    ]).initializer("unflat", int64Tensor([4], [0, 3, 4, 4]));
    assertVerdict(await verdictOf(`input x [batch, channel, y, x]\noutput out [batch, channel, y, x]\n${SHIFT}equivariant out under shift\n`, model), "proved");
  });

  test("an op that does not follow merged axes loses the action at the Reshape that merged them", async () => {
    // [batch, 3, 4, 4] -> [batch, 12, 4, 1]: channel and y merged; a MaxPool then sees them as its channels.
    const model = chain(["batch", 3, 4, 4], ["batch", 12, 4, 1], [
      ["Reshape", ["shape"], {}, "fold_y"],
      ["MaxPool", [], { kernel_shape: [1, 1] }, "pool"],
    ]).initializer("shape", int64Tensor([4], [0, 12, 4, 1]));
    const spec = `input x [batch, channel, y, x]\noutput out [batch, feature, x, one]\nsymmetry down = translate(y)\ninvariant out under down\n`;
    assertVerdict(await verdictOf(spec, model), "violated", "fold_y", /fold_y merges y with other axes into one axis, which pool \(MaxPool\) does not follow/);
  });

  test("Reshape with -1 and a symbolic batch keeps the token axis and splits the features (multi-head layout)", async () => {
    const model = chain(["batch", 5, 8], ["batch", 5, 2, 4], [["Reshape", ["heads"], {}, "split_heads"]]).initializer("heads", int64Tensor([4], [0, -1, 2, 4]));
    const spec = `${TOKENS}output out [batch, token, head, dim]\n${PERM}equivariant out under perm\n`;
    assertVerdict(await verdictOf(spec, model), "proved");
  });

  test("a Reshape that splits the token axis in two: violated, naming it", async () => {
    const model = chain(["batch", 6, 4], ["batch", 2, 3, 4], [["Reshape", ["pairs"], {}, "pair_up"]]).initializer("pairs", int64Tensor([4], [0, 2, 3, 4]));
    const spec = `${TOKENS}output out [batch, group, member, feature]\n${PERM}invariant out under perm\n`;
    assertVerdict(await verdictOf(spec, model), "violated", "pair_up", /splits axis 1 \(token\) into 2 axes/);
  });

  test("a Reshape that merges a vector axis with the atoms: violated under rotations", async () => {
    const model = chain(["batch", 5, 3], ["batch", 15], [["Reshape", ["flat"], {}, "flat_coords"]]).initializer("flat", int64Tensor([2], [0, -1]));
    const spec = `input x [batch, atom, xyz]\noutput out [batch, coords]\nsymmetry rot = SO(xyz)\ninvariant out under rot\n`;
    assertVerdict(await verdictOf(spec, model), "violated", "flat_coords", /merges axis 2 \(the vector axis xyz\) with other axes, so its components are no longer rotated as one vector/);
  });

  test("a regular-representation axis merged with channels and split back keeps the group's permutation", async () => {
    const model = chain(["batch", 4, 2, 6, 6], ["batch", 4, 2, 6, 6], [
      ["Reshape", ["merge"], {}, "merge_orient"],
      ["Sigmoid", [], {}, "sigmoid"],
      ["Reshape", ["unmerge"], {}, "split_orient"],
    ])
      .initializer("merge", int64Tensor([4], [0, 8, 6, 6]))
      .initializer("unmerge", int64Tensor([5], [0, 4, 2, 6, 6]));
    const spec = `input x [batch, orient: turn, channel, y, x]\noutput out [batch, orient: turn, channel, y, x]\nsymmetry turn = rotate90(y, x)\nequivariant out under turn\n`;
    assertVerdict(await verdictOf(spec, model), "proved");
  });

  test("PixelShuffle by Reshape, Transpose, Reshape: y and x now move 2 cells per input cell, and weights periodic by 2 keep shifts", async () => {
    const shuffled = () =>
      chain(["batch", 4, 4, 4], ["batch", 1], [
        ["Reshape", ["blocks"], {}, "to_blocks"],
        ["Transpose", [], { perm: [0, 1, 4, 2, 5, 3] }, "interleave"],
        ["Reshape", ["image"], {}, "to_image"],
        ["Flatten", [], { axis: 1 }, "flatten"],
        ["Gemm", ["w"], { transB: 1 }, "fc"],
      ])
        .initializer("blocks", int64Tensor([6], [0, 1, 2, 2, 4, 4]))
        .initializer("image", int64Tensor([4], [0, 1, 8, 8]));
    const spec = `input x [batch, channel, y, x]\noutput out [batch, class]\n${SHIFT}invariant out under shift\n`;
    const periodic = Array.from({ length: 64 }, (_, k) => 1 + (Math.floor(k / 8) % 2) * 2 + (k % 2));
    assertVerdict(await verdictOf(spec, shuffled().initializer("w", floatTensor([1, 64], periodic))), "proved");
    const ramp = Array.from({ length: 64 }, (_, k) => k);
    assertVerdict(await verdictOf(spec, shuffled().initializer("w", floatTensor([1, 64], ramp))), "violated", "fc", /w changes when the y part of axis 1 is shifted by 2/);
  });

  test("value groups pass through reshapes untouched", async () => {
    const model = chain(["batch", 3, 4, 4], ["batch", 48], [["Flatten", [], { axis: 1 }, "flatten"]]);
    const spec = `input x [batch, channel, y, x]\noutput out [batch, feature]\nsymmetry neg = negate(x, out)\nequivariant out under neg\n`;
    assertVerdict(await verdictOf(spec, model), "proved");
  });

  test("a permutation that acts blockwise factors over a split; one that mixes the blocks does not", () => {
    // pi(k * 3 + c) = ((k + 1) mod 4) * 3 + c: a cycle of the 4 blocks, the same inside each.
    const blockwise = Array.from({ length: 12 }, (_, i) => ((Math.floor(i / 3) + 1) % 4) * 3 + (i % 3));
    assert.deepEqual(factorPermutation(blockwise, [4, 3]), [
      [1, 2, 3, 0],
      [0, 1, 2],
    ]);
    const mixing = [1, 0, ...Array.from({ length: 10 }, (_, i) => i + 2)];
    assert.equal(factorPermutation(mixing, [4, 3]), undefined);
  });
});

describe("Expand, Tile", () => {
  test("Expand along a new axis keeps the tokens' permutation", async () => {
    const model = chain(["batch", 5, 4], ["batch", 3, 5, 4], [
      ["Unsqueeze", ["axis1"], {}, "add_axis"],
      ["Expand", ["target"], {}, "copies"],
    ])
      .initializer("axis1", int64Tensor([1], [1]))
      .initializer("target", int64Tensor([4], [1, 3, 1, 1]));
    assertVerdict(await verdictOf(`${TOKENS}output out [batch, copy, token, feature]\n${PERM}equivariant out under perm\n`, model), "proved");
  });

  test("Tile along the features keeps a permutation of tokens; along the tokens it breaks it", async () => {
    const spec = `${TOKENS}output out [batch, token, feature]\n${PERM}equivariant out under perm\n`;
    const features = chain(["batch", 5, 4], ["batch", 5, 8], [["Tile", ["repeats"], {}, "tile"]]).initializer("repeats", int64Tensor([3], [1, 1, 2]));
    assertVerdict(await verdictOf(spec, features), "proved");
    const tokens = chain(["batch", 5, 4], ["batch", 10, 4], [["Tile", ["repeats"], {}, "tile"]]).initializer("repeats", int64Tensor([3], [1, 2, 1]));
    const check = await verdictOf(`${TOKENS}output out [batch, copies, feature]\n${PERM}invariant out under perm\n`, tokens);
    assertVerdict(check, "violated", "tile", /tiles axis 1 \(token\) 2 times/);
  });

  test("Tile of a shifted axis commutes with cyclic shifts: a per-channel sum over the tiled plane is shift invariant", async () => {
    const model = chain(["batch", 3, 4, 4], ["batch", 2], [
      ["Tile", ["repeats"], {}, "tile"],
      ["Flatten", [], { axis: 1 }, "flatten"],
      ["Gemm", ["per_channel"], { transB: 1 }, "fc"],
    ])
      .initializer("repeats", int64Tensor([4], [1, 1, 2, 2]))
      .initializer("per_channel", floatTensor([2, 192], Array.from({ length: 384 }, (_, i) => Math.floor(i / 64))));
    const spec = `input x [batch, channel, y, x]\noutput out [batch, class]\n${SHIFT}invariant out under shift\n`;
    assertVerdict(await verdictOf(spec, model), "proved");
  });
});

describe("Concat, Split", () => {
  const spec = `${TOKENS}output out [batch, token, feature]\n${PERM}equivariant out under perm\n`;

  /** `extra` has one row: Concat needs x to have one too, so the batch axis is 1 in the model. */
  function concatWith(extra: number[], axis: number, outputShape: number[]): GraphBuilder {
    return new GraphBuilder("concat")
      .input("x", "float", [1, 5, 4])
      .initializer("extra", floatTensor([1, 5, 2], extra))
      .node("Concat", ["x", "extra"], ["out"], { axis }, { name: "concat" })
      .output("out", "float", [1, ...outputShape]);
  }

  test("concatenating features that are the same for every token keeps the permutation", async () => {
    assertVerdict(await verdictOf(spec, concatWith([1, 2, 1, 2, 1, 2, 1, 2, 1, 2], 2, [5, 6])), "proved");
  });

  test("concatenating features that vary along the tokens: violated, naming the Concat and the largest difference", async () => {
    const check = await verdictOf(spec, concatWith([0, 0, 1, 1, 2, 2, 3, 3, 4, 4], 2, [5, 6]));
    assertVerdict(check, "violated", "concat", /extra varies along axis 1 \(token\), which perm moves: largest difference 1/);
  });

  test("concatenating along the permuted axis (a class token): violated", async () => {
    const model = new GraphBuilder("cls")
      .input("x", "float", ["batch", 5, 4])
      .input("cls", "float", ["batch", 1, 4])
      .node("Concat", ["cls", "x"], ["out"], { axis: 1 }, { name: "prepend_cls" })
      .output("out", "float", ["batch", 6, 4]);
    const check = await verdictOf(`${TOKENS}output out [batch, slot, feature]\n${PERM}invariant out under perm\n`, model);
    assertVerdict(check, "violated", "prepend_cls", /concatenates along axis 1 \(token\)/);
  });

  test("Split along the features keeps the permutation in every part; along the tokens it breaks it", async () => {
    const halves = new GraphBuilder("split")
      .input("x", "float", ["batch", 5, 4])
      .initializer("sizes", int64Tensor([2], [2, 2]))
      .node("Split", ["x", "sizes"], ["left", "out"], { axis: 2 }, { name: "split" })
      .output("out", "float", ["batch", 5, 2]);
    assertVerdict(await verdictOf(spec, halves), "proved");
    const tokens = new GraphBuilder("split")
      .input("x", "float", ["batch", 6, 4])
      .initializer("sizes", int64Tensor([2], [3, 3]))
      .node("Split", ["x", "sizes"], ["first", "out"], { axis: 1 }, { name: "split_tokens" })
      .output("out", "float", ["batch", 3, 4]);
    assertVerdict(await verdictOf(`${TOKENS}output out [batch, half, feature]\n${PERM}invariant out under perm\n`, tokens), "violated", "split_tokens", /splits axis 1 \(token\)/);
  });
});

describe("Slice, Gather", () => {
  const IMAGE_SPEC = `input x [batch, channel, y, x]\noutput out [batch, channel, y, x]\n`;

  function sliced(starts: number[], ends: (number | bigint)[], axes: number[], steps?: number[], outputShape: number[] = [3, 8, 8]): GraphBuilder {
    const graph = new GraphBuilder("slice")
      .input("x", "float", ["batch", 3, 8, 8])
      .initializer("starts", int64Tensor([starts.length], starts))
      .initializer("ends", int64Tensor([ends.length], ends))
      .initializer("axes", int64Tensor([axes.length], axes));
    if (steps) graph.initializer("steps", int64Tensor([steps.length], steps));
    return graph.node("Slice", ["x", "starts", "ends", "axes", ...(steps ? ["steps"] : [])], ["out"], {}, { name: "slice" }).output("out", "float", ["batch", ...outputShape]);
  }

  test("slicing the whole of y (to INT64_MAX) and part of the channels keeps shifts", async () => {
    assertVerdict(await verdictOf(`${IMAGE_SPEC}${SHIFT}equivariant out under shift\n`, sliced([0, 0], [INT64_MAX, 2], [2, 1], undefined, [2, 8, 8])), "proved");
  });

  test("cropping y: violated, naming the Slice", async () => {
    const spec = `input x [batch, channel, y, x]\noutput out [batch, channel, rows, x]\n${SHIFT}invariant out under shift\n`;
    assertVerdict(await verdictOf(spec, sliced([1], [7], [2], undefined, [3, 6, 8])), "violated", "slice", /crops axis 2 \(y\) \(from 1 to 7\)/);
  });

  test("reversing x whole commutes with a flip of x, not with shifts", async () => {
    const model = () => sliced([-1], [-INT64_MAX], [3], [-1]);
    assertVerdict(await verdictOf(`${IMAGE_SPEC}symmetry mirror = flip(x)\nequivariant out under mirror\n`, model()), "proved");
    assertVerdict(await verdictOf(`${IMAGE_SPEC}${SHIFT}equivariant out under shift\n`, model()), "violated", "slice", /reverses axis 3 \(x\)/);
  });

  test("an embedding lookup of token ids moves with the tokens", async () => {
    const model = new GraphBuilder("embed")
      .input("ids", "int64", ["batch", 5])
      .initializer("table", floatTensor([10, 3], Array.from({ length: 30 }, (_, i) => i / 7)))
      .node("Gather", ["table", "ids"], ["out"], { axis: 0 }, { name: "embed" })
      .output("out", "float", ["batch", 5, 3]);
    const spec = `input ids [batch, token]\noutput out [batch, token, feature]\n${PERM}equivariant out under perm\n`;
    assertVerdict(await verdictOf(spec, model), "proved");
  });

  test("picking the first token (class-token pooling): violated, naming the Gather", async () => {
    const model = new GraphBuilder("first")
      .input("x", "float", ["batch", 5, 4])
      .initializer("zero", int64Tensor([], [0]))
      .node("Gather", ["x", "zero"], ["out"], { axis: 1 }, { name: "first_token" })
      .output("out", "float", ["batch", 4]);
    const check = await verdictOf(`${TOKENS}output out [batch, feature]\n${PERM}invariant out under perm\n`, model);
    assertVerdict(check, "violated", "first_token", /picks entries \(0\) of axis 1 \(token\)/);
  });

  test("gathering features keeps the token permutation", async () => {
    const model = new GraphBuilder("pick")
      .input("x", "float", ["batch", 5, 4])
      .initializer("which", int64Tensor([2], [3, 0]))
      .node("Gather", ["x", "which"], ["out"], { axis: 2 }, { name: "pick" })
      .output("out", "float", ["batch", 5, 2]);
    assertVerdict(await verdictOf(`${TOKENS}output out [batch, token, feature]\n${PERM}equivariant out under perm\n`, model), "proved");
  });
});
