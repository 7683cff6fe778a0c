/**
 * Group convolutions: output channels that are turned or flipped copies of kernels carry the
 * group's regular representation. Each fixture is also run through a small reference convolution
 * here, so that a `proved` is checked against the action the spec defines (numpy.rot90, flips, and
 * g moving entry h to entry g*h), not only against the analysis' own reading of it.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { GraphBuilder, floatTensor, int64Tensor, randomFloats, seededRandom } from "../support/onnxBuilder";
import { assertVerdict, exampleChecks, verdictOf } from "./support";

const SIZE = 6;
const K = 3;

// ---------------------------------------------------------------------------------------------
// The reference: images as [channel][y][x] arrays, the spec's actions, a circular convolution.

type Image = number[][][];

function randomImage(channels: number, random: () => number): Image {
  return Array.from({ length: channels }, () => Array.from({ length: SIZE }, () => randomFloats(SIZE, random)));
}

/** numpy.rot90(plane, 1, axes=(a, b)) with (a, b) = (y, x): out[i][j] = in[j][n-1-i]; (x, y) turns the other way. */
function turnPlane(plane: number[][], towardsX: boolean): number[][] {
  const n = plane.length;
  return plane.map((row, i) => row.map((_, j) => (towardsX ? plane[j][n - 1 - i] : plane[n - 1 - j][i])));
}

function flipPlaneX(plane: number[][]): number[][] {
  return plane.map((row) => [...row].reverse());
}

/** Pad wrap by one cell then a valid 3x3 convolution: out[o][p][q] = sum W[o][i][u][v] x[i][p+u-1][q+v-1] (mod n), + bias. */
function circularConv(x: Image, weights: ArrayLike<number>, outputs: number, bias?: readonly number[]): Image {
  const inputs = x.length;
  const at = (o: number, i: number, u: number, v: number) => Math.fround(weights[((o * inputs + i) * K + u) * K + v]);
  return Array.from({ length: outputs }, (_, o) =>
    Array.from({ length: SIZE }, (_, p) =>
      Array.from({ length: SIZE }, (_, q) => {
        let sum = bias ? Math.fround(bias[o]) : 0;
        for (let i = 0; i < inputs; i++) for (let u = 0; u < K; u++) for (let v = 0; v < K; v++) sum += at(o, i, u, v) * x[i][(p + u - 1 + SIZE) % SIZE][(q + v - 1 + SIZE) % SIZE];
        return sum;
      }),
    ),
  );
}

/** A finite group as the spec defines it: its elements' actions on planes, indexed as the regular axis indexes them. */
interface FiniteGroup {
  /** Element e of the regular axis, acting on a plane. */
  act: ((plane: number[][]) => number[][])[];
  /** The generators, as element indices. */
  generators: number[];
}

/** rotate90: element k is k quarter turns. */
function turns(towardsX = true): FiniteGroup {
  const power = (k: number) => (plane: number[][]) => Array.from({ length: k }).reduce<number[][]>((p) => turnPlane(p, towardsX), plane);
  return { act: [0, 1, 2, 3].map(power), generators: [1] };
}

/** dihedral(y, x): element k + 4m is (quarter turn)^k after (flip of x)^m. */
const DIHEDRAL: FiniteGroup = {
  act: Array.from({ length: 8 }, (_, e) => (plane: number[][]) => turns().act[e % 4](e >= 4 ? flipPlaneX(plane) : plane)),
  generators: [1, 4],
};

const FLIP: FiniteGroup = { act: [(plane) => plane, flipPlaneX], generators: [1] };

/** The element g*h, found by acting on an image without symmetries. */
function product(group: FiniteGroup, g: number, h: number): number {
  const probe = randomImage(1, seededRandom(99))[0];
  const target = group.act[g](group.act[h](probe));
  const found = group.act.findIndex((act) => JSON.stringify(act(probe)) === JSON.stringify(target));
  assert.ok(found >= 0, "the group is closed");
  return found;
}

/**
 * The largest violation of f(g.x) = g.f(x) over the generators, for f from [C, y, x] images to
 * [orientation, y, x] ones: g acts on the input's planes, and on the output moves entry h to g*h.
 */
function equivarianceError(f: (x: Image) => Image, group: FiniteGroup, inputChannels: number): number {
  const x = randomImage(inputChannels, seededRandom(7));
  const fx = f(x);
  let largest = 0;
  for (const g of group.generators) {
    const lhs = f(x.map((plane) => group.act[g](plane)));
    fx.forEach((plane, h) => {
      const expected = group.act[g](plane);
      const actual = lhs[product(group, g, h)];
      expected.forEach((row, i) => row.forEach((value, j) => (largest = Math.max(largest, Math.abs(value - actual[i][j])))));
    });
  }
  return largest;
}

// ---------------------------------------------------------------------------------------------
// Fixtures

/** x [batch, C, n, n] -> Pad wrap -> Conv "lift" (kernels `kernels` [O, C, 3, 3]) -> out [batch, O, n, n]. */
function lifting(kernels: number[][], inputChannels: number, bias?: number[]): GraphBuilder {
  const outputs = kernels.length / inputChannels;
  const g = new GraphBuilder("lifting").input("x", "float", ["batch", inputChannels, SIZE, SIZE]);
  g.initializer("pads", int64Tensor([8], [0, 0, 1, 1, 0, 0, 1, 1]));
  g.initializer("w", floatTensor([outputs, inputChannels, K, K], kernels.flat()));
  const inputs = ["padded", "w"];
  if (bias) {
    g.initializer("b", floatTensor([outputs], bias));
    inputs.push("b");
  }
  g.node("Pad", ["x", "pads"], ["padded"], { mode: "wrap" }, { name: "pad" });
  g.node("Conv", inputs, ["out"], {}, { name: "lift" });
  return g.output("out", "float", ["batch", outputs, SIZE, SIZE]);
}

/** For each element e of the group, the base kernels (one per input channel) transformed by e. */
function orbitKernels(group: FiniteGroup, base: number[][]): number[][] {
  return group.act.flatMap((act) => base.map((kernel) => unsquare(act(square(kernel)))));
}

const square = (kernel: number[]) => [0, 1, 2].map((row) => kernel.slice(row * K, row * K + K));
const unsquare = (plane: number[][]) => plane.flat();

const baseKernels = (count: number, seed: number) => Array.from({ length: count }, (_, i) => randomFloats(K * K, seededRandom(seed + i)));

const weightsOf = (kernels: number[][]) => kernels.flat();

function spec(orientation: string, symmetry: string): string {
  return `input x [batch, channel, y, x]\noutput out [batch, orient: g, y, x]\nsymmetry g = ${symmetry}\nequivariant out under g\n${orientation}`;
}

// ---------------------------------------------------------------------------------------------

describe("lifting convolutions: output channels that are turned copies of one kernel", () => {
  test("kernel k turned k times, rotate90(y, x): proved, and the reference agrees", async () => {
    const kernels = orbitKernels(turns(), baseKernels(2, 1));
    assert.ok(equivarianceError((x) => circularConv(x, weightsOf(kernels), 4), turns(), 2) < 1e-9);
    assertVerdict(await verdictOf(spec("", "rotate90(y, x)"), lifting(kernels, 2), { opset: 19 }), "proved");
  });

  test("the kernels turned the other way: violated, and the reference agrees that it does not hold", async () => {
    const kernels = orbitKernels(turns(false), baseKernels(2, 1));
    assert.ok(equivarianceError((x) => circularConv(x, weightsOf(kernels), 4), turns(), 2) > 0.1);
    const check = await verdictOf(spec("", "rotate90(y, x)"), lifting(kernels, 2), { opset: 19 });
    assertVerdict(check, "violated", "lift", /axis 1 \(orient\) is permuted \(\(1 2 3 0\)\), where the claim needs it to be one that is permuted \(\(3 0 1 2\)\)/);
  });

  test("rotate90(x, y) turns x towards y: the same kernels turned the other way are proved", async () => {
    const kernels = orbitKernels(turns(false), baseKernels(2, 1));
    assert.ok(equivarianceError((x) => circularConv(x, weightsOf(kernels), 4), turns(false), 2) < 1e-9);
    assertVerdict(await verdictOf(spec("", "rotate90(x, y)"), lifting(kernels, 2), { opset: 19 }), "proved");
  });

  test("a kernel and its mirror image under flip(x): proved", async () => {
    const kernels = orbitKernels(FLIP, baseKernels(1, 3));
    assert.ok(equivarianceError((x) => circularConv(x, weightsOf(kernels), 2), FLIP, 1) < 1e-9);
    assertVerdict(await verdictOf(spec("", "flip(x)"), lifting(kernels, 1), { opset: 19 }), "proved");
  });

  test("the 8 turns and flips of a kernel under dihedral(y, x): proved", async () => {
    const kernels = orbitKernels(DIHEDRAL, baseKernels(1, 4));
    assert.ok(equivarianceError((x) => circularConv(x, weightsOf(kernels), 8), DIHEDRAL, 1) < 1e-9);
    assertVerdict(await verdictOf(spec("", "dihedral(y, x)"), lifting(kernels, 1), { opset: 19 }), "proved");
  });

  test("a bias that differs between orientations: violated, naming the bias", async () => {
    const kernels = orbitKernels(turns(), baseKernels(1, 5));
    const check = await verdictOf(spec("", "rotate90(y, x)"), lifting(kernels, 1, [0.1, 0.2, 0.1, 0.1]), { opset: 19 });
    assertVerdict(check, "violated", "lift", /bias differs between the channels they pair/);
  });
});

describe("group convolutions on orientation channels (p4 to p4)", () => {
  /**
   * x -> lifting conv (4 orientations) -> Relu -> conv "gconv" from 4 orientations to 4:
   * W2[r][s] = (the base kernel of s - r) turned r times, the p4 group convolution; with
   * `turned` false, W2[r][s] is the base kernel of s - r unturned, which is not equivariant.
   */
  function twoLayers(turned: boolean): { model: GraphBuilder; reference: (x: Image) => Image } {
    const lift = orbitKernels(turns(), baseKernels(1, 6));
    const relative = baseKernels(4, 20);
    const second = [0, 1, 2, 3].flatMap((r) => [0, 1, 2, 3].map((s) => (turned ? unsquare(turns().act[r](square(relative[(s - r + 4) % 4]))) : relative[(s - r + 4) % 4])));
    const g = new GraphBuilder("p4p4").input("x", "float", ["batch", 1, SIZE, SIZE]);
    g.initializer("pads", int64Tensor([8], [0, 0, 1, 1, 0, 0, 1, 1]));
    g.initializer("w1", floatTensor([4, 1, K, K], lift.flat()));
    g.initializer("w2", floatTensor([4, 4, K, K], second.flat()));
    g.node("Pad", ["x", "pads"], ["p1"], { mode: "wrap" }, { name: "pad1" });
    g.node("Conv", ["p1", "w1"], ["h1"], {}, { name: "lift" });
    g.node("Relu", ["h1"], ["r1"], {}, { name: "relu" });
    g.node("Pad", ["r1", "pads"], ["p2"], { mode: "wrap" }, { name: "pad2" });
    g.node("Conv", ["p2", "w2"], ["out"], {}, { name: "gconv" });
    g.output("out", "float", ["batch", 4, SIZE, SIZE]);
    const relu = (image: Image) => image.map((plane) => plane.map((row) => row.map((v) => Math.max(0, v))));
    return { model: g, reference: (x) => circularConv(relu(circularConv(x, lift.flat(), 4)), second.flat(), 4) };
  }

  test("the input's orientation channels permuted by a turn, the kernels turned with them: proved", async () => {
    const { model, reference } = twoLayers(true);
    assert.ok(equivarianceError(reference, turns(), 1) < 1e-9);
    assertVerdict(await verdictOf(spec("", "rotate90(y, x)"), model, { opset: 19 }), "proved");
  });

  test("kernels that are not turned with the orientations: violated at the second convolution", async () => {
    const { model, reference } = twoLayers(false);
    assert.ok(equivarianceError(reference, turns(), 1) > 0.1);
    const check = await verdictOf(spec("", "rotate90(y, x)"), model, { opset: 19 });
    assertVerdict(check, "violated", "gconv", /kernel of gconv is not symmetric under quarter turns: largest difference/);
  });
});

describe("the examples", () => {
  test("tiny_cnn: wrap padding and kernels that turns leave unchanged: both claims proved", async () => {
    const checks = await exampleChecks("tiny_cnn");
    assert.deepEqual(
      checks.map((check) => `${check.symmetry}: ${check.verdict} (${check.reason})`),
      checks.map((check) => `${check.symmetry}: proved (${check.reason})`),
    );
    assert.deepEqual(checks.map((check) => check.symmetry), ["shift", "turn"]);
  });

  test("p4conv: the lifting convolution's orientations, reshaped to their own axis: proved", async () => {
    const checks = await exampleChecks("p4conv");
    assert.equal(checks.length, 1);
    assertVerdict(checks[0], "proved");
  });
});
