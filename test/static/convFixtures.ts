/**
 * Small convolutional fixtures for the static-analysis tests of convolutions, pools, padding and
 * group convolutions: kernels with known symmetries and a builder of Pad -> Conv -> pool chains.
 */
import { GraphBuilder, floatTensor, int64Tensor, randomFloats, seededRandom, type AttributeInput, type DimSpec } from "../support/onnxBuilder";

/** `numpy.rot90(kernel, turns, axes=(0, 1))` of one k x k kernel (row-major): out[i][j] = in[j][k-1-i] per turn. */
export function rot90Kernel(kernel: readonly number[], size: number, turns = 1): number[] {
  let rotated = [...kernel];
  for (let turn = 0; turn < ((turns % 4) + 4) % 4; turn++) {
    const source = rotated;
    rotated = source.map((_, index) => source[(index % size) * size + (size - 1 - Math.floor(index / size))]);
  }
  return rotated;
}

/** The kernel reversed along its second axis (x). */
export function flipKernelX(kernel: readonly number[], size: number): number[] {
  return kernel.map((_, index) => kernel[index - (index % size) + (size - 1 - (index % size))]);
}

/** A k x k kernel that quarter turns leave unchanged: the average of a random kernel's four turns. */
export function turnSymmetricKernel(random: () => number, size = 3): number[] {
  const base = randomFloats(size * size, random);
  const turns = [0, 1, 2, 3].map((turns) => rot90Kernel(base, size, turns));
  return base.map((_, index) => turns.reduce((sum, turned) => sum + turned[index], 0) / 4);
}

/** A k x k kernel unchanged by turns and flips: the average of its turns and of their mirror images. */
export function dihedralSymmetricKernel(random: () => number, size = 3): number[] {
  const turned = turnSymmetricKernel(random, size);
  const flipped = flipKernelX(turned, size);
  return turned.map((value, index) => (value + flipped[index]) / 2);
}

/** A k x k kernel unchanged by flips of x (symmetric columns). */
export function flipSymmetricKernel(random: () => number, size = 3): number[] {
  const base = randomFloats(size * size, random);
  const flipped = flipKernelX(base, size);
  return base.map((value, index) => (value + flipped[index]) / 2);
}

export interface CnnOptions {
  /** Spatial size of the square input; 8 unless given. */
  size?: number;
  inputChannels?: number;
  /** A Pad before the Conv: mode and pads (all begins, then all ends). */
  pad?: { mode: string; pads: number[] };
  /** Conv weights [out, in/group, k, k] and attributes. */
  weights: { dims: number[]; values: number[] };
  bias?: number[];
  conv?: Record<string, AttributeInput>;
  /** A final GlobalAveragePool (for invariance claims on outputs of another size). */
  globalPool?: boolean;
  /** The output's shape (for the binder); [batch, out channels, 1, 1] with the pool, else the input's spatial size. */
  out?: DimSpec[];
}

/** x [batch, C, n, n] -> (Pad "pad") -> Conv "conv" -> (GlobalAveragePool "pool") -> out. */
export function cnn(options: CnnOptions): GraphBuilder {
  const size = options.size ?? 8;
  const g = new GraphBuilder("cnn").input("x", "float", ["batch", options.inputChannels ?? options.weights.dims[1], size, size]);
  let current = "x";
  if (options.pad) {
    g.initializer("pads", int64Tensor([options.pad.pads.length], options.pad.pads));
    g.node("Pad", ["x", "pads"], ["padded"], { mode: options.pad.mode }, { name: "pad" });
    current = "padded";
  }
  g.initializer("w", floatTensor(options.weights.dims, options.weights.values));
  const convInputs = [current, "w"];
  if (options.bias) {
    g.initializer("b", floatTensor([options.bias.length], options.bias));
    convInputs.push("b");
  }
  g.node("Conv", convInputs, [options.globalPool ? "conv_out" : "out"], options.conv ?? {}, { name: "conv" });
  if (options.globalPool) g.node("GlobalAveragePool", ["conv_out"], ["out"], {}, { name: "pool" });
  const channels = options.weights.dims[0];
  return g.output("out", "float", options.out ?? (options.globalPool ? ["batch", channels, 1, 1] : ["batch", channels, size, size]));
}

/** Random weights of the given dims, from a seed. */
export function randomWeights(dims: number[], seed: number): { dims: number[]; values: number[] } {
  return { dims, values: randomFloats(dims.reduce((a, b) => a * b, 1), seededRandom(seed)) };
}

/** `count` kernels from `make`, as weights [count, 1, k, k]. */
export function kernelBank(kernels: number[][], size = 3): { dims: number[]; values: number[] } {
  return { dims: [kernels.length, 1, size, size], values: kernels.flat() };
}

/** Specs over an image input x [batch, channel, y, x] and an output `out`. */
export const IMAGE_IN = "input x [batch, channel, y, x]\n";
export const IMAGE_OUT = "output out [batch, channel, y, x]\n";
export const POOLED_OUT = "output out [batch, channel, _, _]\n";
