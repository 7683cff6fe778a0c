/** Pad: wrap padding as a halo for shifts, symmetric padding for flips and turns, padded values and value groups. */
import { describe, test } from "node:test";
import { GraphBuilder, floatTensor, int64Tensor, seededRandom } from "../support/onnxBuilder";
import { IMAGE_IN, IMAGE_OUT, cnn, flipSymmetricKernel, kernelBank, randomWeights } from "./convFixtures";
import { assertVerdict, verdictOf } from "./support";

const SHIFT = "symmetry shift = translate(y, x)\nequivariant out under shift\n";
const FLIP_X = "symmetry f = flip(x)\nequivariant out under f\n";

describe("Pad under shifts", () => {
  test("constant padding before a valid convolution: approximate, naming the Pad first", async () => {
    const model = cnn({ pad: { mode: "constant", pads: [0, 0, 1, 1, 0, 0, 1, 1] }, weights: randomWeights([2, 3, 3, 3], 1) });
    const check = await verdictOf(`${IMAGE_IN}${IMAGE_OUT}${SHIFT}`, model);
    assertVerdict(check, "approximate", "pad", /constant padding at the borders at pad/);
  });

  test("wrap padding of x only (the axes input), with a 1x3 kernel: proved", async () => {
    const g = new GraphBuilder("axes").input("x", "float", ["batch", 3, 8, 8]);
    g.initializer("pads", int64Tensor([2], [1, 1]));
    g.initializer("axes", int64Tensor([1], [3]));
    g.initializer("w", floatTensor([2, 3, 1, 3], randomWeights([2, 3, 1, 3], 2).values));
    g.node("Pad", ["x", "pads", "", "axes"], ["padded"], { mode: "wrap" }, { name: "pad" });
    g.node("Conv", ["padded", "w"], ["out"], {}, { name: "conv" });
    g.output("out", "float", ["batch", 2, 8, 8]);
    assertVerdict(await verdictOf(`${IMAGE_IN}${IMAGE_OUT}${SHIFT}`, g, { opset: 19 }), "proved");
  });

  test("cropping a wider wrap padding (negative pads) leaves a halo that still matches the kernel: proved", async () => {
    const g = new GraphBuilder("crop").input("x", "float", ["batch", 3, 8, 8]);
    g.initializer("wide", int64Tensor([8], [0, 0, 2, 2, 0, 0, 2, 2]));
    g.initializer("crop", int64Tensor([8], [0, 0, -1, -1, 0, 0, -1, -1]));
    g.initializer("w", floatTensor([2, 3, 3, 3], randomWeights([2, 3, 3, 3], 3).values));
    g.node("Pad", ["x", "wide"], ["padded"], { mode: "wrap" }, { name: "pad" });
    g.node("Pad", ["padded", "crop"], ["cropped"], {}, { name: "crop" });
    g.node("Conv", ["cropped", "w"], ["out"], {}, { name: "conv" });
    g.output("out", "float", ["batch", 2, 8, 8]);
    assertVerdict(await verdictOf(`${IMAGE_IN}${IMAGE_OUT}${SHIFT}`, g, { opset: 19 }), "proved");
  });
});

describe("Pad under flips and turns", () => {
  const flipModel = (pad: { mode: string; pads: number[] }, opsetPads = false) => {
    const kernels = kernelBank([flipSymmetricKernel(seededRandom(4))]);
    if (!opsetPads) return cnn({ pad, weights: kernels, inputChannels: 1 });
    // Before opset 11, the pads are an attribute.
    const g = new GraphBuilder("old").input("x", "float", ["batch", 1, 8, 8]);
    g.initializer("w", floatTensor(kernels.dims, kernels.values));
    g.node("Pad", ["x"], ["padded"], { mode: pad.mode, pads: pad.pads }, { name: "pad" });
    g.node("Conv", ["padded", "w"], ["out"], {}, { name: "conv" });
    return g.output("out", "float", ["batch", 1, 8, 8]);
  };

  test("reflect padding the same on both ends keeps flips exactly: proved (pads as an input, and as an attribute at opset 10)", async () => {
    const reflect = { mode: "reflect", pads: [0, 0, 1, 1, 0, 0, 1, 1] };
    assertVerdict(await verdictOf(`${IMAGE_IN}${IMAGE_OUT}${FLIP_X}`, flipModel(reflect)), "proved");
    assertVerdict(await verdictOf(`${IMAGE_IN}${IMAGE_OUT}${FLIP_X}`, flipModel(reflect, true), { opset: 10 }), "proved");
  });

  test("padding x by 2 before and 0 after: violated, naming the Pad", async () => {
    const check = await verdictOf(`${IMAGE_IN}${IMAGE_OUT}${FLIP_X}`, flipModel({ mode: "edge", pads: [0, 0, 1, 2, 0, 0, 1, 0] }));
    assertVerdict(check, "violated", "pad", /pads x by 2 before and 0 after, which flips of x do not preserve/);
  });

  test("y and x padded by different amounts: quarter turns violated", async () => {
    const g = new GraphBuilder("uneven").input("x", "float", ["batch", 1, 8, 8]);
    g.initializer("pads", int64Tensor([8], [0, 0, 1, 2, 0, 0, 1, 2]));
    g.node("Pad", ["x", "pads"], ["padded"], { mode: "reflect" }, { name: "pad" });
    // A sum counts the reflected rows and columns, which a turn swaps (a max would not see them).
    g.node("ReduceSum", ["padded"], ["out"], { keepdims: 1 }, { name: "sum" });
    g.output("out", "float", [1, 1, 1, 1]);
    const check = await verdictOf(`${IMAGE_IN}output out [_, _, _, _]\nsymmetry t = rotate90(y, x)\ninvariant out under t\n`, g);
    assertVerdict(check, "violated", "pad", /pads y by 1\+1 and x by 2\+2/);
  });
});

describe("Pad and values, sets and vectors", () => {
  const padded = (value: number) => {
    const g = new GraphBuilder("value").input("x", "float", ["batch", 3, 8, 8]);
    g.initializer("pads", int64Tensor([8], [0, 0, 1, 1, 0, 0, 1, 1]));
    g.initializer("value", floatTensor([], [value]));
    g.node("Pad", ["x", "pads", "value"], ["out"], { mode: "constant" }, { name: "pad" });
    return g.output("out", "float", ["batch", 3, 10, 10]);
  };
  const NEGATE = `${IMAGE_IN}output out [batch, channel, _, _]\nsymmetry neg = negate(x, out)\nequivariant out under neg\n`;

  test("padding with zeros keeps a negation; padding with ones does not", async () => {
    assertVerdict(await verdictOf(NEGATE, padded(0)), "proved");
    assertVerdict(await verdictOf(NEGATE, padded(1)), "violated", "pad", /pads with 1, so negating its input does not negate its output/);
  });

  test("padding a permuted set axis adds entries that permutations do not move: violated", async () => {
    const g = new GraphBuilder("set").input("x", "float", ["batch", 5, 4]);
    g.initializer("pads", int64Tensor([6], [0, 1, 0, 0, 0, 0]));
    // Edge padding repeats the first node, which a permutation replaces (zeros would add nothing to the sum).
    g.node("Pad", ["x", "pads"], ["padded"], { mode: "edge" }, { name: "pad" });
    g.node("ReduceSum", ["padded", "axis"], ["out"], { keepdims: 0 }, { name: "sum" });
    g.initializer("axis", int64Tensor([1], [1]));
    g.output("out", "float", ["batch", 4]);
    const check = await verdictOf("input x [batch, node, feature]\noutput out [batch, feature]\nsymmetry p = permute(node)\ninvariant out under p\n", g);
    assertVerdict(check, "violated", "pad", /adds entries to node/);
  });
});
