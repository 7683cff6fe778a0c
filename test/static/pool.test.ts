/** MaxPool, AveragePool and LpPool as sliding windows; Resize and Upsample as resampling. */
import { describe, test } from "node:test";
import { GraphBuilder, floatTensor, int64Tensor, type AttributeInput } from "../support/onnxBuilder";
import { IMAGE_IN, IMAGE_OUT, POOLED_OUT } from "./convFixtures";
import { assertVerdict, verdictOf } from "./support";

/** x [batch, 3, n, n] -> a pool "pool" -> (GlobalAveragePool "mean") -> out. */
function pooled(op: string, attributes: Record<string, AttributeInput>, options: { size?: number; global?: boolean; indices?: boolean } = {}): GraphBuilder {
  const size = options.size ?? 8;
  const g = new GraphBuilder("pool").input("x", "float", ["batch", 3, size, size]);
  const outputs = options.indices ? ["pooled", "out"] : [options.global ? "pooled" : "out"];
  g.node(op, ["x"], outputs, attributes, { name: "pool" });
  if (options.global) g.node("GlobalAveragePool", ["pooled"], ["out"], {}, { name: "mean" });
  return g.output("out", options.indices ? "int64" : "float", options.global ? ["batch", 3, 1, 1] : ["batch", 3, size, size]);
}

const SAME_3X3 = { kernel_shape: [3, 3], pads: [1, 1, 1, 1] };

describe("sliding pools", () => {
  test("MaxPool 2x2 stride 2: shifts by 2 proved (its windows tile the grid), shifts by 1 violated", async () => {
    const model = () => pooled("MaxPool", { kernel_shape: [2, 2], strides: [2, 2] }, { global: true });
    assertVerdict(await verdictOf(`${IMAGE_IN}${POOLED_OUT}symmetry s = translate(y, x, step=2)\ninvariant out under s\n`, model()), "proved");
    const check = await verdictOf(`${IMAGE_IN}${POOLED_OUT}symmetry s = translate(y, x)\ninvariant out under s\n`, model());
    assertVerdict(check, "violated", "pool", /stride 2 along y, so shifts by 1 are not preserved: use translate\(y, x, step=2\)/);
  });

  test("a padded 3x3 MaxPool: approximate under shifts, proved under quarter turns", async () => {
    const shift = await verdictOf(`${IMAGE_IN}${IMAGE_OUT}symmetry s = translate(y, x)\nequivariant out under s\n`, pooled("MaxPool", SAME_3X3));
    assertVerdict(shift, "approximate", "pool", /padding at the borders at pool/);
    assertVerdict(await verdictOf(`${IMAGE_IN}${IMAGE_OUT}symmetry t = rotate90(y, x)\nequivariant out under t\n`, pooled("MaxPool", SAME_3X3)), "proved");
  });

  test("ceil_mode: 2x2 windows every 2 cells on 7 cells are off centre under flips; 3x3 ones are symmetric", async () => {
    const spec = `${IMAGE_IN}${POOLED_OUT}symmetry f = flip(x)\ninvariant out under f\n`;
    const even = pooled("AveragePool", { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }, { size: 7, global: true });
    assertVerdict(await verdictOf(spec, even), "violated", "pool", /read cells 0 to 7 of 0 to 6/);
    const odd = pooled("AveragePool", { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, { size: 7, global: true });
    assertVerdict(await verdictOf(spec, odd), "proved");
  });

  test("negation: an average keeps it, a maximum breaks it, an Lp norm is even", async () => {
    const equivariant = `${IMAGE_IN}${IMAGE_OUT}symmetry neg = negate(x, out)\nequivariant out under neg\n`;
    assertVerdict(await verdictOf(equivariant, pooled("AveragePool", SAME_3X3)), "proved");
    assertVerdict(await verdictOf(equivariant, pooled("MaxPool", SAME_3X3)), "violated", "pool", /maximum of negated values/);
    assertVerdict(await verdictOf(`${IMAGE_IN}${IMAGE_OUT}symmetry neg = negate(x)\ninvariant out under neg\n`, pooled("LpPool", { ...SAME_3X3, p: 2 })), "proved");
    assertVerdict(await verdictOf(`${IMAGE_IN}${IMAGE_OUT}symmetry s = scale(x, out)\nequivariant out under s\n`, pooled("MaxPool", SAME_3X3)), "proved");
  });

  test("MaxPool's Indices number the input's cells: violated under shifts", async () => {
    const check = await verdictOf(`${IMAGE_IN}output out [batch, channel, _, _]\nsymmetry s = translate(y, x)\ninvariant out under s\n`, pooled("MaxPool", SAME_3X3, { indices: true }));
    assertVerdict(check, "violated", "pool", /Indices output numbers the input's cells/);
  });
});

describe("global pools", () => {
  /** x [batch, feature, point] (a set of points as a 1-D grid) -> a global pool "pool" -> out [batch, feature, 1]. */
  function overPoints(op: string, padded = false): GraphBuilder {
    const g = new GraphBuilder("global").input("x", "float", ["batch", 4, 6]);
    let current = "x";
    if (padded) {
      g.initializer("pads", int64Tensor([6], [0, 0, 1, 0, 0, 1]));
      g.node("Pad", ["x", "pads"], ["padded"], { mode: "wrap" }, { name: "wrap" });
      current = "padded";
    }
    g.node(op, [current], ["out"], {}, { name: "pool" });
    return g.output("out", "float", ["batch", 4, 1]);
  }
  const POINTS = "input x [batch, feature, point]\noutput out [batch, feature, _]\n";

  test("pooling every point of a set: invariant under permutations (average, maximum)", async () => {
    const spec = `${POINTS}symmetry p = permute(point)\ninvariant out under p\n`;
    assertVerdict(await verdictOf(spec, overPoints("GlobalAveragePool")), "proved");
    assertVerdict(await verdictOf(spec, overPoints("GlobalMaxPool")), "proved");
  });

  test("a global maximum is not odd: violated under negation; a global Lp norm is even: proved", async () => {
    assertVerdict(await verdictOf(`${POINTS}symmetry n = negate(x, out)\nequivariant out under n\n`, overPoints("GlobalMaxPool")), "violated", "pool", /maximum of negated values/);
    assertVerdict(await verdictOf(`${POINTS}symmetry n = negate(x)\ninvariant out under n\n`, overPoints("GlobalLpPool")), "proved");
  });

  test("circular padding counts border cells twice in an average, not in a maximum", async () => {
    const spec = `${POINTS}symmetry s = translate(point)\ninvariant out under s\n`;
    assertVerdict(await verdictOf(spec, overPoints("GlobalAveragePool", true), { opset: 19 }), "violated", "pool", /circular padding/);
    assertVerdict(await verdictOf(spec, overPoints("GlobalMaxPool", true), { opset: 19 }), "proved");
  });
});

describe("Resize and Upsample", () => {
  /** x [batch, 3, 8, 8] -> Resize "up" by 2 -> a 2x2 pool "down" with stride 2 -> out [batch, 3, 8, 8]. */
  function upAndDown(attributes: Record<string, AttributeInput>, options: { down?: string; scales?: number[]; opset9?: boolean } = {}): GraphBuilder {
    const g = new GraphBuilder("resample").input("x", "float", ["batch", 3, 8, 8]);
    g.initializer("scales", floatTensor([4], options.scales ?? [1, 1, 2, 2]));
    if (options.opset9) g.node("Upsample", ["x", "scales"], ["up"], attributes, { name: "up" });
    else g.node("Resize", ["x", "", "scales"], ["up"], attributes, { name: "up" });
    g.node(options.down ?? "MaxPool", ["up"], ["out"], { kernel_shape: [2, 2], strides: [2, 2] }, { name: "down" });
    return g.output("out", "float", ["batch", 3, 8, 8]);
  }
  const SHIFT = `${IMAGE_IN}${IMAGE_OUT}symmetry s = translate(y, x)\nequivariant out under s\n`;
  const FLIP = `${IMAGE_IN}${IMAGE_OUT}symmetry f = flip(x)\nequivariant out under f\n`;

  test("nearest upsampling copies each cell: shifts proved through the copy and the stride-2 pool", async () => {
    assertVerdict(await verdictOf(SHIFT, upAndDown({ mode: "nearest" })), "proved");
  });

  test("linear upsampling clamps at the ends: approximate under shifts, proved under flips with half_pixel", async () => {
    assertVerdict(await verdictOf(SHIFT, upAndDown({ mode: "linear" })), "approximate", "up", /linear resampling at the borders at up/);
    assertVerdict(await verdictOf(FLIP, upAndDown({ mode: "linear" }, { down: "AveragePool" })), "proved");
  });

  test("asymmetric coordinates read the input off centre: flips violated; Upsample's floor copies are fine", async () => {
    const check = await verdictOf(FLIP, upAndDown({ mode: "linear", coordinate_transformation_mode: "asymmetric" }));
    assertVerdict(check, "violated", "up", /resamples x with asymmetric coordinates, which reads the input off its centre/);
    assertVerdict(await verdictOf(FLIP, upAndDown({ mode: "nearest" }, { opset9: true }), { opset: 9 }), "proved");
  });

  test("downsampling is not followed: unknown", async () => {
    const g = new GraphBuilder("down").input("x", "float", ["batch", 3, 8, 8]);
    g.initializer("half", floatTensor([4], [1, 1, 0.5, 0.5]));
    g.initializer("double", floatTensor([4], [1, 1, 2, 2]));
    g.node("Resize", ["x", "", "half"], ["small"], { mode: "nearest" }, { name: "shrink" });
    g.node("Resize", ["small", "", "double"], ["out"], { mode: "nearest" }, { name: "grow" });
    g.output("out", "float", ["batch", 3, 8, 8]);
    assertVerdict(await verdictOf(SHIFT, g), "unknown", "shrink", /resizes y by 0.5: only whole upsampling factors are followed/);
  });

  test("DepthToSpace moving a shifted grid: unknown; with only the batch moved: kept", async () => {
    const g = new GraphBuilder("d2s").input("x", "float", ["batch", 4, 8, 8]);
    g.node("DepthToSpace", ["x"], ["out"], { blocksize: 2 }, { name: "d2s" });
    g.output("out", "float", ["batch", 1, 16, 16]);
    assertVerdict(await verdictOf(`${IMAGE_IN}output out [batch, _, _, _]\nsymmetry s = translate(y, x)\ninvariant out under s\n`, g), "unknown", "d2s");
    const batched = await verdictOf(`input x [item, channel, y, x]\noutput out [item, _, _, _]\nsymmetry p = permute(item)\nequivariant out under p\ncheck { size item = 3 }\n`, g);
    assertVerdict(batched, "proved");
  });
});
