/**
 * Writes examples/: the five examples of the language spec (docs: shared/spec/dsl.md), each a
 * `.sym` spec with the spec's text and a small real network that does what the example says,
 * plus one example whose claim is broken on purpose. Weights are seeded random numbers, so every
 * run writes the same bytes: `npm run examples`.
 *
 * The networks are exact where the claims are exact: circular (wrap) padding instead of zero
 * padding, kernels that are symmetric under quarter turns, sums over sets and pairs.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { GraphBuilder, floatTensor, int64Tensor, randomFloats, seededRandom } from "../test/support/onnxBuilder";
import { SPEC_EXAMPLES } from "../test/support/specExamples";

export interface Example {
  /** The spec's file name without `.sym`. */
  name: string;
  /** The model's file name, as the spec's `model` line names it. */
  modelFile: string;
  model: Uint8Array;
  spec: string;
}

const PRODUCER = { producerName: "symcheck examples" };

/** Pads of one cell on each side of the last two axes of a 4-D tensor (ONNX order: all begins, then all ends). */
const PAD_YX_BY_ONE = [0, 0, 1, 1, 0, 0, 1, 1];

export function buildExamples(): Example[] {
  return [tinyCnn(), deepSets(), molecule(), p4Conv(), vad(), flattenCnn()];
}

/**
 * One of the language spec's examples with a few comment lines that describe its network
 * inserted after its title line.
 */
function describedSpec(specExample: string, description: string[]): string {
  const afterTitle = specExample.indexOf("\n") + 1;
  const comments = description.map((line) => `# ${line}\n`).join("");
  return specExample.slice(0, afterTitle) + comments + specExample.slice(afterTitle);
}

/** Numbers drawn uniformly from [low, high). */
function uniform(count: number, random: () => number, low: number, high: number): number[] {
  return Array.from({ length: count }, () => low + (high - low) * random());
}

// ---------------------------------------------------------------------------------------------
// tiny_cnn: invariant under cyclic shifts and quarter turns

/**
 * A 3x3 kernel that quarter turns leave unchanged: one weight for the centre, one for the four
 * edge cells, one for the four corners.
 */
function quarterTurnSymmetricKernel(random: () => number): number[] {
  const [centre, edge, corner] = randomFloats(3, random, 0.5);
  return [corner, edge, corner, edge, centre, edge, corner, edge, corner];
}

function tinyCnn(): Example {
  const random = seededRandom(1);
  const channels = 8;
  const classes = 10;
  const kernels = Array.from({ length: channels * 3 }, () => quarterTurnSymmetricKernel(random)).flat();
  const g = new GraphBuilder("tiny_cnn");
  g.input("image", "float", ["batch", 3, 16, 16]);
  g.initializer("pads", int64Tensor([8], PAD_YX_BY_ONE));
  g.initializer("conv.weight", floatTensor([channels, 3, 3, 3], kernels));
  g.initializer("conv.bias", floatTensor([channels], randomFloats(channels, random, 0.1)));
  g.initializer("fc.weight", floatTensor([classes, channels], randomFloats(classes * channels, random, 0.5)));
  g.initializer("fc.bias", floatTensor([classes], randomFloats(classes, random, 0.1)));
  g.node("Pad", ["image", "pads"], ["padded"], { mode: "wrap" }, { name: "pad" });
  g.node("Conv", ["padded", "conv.weight", "conv.bias"], ["conv"], { kernel_shape: [3, 3] }, { name: "conv" });
  g.node("Relu", ["conv"], ["relu"], {}, { name: "relu" });
  g.node("GlobalAveragePool", ["relu"], ["pooled"], {}, { name: "pool" });
  g.node("Flatten", ["pooled"], ["features"], { axis: 1 }, { name: "flatten" });
  g.node("Gemm", ["features", "fc.weight", "fc.bias"], ["logits"], { transB: 1 }, { name: "fc" });
  g.output("logits", "float", ["batch", classes]);
  return {
    name: "tiny_cnn",
    modelFile: "tiny_cnn.onnx",
    model: g.toModelBytes({ opset: 19, ...PRODUCER }),
    spec: describedSpec(SPEC_EXAMPLES.tinyCnn, [
      "tiny_cnn.onnx: circular (wrap) padding, a 3x3 convolution whose kernels quarter turns leave",
      "unchanged, ReLU, global average pooling and a linear layer. Made by `npm run examples`.",
    ]),
  };
}

// ---------------------------------------------------------------------------------------------
// deepsets: a sum over the set's elements, and a per-element head

function deepSets(): Example {
  const random = seededRandom(2);
  const [elements, features, hidden, out] = [6, 4, 16, 8];
  const g = new GraphBuilder("deepsets");
  g.input("points", "float", ["batch", elements, features]);
  g.initializer("phi.weight", floatTensor([features, hidden], randomFloats(features * hidden, random, 0.5)));
  g.initializer("phi.bias", floatTensor([hidden], randomFloats(hidden, random, 0.1)));
  g.initializer("rho.weight", floatTensor([hidden, out], randomFloats(hidden * out, random, 0.3)));
  g.initializer("rho.bias", floatTensor([out], randomFloats(out, random, 0.1)));
  g.initializer("score.weight", floatTensor([hidden, 1], randomFloats(hidden, random, 0.5)));
  g.initializer("context.weight", floatTensor([hidden, 1], randomFloats(hidden, random, 0.2)));
  g.initializer("element_axis", int64Tensor([1], [1]));
  g.initializer("last_axis", int64Tensor([1], [2]));
  // phi: the same small network on every element.
  g.node("MatMul", ["points", "phi.weight"], ["phi.matmul"], {}, { name: "phi.matmul" });
  g.node("Add", ["phi.matmul", "phi.bias"], ["phi.add"], {}, { name: "phi.add" });
  g.node("Relu", ["phi.add"], ["embedded"], {}, { name: "phi.relu" });
  // The sum over elements makes `pooled` blind to their order.
  g.node("ReduceSum", ["embedded", "element_axis"], ["summed"], { keepdims: 0 }, { name: "sum" });
  g.node("MatMul", ["summed", "rho.weight"], ["rho.matmul"], {}, { name: "rho.matmul" });
  g.node("Add", ["rho.matmul", "rho.bias"], ["pooled"], {}, { name: "rho.add" });
  // Each element's score: its own embedding plus the set's sum, so the scores follow the elements.
  g.node("MatMul", ["embedded", "score.weight"], ["element_score"], {}, { name: "score.matmul" });
  g.node("Squeeze", ["element_score", "last_axis"], ["element_score.flat"], {}, { name: "score.squeeze" });
  g.node("MatMul", ["summed", "context.weight"], ["context"], {}, { name: "context.matmul" });
  g.node("Add", ["element_score.flat", "context"], ["scores"], {}, { name: "score.add" });
  g.output("pooled", "float", ["batch", out]);
  g.output("scores", "float", ["batch", elements]);
  return {
    name: "deepsets",
    modelFile: "deepsets.onnx",
    model: g.toModelBytes({ opset: 17, ...PRODUCER }),
    spec: describedSpec(SPEC_EXAMPLES.deepsets, [
      "deepsets.onnx: a shared MLP on each of 6 elements, a sum over them, a linear layer (pooled),",
      "and a score per element from its embedding and the sum (scores). Made by `npm run examples`.",
    ]),
  };
}

// ---------------------------------------------------------------------------------------------
// molecule (egnn.onnx): energies from distances, forces along differences

function molecule(): Example {
  const random = seededRandom(3);
  const [atoms, edgeFeatures, hidden] = [5, 3, 16];
  const g = new GraphBuilder("egnn");
  g.input("pos", "float", ["batch", atoms, 3]);
  g.input("charge", "float", ["batch", atoms]);
  g.initializer("axis1", int64Tensor([1], [1]));
  g.initializer("axis2", int64Tensor([1], [2]));
  g.initializer("axis3", int64Tensor([1], [3]));
  g.initializer("axes1_3", int64Tensor([2], [1, 3]));
  g.initializer("axes2_3", int64Tensor([2], [2, 3]));
  g.initializer("axes1_2_3", int64Tensor([3], [1, 2, 3]));
  g.initializer("edge.weight", floatTensor([edgeFeatures, hidden], randomFloats(edgeFeatures * hidden, random, 0.4)));
  g.initializer("edge.bias", floatTensor([hidden], randomFloats(hidden, random, 0.2)));
  g.initializer("energy.weight", floatTensor([hidden, 1], randomFloats(hidden, random, 0.5)));
  g.initializer("force.weight", floatTensor([hidden, 1], randomFloats(hidden, random, 0.5)));
  g.initializer("force.bias", floatTensor([1], randomFloats(1, random, 0.1)));
  // diff[b, i, j] = pos[b, i] - pos[b, j]: rotates with the molecule, blind to translations.
  g.node("Unsqueeze", ["pos", "axis2"], ["pos_i"], {}, { name: "pos_i" });
  g.node("Unsqueeze", ["pos", "axis1"], ["pos_j"], {}, { name: "pos_j" });
  g.node("Sub", ["pos_i", "pos_j"], ["diff"], {}, { name: "diff" });
  g.node("Mul", ["diff", "diff"], ["diff_squared"], {}, { name: "diff_squared" });
  g.node("ReduceSum", ["diff_squared", "axis3"], ["dist2"], { keepdims: 1 }, { name: "dist2" });
  // Edge features [dist2, q_i * q_j, q_i + q_j]: invariant under E(3), symmetric in i and j.
  g.node("Unsqueeze", ["charge", "axes2_3"], ["q_i"], {}, { name: "q_i" });
  g.node("Unsqueeze", ["charge", "axes1_3"], ["q_j"], {}, { name: "q_j" });
  g.node("Mul", ["q_i", "q_j"], ["q_product"], {}, { name: "q_product" });
  g.node("Add", ["q_i", "q_j"], ["q_sum"], {}, { name: "q_sum" });
  g.node("Concat", ["dist2", "q_product", "q_sum"], ["edge_features"], { axis: 3 }, { name: "edge_features" });
  g.node("MatMul", ["edge_features", "edge.weight"], ["edge.matmul"], {}, { name: "edge.matmul" });
  g.node("Add", ["edge.matmul", "edge.bias"], ["edge.add"], {}, { name: "edge.add" });
  g.node("Tanh", ["edge.add"], ["edge_hidden"], {}, { name: "edge.tanh" });
  // energy: a sum of pair energies.
  g.node("MatMul", ["edge_hidden", "energy.weight"], ["pair_energy"], {}, { name: "pair_energy" });
  g.node("ReduceSum", ["pair_energy", "axes1_2_3"], ["energy"], { keepdims: 0 }, { name: "energy" });
  // force[i] = sum over j of (pos_i - pos_j) * phi(edge_ij).
  g.node("MatMul", ["edge_hidden", "force.weight"], ["phi.matmul"], {}, { name: "phi.matmul" });
  g.node("Add", ["phi.matmul", "force.bias"], ["phi"], {}, { name: "phi.add" });
  g.node("Mul", ["diff", "phi"], ["pair_force"], {}, { name: "pair_force" });
  g.node("ReduceSum", ["pair_force", "axis2"], ["force"], { keepdims: 0 }, { name: "force" });
  g.output("energy", "float", ["batch"]);
  g.output("force", "float", ["batch", atoms, 3]);
  return {
    name: "molecule",
    modelFile: "egnn.onnx",
    model: g.toModelBytes({ opset: 17, ...PRODUCER }),
    spec: describedSpec(SPEC_EXAMPLES.molecule, [
      "egnn.onnx: for 5 atoms, an MLP on each pair's squared distance and charges; the energy sums",
      "the pairs' energies, the force on atom i sums (pos_i - pos_j) * phi(pair). Made by `npm run examples`.",
    ]),
  };
}

// ---------------------------------------------------------------------------------------------
// p4conv: a lifting group convolution

/**
 * `numpy.rot90(kernel, turns, axes=(y, x))` for each square kernel of a [out, in, k, k] array:
 * out[i][j] = in[j][k-1-i] per quarter turn.
 */
function rotateKernels(weights: number[], size: number, turns: number): number[] {
  let rotated = weights;
  for (let turn = 0; turn < turns; turn++) {
    const source = rotated;
    rotated = source.map((_, index) => {
      const base = index - (index % (size * size));
      const i = Math.floor((index % (size * size)) / size);
      const j = index % size;
      return source[base + j * size + (size - 1 - i)];
    });
  }
  return rotated;
}

function p4Conv(): Example {
  const random = seededRandom(4);
  const [inputs, channels, turns] = [3, 4, 4];
  const kernels = randomFloats(channels * inputs * 9, random, 0.5);
  const bias = randomFloats(channels, random, 0.1);
  // Output channel (turn r, channel c) uses the kernel of channel c turned r times.
  const weights = Array.from({ length: turns }, (_, r) => rotateKernels(kernels, 3, r)).flat();
  const g = new GraphBuilder("p4conv");
  g.input("image", "float", ["batch", inputs, 16, 16]);
  g.initializer("pads", int64Tensor([8], PAD_YX_BY_ONE));
  g.initializer("lift.weight", floatTensor([turns * channels, inputs, 3, 3], weights));
  g.initializer("lift.bias", floatTensor([turns * channels], Array.from({ length: turns }, () => bias).flat()));
  g.initializer("orient_shape", int64Tensor([5], [0, turns, channels, 16, 16]));
  g.node("Pad", ["image", "pads"], ["padded"], { mode: "wrap" }, { name: "pad" });
  g.node("Conv", ["padded", "lift.weight", "lift.bias"], ["lifted"], { kernel_shape: [3, 3] }, { name: "lift" });
  g.node("Reshape", ["lifted", "orient_shape"], ["by_orientation"], {}, { name: "split_orientations" });
  g.node("Relu", ["by_orientation"], ["feat"], {}, { name: "relu" });
  g.output("feat", "float", ["batch", turns, channels, 16, 16]);
  return {
    name: "p4conv",
    modelFile: "p4conv.onnx",
    model: g.toModelBytes({ opset: 19, ...PRODUCER }),
    spec: describedSpec(SPEC_EXAMPLES.p4conv, [
      "p4conv.onnx: one set of 3x3 kernels turned 0 to 3 quarter turns, applied with circular padding",
      "and reshaped to [batch, turn, channel, y, x], then ReLU. Made by `npm run examples`.",
    ]),
  };
}

// ---------------------------------------------------------------------------------------------
// vad: frame energies, blind to the signal's sign

function vad(): Example {
  const random = seededRandom(5);
  const [samples, window, stride] = [160, 16, 8];
  const frames = (samples - window) / stride + 1;
  const g = new GraphBuilder("vad");
  g.input("audio", "float", ["batch", samples]);
  g.initializer("channel_axis", int64Tensor([1], [1]));
  g.initializer("frame.weight", floatTensor([1, 1, window], uniform(window, random, 0, 0.1)));
  g.initializer("frame.bias", floatTensor([1], [-0.8]));
  g.node("Mul", ["audio", "audio"], ["power"], {}, { name: "power" });
  g.node("Unsqueeze", ["power", "channel_axis"], ["power.channel"], {}, { name: "add_channel" });
  g.node("Conv", ["power.channel", "frame.weight", "frame.bias"], ["frame_energy"], { kernel_shape: [window], strides: [stride] }, { name: "frames" });
  g.node("Sigmoid", ["frame_energy"], ["probability"], {}, { name: "sigmoid" });
  g.node("Squeeze", ["probability", "channel_axis"], ["speech"], {}, { name: "drop_channel" });
  g.output("speech", "float", ["batch", frames]);
  return {
    name: "vad",
    modelFile: "vad.onnx",
    model: g.toModelBytes({ opset: 17, ...PRODUCER }),
    spec: describedSpec(SPEC_EXAMPLES.vad, [
      "vad.onnx: the signal's square, summed over windows of 16 samples every 8 (a strided Conv),",
      "then a sigmoid: one speech probability per frame. Made by `npm run examples`.",
    ]),
  };
}

// ---------------------------------------------------------------------------------------------
// flatten_cnn: a claim that does not hold

function flattenCnn(): Example {
  const random = seededRandom(6);
  const [channels, size, classes] = [4, 8, 10];
  const features = channels * size * size;
  const g = new GraphBuilder("flatten_cnn");
  g.input("image", "float", ["batch", 3, size, size]);
  g.initializer("pads", int64Tensor([8], PAD_YX_BY_ONE));
  g.initializer("conv.weight", floatTensor([channels, 3, 3, 3], randomFloats(channels * 27, random, 0.5)));
  g.initializer("conv.bias", floatTensor([channels], randomFloats(channels, random, 0.1)));
  g.initializer("fc.weight", floatTensor([classes, features], randomFloats(classes * features, random, 0.1)));
  g.initializer("fc.bias", floatTensor([classes], randomFloats(classes, random, 0.1)));
  g.node("Pad", ["image", "pads"], ["padded"], { mode: "wrap" }, { name: "pad" });
  g.node("Conv", ["padded", "conv.weight", "conv.bias"], ["conv"], { kernel_shape: [3, 3] }, { name: "conv" });
  g.node("Relu", ["conv"], ["relu"], {}, { name: "relu" });
  g.node("Flatten", ["relu"], ["features"], { axis: 1 }, { name: "flatten" });
  g.node("Gemm", ["features", "fc.weight", "fc.bias"], ["logits"], { transB: 1 }, { name: "fc" });
  g.output("logits", "float", ["batch", classes]);
  return {
    name: "flatten_cnn",
    modelFile: "flatten_cnn.onnx",
    model: g.toModelBytes({ opset: 19, ...PRODUCER }),
    spec: `# flatten_cnn.sym: a claim that is BROKEN ON PURPOSE, to show what a failing check looks like.
# flatten_cnn.onnx: a circular 3x3 convolution and ReLU (shift-equivariant so far), then Flatten
# and a linear layer over every (channel, y, x) cell: its weights differ from cell to cell, so
# shifting the image changes the logits. symcheck should report the claim as violated at the
# Flatten/Gemm. Made by \`npm run examples\`.
model "flatten_cnn.onnx"
input  image  [batch, channel, y, x]
output logits [batch, class]

symmetry shift = translate(y, x)

invariant logits under shift
check { size batch = 2 }
`,
  };
}

// ---------------------------------------------------------------------------------------------

function writeExamples(folder: string): void {
  mkdirSync(folder, { recursive: true });
  for (const example of buildExamples()) {
    writeFileSync(path.join(folder, example.modelFile), example.model);
    writeFileSync(path.join(folder, `${example.name}.sym`), example.spec);
    console.log(`examples/${example.name}.sym, examples/${example.modelFile} (${example.model.byteLength} bytes)`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeExamples(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../examples"));
}
