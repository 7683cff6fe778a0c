/** Conv and ConvTranspose: shifts with padding and strides, flips and turns checked on the kernels, value groups. */
import { describe, test } from "node:test";
import { GraphBuilder, floatTensor, seededRandom } from "../support/onnxBuilder";
import { IMAGE_IN, IMAGE_OUT, POOLED_OUT, cnn, dihedralSymmetricKernel, flipSymmetricKernel, kernelBank, randomWeights, turnSymmetricKernel } from "./convFixtures";
import { assertVerdict, verdictOf } from "./support";

const SHIFT = "symmetry shift = translate(y, x)\n";
const TURN = "symmetry turn = rotate90(y, x)\n";
const WRAP = { mode: "wrap", pads: [0, 0, 1, 1, 0, 0, 1, 1] };

describe("Conv under shifts", () => {
  test("circular padding (Pad wrap) and a valid 3x3 convolution: proved", async () => {
    const model = cnn({ pad: WRAP, weights: randomWeights([4, 3, 3, 3], 1), bias: [0.1, 0.2, 0.3, 0.4] });
    assertVerdict(await verdictOf(`${IMAGE_IN}${IMAGE_OUT}${SHIFT}equivariant out under shift\n`, model, { opset: 19 }), "proved");
  });

  test("a dilated kernel needs a halo of dilation * (k - 1): two cells each side for dilation 2", async () => {
    const wide = { mode: "wrap", pads: [0, 0, 2, 2, 0, 0, 2, 2] };
    const model = cnn({ pad: wide, weights: randomWeights([2, 3, 3, 3], 2), conv: { dilations: [2, 2] } });
    assertVerdict(await verdictOf(`${IMAGE_IN}${IMAGE_OUT}${SHIFT}equivariant out under shift\n`, model, { opset: 19 }), "proved");
  });

  test("zero padding: approximate at the borders, naming the convolution", async () => {
    const model = cnn({ weights: randomWeights([4, 3, 3, 3], 3), conv: { pads: [1, 1, 1, 1] } });
    const check = await verdictOf(`${IMAGE_IN}${IMAGE_OUT}${SHIFT}equivariant out under shift\n`, model);
    assertVerdict(check, "approximate", "conv", /zero padding at the borders at conv/);
  });

  test("a valid convolution without padding shrinks the grid: approximate", async () => {
    const model = cnn({ weights: randomWeights([4, 3, 3, 3], 4), globalPool: true });
    const check = await verdictOf(`${IMAGE_IN}${POOLED_OUT}${SHIFT}invariant out under shift\n`, model);
    assertVerdict(check, "approximate", "conv", /the grid shrinks \(valid convolution\)/);
  });

  test("stride 2 with shifts by 1: violated at the strided node, with the step to use", async () => {
    const model = cnn({ weights: randomWeights([4, 3, 3, 3], 5), conv: { pads: [1, 1, 1, 1], strides: [2, 2] }, globalPool: true });
    const check = await verdictOf(`${IMAGE_IN}${POOLED_OUT}${SHIFT}invariant out under shift\n`, model);
    assertVerdict(check, "violated", "conv", /stride 2 along y, so shifts by 1 are not preserved: use translate\(y, x, step=2\)/);
  });

  test("stride 2 with step=2: approximate under zero padding, proved with circular padding", async () => {
    const spec = `${IMAGE_IN}${POOLED_OUT}symmetry shift = translate(y, x, step=2)\ninvariant out under shift\n`;
    const zero = cnn({ weights: randomWeights([4, 3, 3, 3], 6), conv: { pads: [1, 1, 1, 1], strides: [2, 2] }, globalPool: true });
    assertVerdict(await verdictOf(spec, zero), "approximate", "conv", /zero padding/);
    const circular = cnn({ pad: WRAP, weights: randomWeights([4, 3, 3, 3], 6), conv: { strides: [2, 2] }, globalPool: true });
    assertVerdict(await verdictOf(spec, circular, { opset: 19 }), "proved");
  });

  test("two strided convolutions: the second is named with the total stride 4", async () => {
    const g = new GraphBuilder("strided").input("x", "float", ["batch", 3, 16, 16]);
    g.initializer("w1", floatTensor([4, 3, 3, 3], randomWeights([4, 3, 3, 3], 7).values));
    g.initializer("w2", floatTensor([4, 4, 3, 3], randomWeights([4, 4, 3, 3], 8).values));
    g.node("Conv", ["x", "w1"], ["h1"], { pads: [1, 1, 1, 1], strides: [2, 2] }, { name: "conv1" });
    g.node("Relu", ["h1"], ["r1"], {}, { name: "relu1" });
    g.node("Conv", ["r1", "w2"], ["h2"], { pads: [1, 1, 1, 1], strides: [2, 2] }, { name: "conv2" });
    g.node("GlobalAveragePool", ["h2"], ["out"], {}, { name: "pool" });
    g.output("out", "float", ["batch", 4, 1, 1]);
    const spec = `${IMAGE_IN}${POOLED_OUT}symmetry shift = translate(y, x, step=2)\ninvariant out under shift\n`;
    const check = await verdictOf(spec, g);
    assertVerdict(check, "violated", "conv2", /stride 2 along y \(total stride 4 from the input\), so shifts by 2 are not preserved: use translate\(y, x, step=4\)/);
  });
});

describe("Conv under flips and turns", () => {
  test("kernels that quarter turns leave unchanged, with zero padding: proved (padding is symmetric)", async () => {
    const random = seededRandom(11);
    const model = cnn({ weights: kernelBank([turnSymmetricKernel(random), turnSymmetricKernel(random)]), bias: [0.5, -0.5], conv: { pads: [1, 1, 1, 1] } });
    assertVerdict(await verdictOf(`${IMAGE_IN}${IMAGE_OUT}${TURN}equivariant out under turn\n`, model), "proved");
  });

  test("generic kernels under quarter turns: violated with the largest kernel asymmetry", async () => {
    const model = cnn({ weights: randomWeights([2, 1, 3, 3], 12), conv: { pads: [1, 1, 1, 1] } });
    const check = await verdictOf(`${IMAGE_IN}${IMAGE_OUT}${TURN}equivariant out under turn\n`, model);
    assertVerdict(check, "violated", "conv", /kernel of conv is not symmetric under quarter turns: largest difference [\d.]+ \(relative [\d.]+\)/);
  });

  test("kernels symmetric under flips of x: proved under flip(x), violated under flip(y)", async () => {
    const random = seededRandom(13);
    const model = () => cnn({ weights: kernelBank([flipSymmetricKernel(random), flipSymmetricKernel(random)]), conv: { pads: [1, 1, 1, 1] } });
    assertVerdict(await verdictOf(`${IMAGE_IN}${IMAGE_OUT}symmetry f = flip(x)\nequivariant out under f\n`, model()), "proved");
    assertVerdict(await verdictOf(`${IMAGE_IN}${IMAGE_OUT}symmetry f = flip(y)\nequivariant out under f\n`, model()), "violated", "conv", /not symmetric under flips of y/);
  });

  test("dihedral: fully symmetric kernels are proved; turn-symmetric (chiral) kernels fail at the flips", async () => {
    const spec = `${IMAGE_IN}${IMAGE_OUT}symmetry d = dihedral(y, x)\nequivariant out under d\n`;
    const random = seededRandom(14);
    assertVerdict(await verdictOf(spec, cnn({ weights: kernelBank([dihedralSymmetricKernel(random)]), conv: { pads: [1, 1, 1, 1] } })), "proved");
    // A 5x5 kernel averaged over its turns is still chiral (3x3 ones never are): its mirror image differs.
    const chiral = cnn({ weights: kernelBank([turnSymmetricKernel(random, 5)], 5), conv: { pads: [2, 2, 2, 2] } });
    const check = await verdictOf(spec, chiral);
    assertVerdict(check, "violated", "conv", /not symmetric under flips of x/);
  });

  test("a 3x1 kernel turned is 1x3: violated, naming the kernel sizes", async () => {
    const model = cnn({ weights: randomWeights([2, 1, 3, 1], 15), conv: { pads: [1, 0, 1, 0] } });
    const check = await verdictOf(`${IMAGE_IN}${IMAGE_OUT}${TURN}equivariant out under turn\n`, model);
    assertVerdict(check, "violated", "conv", /kernel sizes 3 and 1 on y and x/);
  });

  test("padding one side only moves the windows off centre: violated under flips", async () => {
    const model = cnn({ weights: { dims: [1, 1, 1, 2], values: [0.5, 0.25] }, conv: { pads: [0, 1, 0, 0] } });
    const check = await verdictOf(`${IMAGE_IN}${IMAGE_OUT}symmetry f = flip(x)\nequivariant out under f\n`, model);
    assertVerdict(check, "violated", "conv", /read cells -1 to 7 of 0 to 7, not symmetric/);
  });

  test("a stride-2 grid is symmetric on 9 cells but not on 8", async () => {
    const random = seededRandom(17);
    const weights = kernelBank([turnSymmetricKernel(random)]);
    const spec = `${IMAGE_IN}${POOLED_OUT}${TURN}invariant out under turn\n`;
    const odd = cnn({ size: 9, weights, conv: { pads: [1, 1, 1, 1], strides: [2, 2] }, globalPool: true });
    assertVerdict(await verdictOf(spec, odd), "proved");
    const even = cnn({ size: 8, weights, conv: { pads: [1, 1, 1, 1], strides: [2, 2] }, globalPool: true });
    assertVerdict(await verdictOf(spec, even), "violated", "conv", /read cells -1 to 7 of 0 to 7/);
  });

  test("weights that are a graph input, not a constant: unknown", async () => {
    const g = new GraphBuilder("dynamic").input("x", "float", ["batch", 1, 8, 8]).input("w", "float", [2, 1, 3, 3]);
    g.node("Conv", ["x", "w"], ["out"], { pads: [1, 1, 1, 1] }, { name: "conv" });
    g.output("out", "float", ["batch", 2, 8, 8]);
    const check = await verdictOf(`${IMAGE_IN}${IMAGE_OUT}${TURN}equivariant out under turn\n`, g);
    assertVerdict(check, "unknown", "conv", /weights w are not a known constant/);
  });

  test("depthwise (group = channels) symmetric kernels: proved", async () => {
    const random = seededRandom(18);
    const model = cnn({ inputChannels: 3, weights: kernelBank([0, 1, 2].map(() => turnSymmetricKernel(random))), conv: { pads: [1, 1, 1, 1], group: 3 } });
    assertVerdict(await verdictOf(`${IMAGE_IN}${IMAGE_OUT}${TURN}equivariant out under turn\n`, model), "proved");
  });
});

describe("Conv and value groups, sets and channels", () => {
  const NEGATE = "symmetry neg = negate(x, out)\n";

  test("no bias or a zero bias keeps a negation; a bias breaks it", async () => {
    const weights = randomWeights([2, 3, 3, 3], 21);
    const spec = `${IMAGE_IN}${IMAGE_OUT}${NEGATE}equivariant out under neg\n`;
    assertVerdict(await verdictOf(spec, cnn({ weights, conv: { pads: [1, 1, 1, 1] } })), "proved");
    assertVerdict(await verdictOf(spec, cnn({ weights, bias: [0, 0], conv: { pads: [1, 1, 1, 1] } })), "proved");
    assertVerdict(await verdictOf(spec, cnn({ weights, bias: [0.1, 0], conv: { pads: [1, 1, 1, 1] } })), "violated", "conv", /adds a bias, so negating its input does not negate its output/);
  });

  test("a 1-D convolution with kernel 1 over a set (PointNet) keeps permutations; kernel 3 does not", async () => {
    const model = (kernel: number) => {
      const g = new GraphBuilder("pointnet").input("points", "float", ["batch", 3, 5]);
      g.initializer("w", floatTensor([8, 3, kernel], randomWeights([8, 3, kernel], 22).values));
      g.node("Conv", ["points", "w"], ["out"], { pads: kernel === 1 ? [0, 0] : [1, 1] }, { name: "conv" });
      return g.output("out", "float", ["batch", 8, 5]);
    };
    const spec = "input points [batch, feature, point]\noutput out [batch, feature, point]\nsymmetry p = permute(point)\nequivariant out under p\n";
    assertVerdict(await verdictOf(spec, model(1)), "proved");
    assertVerdict(await verdictOf(spec, model(3)), "violated", "conv", /mixes neighbouring entries of point/);
  });

  test("a permuted axis used as channels is mixed by the weights: violated", async () => {
    const g = new GraphBuilder("mixing").input("x", "float", ["batch", 5, 8]);
    g.initializer("w", floatTensor([4, 5, 1], randomWeights([4, 5, 1], 23).values));
    g.node("Conv", ["x", "w"], ["out"], {}, { name: "conv" });
    g.output("out", "float", ["batch", 4, 8]);
    const check = await verdictOf("input x [batch, node, time]\noutput out [batch, _, time]\nsymmetry p = permute(node)\ninvariant out under p\n", g);
    assertVerdict(check, "violated", "conv", /mixes the channels of its input with its weights, and the group moves them as node/);
  });
});

describe("ConvTranspose", () => {
  function upsampler(kernel: number[], attributes: Record<string, number[]>): GraphBuilder {
    const g = new GraphBuilder("up").input("x", "float", ["batch", 1, 8, 8]);
    g.initializer("w", floatTensor([1, 1, 3, 3], kernel));
    g.node("ConvTranspose", ["x", "w"], ["h"], { strides: [2, 2], ...attributes }, { name: "up" });
    g.node("GlobalAveragePool", ["h"], ["out"], {}, { name: "pool" });
    return g.output("out", "float", ["batch", 1, 1, 1]);
  }

  test("stride 2 upsampling under shifts: approximate at the borders", async () => {
    const check = await verdictOf(`${IMAGE_IN}${POOLED_OUT}${SHIFT}invariant out under shift\n`, upsampler(randomWeights([9], 31).values, { pads: [1, 1, 1, 1] }));
    assertVerdict(check, "approximate", "up", /borders of the transposed convolution/);
  });

  test("symmetric kernels and pads: proved under turns; crop of one side with output_padding balancing it: proved", async () => {
    const kernel = turnSymmetricKernel(seededRandom(32));
    const spec = `${IMAGE_IN}${POOLED_OUT}${TURN}invariant out under turn\n`;
    assertVerdict(await verdictOf(spec, upsampler(kernel, { pads: [1, 1, 1, 1] })), "proved");
    assertVerdict(await verdictOf(spec, upsampler(kernel, { pads: [0, 0, 1, 1], output_padding: [1, 1] })), "proved");
    assertVerdict(await verdictOf(spec, upsampler(kernel, { pads: [1, 1, 0, 0] })), "violated", "up", /crops y by 1 before and 0 after/);
  });
});
