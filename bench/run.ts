/**
 * `npm run bench`: the editor loop's latency and the model reader's throughput, printed
 * against their targets. Timings on a shared machine are noisy: each figure is a median over
 * repeated runs, and the reader is compared with a plain read of the same bytes in the same run.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { bindSpec } from "../server/src/binding/bind";
import type { BoundSpec } from "../server/src/binding/bound";
import { parseSpec } from "../server/src/dsl/parse";
import { toLspDiagnostics } from "../server/src/features/diagnostics";
import { ModelCache } from "../server/src/onnx/cache";
import { readOnnxModel } from "../server/src/onnx/reader";
import { analyzeSpec } from "../server/src/service/analysis";
import { checkStatically } from "../server/src/symmetry/static";
import { floatTensor, GraphBuilder } from "../test/support/onnxBuilder";
import { benchNumericChecks } from "./numeric";

const folder = mkdtempSync(path.join(tmpdir(), "symcheck-bench-"));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timeMs(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

function report(name: string, value: string, target: string, met: boolean): void {
  console.log(`${name.padEnd(52)} ${value.padStart(10)}   target ${target.padEnd(8)} ${met ? "met" : "NOT MET"}`);
}

/** A CNN-shaped model and a spec of about `lines` lines that uses it: symmetries, claims and comments. */
function writeSpecWorkload(lines: number): { specPath: string; text: string } {
  const model = new GraphBuilder("bench")
    .input("image", "float", ["batch", 3, 32, 32])
    .output("logits", "float", ["batch", 10])
    .output("features", "float", ["batch", 8, 32, 32]);
  writeFileSync(path.join(folder, "bench.onnx"), model.toModelBytes());
  const header = [
    'model "bench.onnx"',
    "input  image    [batch, channel, y, x]",
    "output logits   [batch, class]",
    "output features [batch, hidden, y, x]",
    "check { samples 8  seed 0  size batch = 2 }",
  ];
  const body: string[] = [];
  for (let i = 0; body.length + header.length < lines; i++) {
    body.push(`# group ${i}`);
    body.push(`symmetry shift${i} = translate(y, x, step=${1 + (i % 4)})`);
    body.push(`symmetry turn${i}  = rotate90(y, x)`);
    body.push(`invariant   logits   under shift${i}, turn${i} within 1e-3`);
    body.push(`equivariant features under shift${i}`);
  }
  return { specPath: path.join(folder, "bench.sym"), text: [...header, ...body].slice(0, lines).join("\n") + "\n" };
}

/** Median time from a changed document to its diagnostics, with the model already cached. */
async function benchEditLoop(lines: number, runs: number, targetMs: number): Promise<void> {
  const { specPath, text } = writeSpecWorkload(lines);
  const models = new ModelCache();
  const diagnose = async (version: number) => toLspDiagnostics(await analyzeSpec(specPath, `${text}# edit ${version}\n`, models));
  for (let i = 0; i < 5; i++) await diagnose(i); // warm up the model cache and the JIT
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timeMs(() => diagnose(i)));
  const ms = median(times);
  const parseTimes: number[] = [];
  for (let i = 0; i < runs; i++) parseTimes.push(await timeMs(async () => parseSpec(`${text}# edit ${i}\n`)));
  console.log(`  of which parsing: ${median(parseTimes).toFixed(2)} ms`);
  report(`change -> diagnostics, ${lines}-line spec (median of ${runs})`, `${ms.toFixed(2)} ms`, `${targetMs} ms`, ms <= targetMs);
}

/** A model of about `megabytes` MB of float weights (raw_data, as exporters write them). */
function writeLargeModel(megabytes: number): string {
  const floatsPerTensor = 1 << 20; // 4 MB each
  const tensors = Math.round((megabytes * 1e6) / (4 * floatsPerTensor));
  const graph = new GraphBuilder("large").input("x", "float", ["batch", 1024]).output("y", "float", ["batch", 1024]);
  const weights = new Float32Array(floatsPerTensor).map((_, i) => Math.sin(i));
  let previous = "x";
  for (let i = 0; i < tensors; i++) {
    graph.initializer(`w${i}`, floatTensor([1024, 1024], weights));
    const next = i === tensors - 1 ? "y" : `h${i}`;
    graph.node("MatMul", [previous, `w${i}`], [next], {}, { name: `layer${i}` });
    previous = next;
  }
  const file = path.join(folder, "large.onnx");
  writeFileSync(file, graph.toModelBytes());
  return file;
}

/** Reading and indexing a large model against just reading its bytes, interleaved in one run. */
async function benchLargeModel(): Promise<void> {
  const file = writeLargeModel(100);
  const readOnly: number[] = [];
  const readAndIndex: number[] = [];
  for (let i = 0; i < 7; i++) {
    readOnly.push(await timeMs(() => readFile(file)));
    readAndIndex.push(await timeMs(async () => readOnnxModel(await readFile(file))));
  }
  const ratio = median(readAndIndex) / median(readOnly);
  const size = (await readFile(file)).byteLength / 1e6;
  console.log(`read ${size.toFixed(0)} MB model: bytes only ${median(readOnly).toFixed(1)} ms, read and index ${median(readAndIndex).toFixed(1)} ms`);
  report("read and index / read bytes, 100 MB model", `${ratio.toFixed(2)}x`, "1.5x", ratio <= 1.5);
}

/** A residual CNN of `nodes` nodes: blocks of Conv (3x3, zero padding), Relu, Add (the skip) and Mul (a per-channel scale). */
function deepResidualModel(nodes: number): Uint8Array {
  const graph = new GraphBuilder("deep").input("x", "float", ["batch", 4, 16, 16]).output("out", "float", ["batch", 4, 16, 16]);
  const kernel = new Float32Array(4 * 4 * 9).map((_, i) => Math.cos(i));
  graph.initializer("scale", floatTensor([1, 4, 1, 1], [1, 0.5, 0.25, 2]));
  let previous = "x";
  const blocks = Math.floor(nodes / 4);
  for (let i = 0; i < blocks; i++) {
    const last = i === blocks - 1;
    graph.initializer(`w${i}`, floatTensor([4, 4, 3, 3], kernel));
    graph.node("Conv", [previous, `w${i}`], [`c${i}`], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: `conv${i}` });
    graph.node("Relu", [`c${i}`], [`r${i}`], {}, { name: `relu${i}` });
    graph.node("Add", [`r${i}`, previous], [`a${i}`], {}, { name: `skip${i}` });
    graph.node("Mul", [`a${i}`, "scale"], [last ? "out" : `m${i}`], {}, { name: `scale${i}` });
    previous = `m${i}`;
  }
  return graph.toModelBytes();
}

/** A bound spec whose model is a fresh object, so nothing derived from an earlier run is reused. */
function boundWithFreshModel(bytes: Uint8Array, specText: string): BoundSpec {
  const model = readOnnxModel(bytes);
  const { spec } = parseSpec(specText);
  const reference = { path: path.join(folder, "fresh.onnx"), source: "statement" as const };
  return bindSpec(spec, { reference, load: { ok: true, path: reference.path, model, mtimeMs: 0 } }).bound;
}

/**
 * A ResNet-like model of about `nodes` nodes, less uniform than deepResidualModel: a strided stem
 * with max pooling, then stages that halve the resolution and double the channels, of blocks
 * Conv -> BatchNormalization -> Relu -> Conv -> BatchNormalization -> Add (the skip, through a
 * strided 1x1 convolution where the stage starts) -> Relu, then global pooling, Flatten and Gemm.
 * Every node has its own weights, as in a trained network.
 */
function resNetLikeModel(nodes: number): Uint8Array {
  const graph = new GraphBuilder("resnet").input("image", "float", ["batch", 3, 64, 64]).output("logits", "float", ["batch", 10]);
  let count = 0;
  const name = (prefix: string) => `${prefix}${count++}`;
  const conv = (input: string, from: number, to: number, kernel: number, stride: number): string => {
    const weight = name("w");
    graph.initializer(weight, floatTensor([to, from, kernel, kernel], new Float32Array(to * from * kernel * kernel).map((_, i) => Math.sin(i + count))));
    const output = name("conv");
    const pad = (kernel - 1) / 2;
    graph.node("Conv", [input, weight], [output], { kernel_shape: [kernel, kernel], strides: [stride, stride], pads: [pad, pad, pad, pad] }, { name: output });
    return output;
  };
  const batchNorm = (input: string, channels: number): string => {
    const parameters = ["scale", "bias", "mean", "var"].map((what) => {
      const parameter = name(what);
      graph.initializer(parameter, floatTensor([channels], new Float32Array(channels).map((_, i) => 1 + 0.1 * Math.cos(i + count))));
      return parameter;
    });
    const output = name("bn");
    graph.node("BatchNormalization", [input, ...parameters], [output], {}, { name: output });
    return output;
  };
  const relu = (input: string): string => {
    const output = name("relu");
    graph.node("Relu", [input], [output], {}, { name: output });
    return output;
  };
  graph.node("MaxPool", [relu(batchNorm(conv("image", 3, 4, 7, 2), 4))], ["stem"], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, { name: "pool" });
  let x = "stem";
  const stages = [4, 8, 16];
  const blocksPerStage = Math.floor((nodes - 8) / 7 / stages.length);
  stages.forEach((channels, stage) => {
    for (let block = 0; block < blocksPerStage; block++) {
      const [from, stride] = block === 0 && stage > 0 ? [stages[stage - 1], 2] : [channels, 1];
      const skip = stride === 1 ? x : conv(x, from, channels, 1, stride);
      const branch = batchNorm(conv(relu(batchNorm(conv(x, from, channels, 3, stride), channels)), channels, channels, 3, 1), channels);
      const sum = name("add");
      graph.node("Add", [branch, skip], [sum], {}, { name: sum });
      x = relu(sum);
    }
  });
  graph.initializer("fc.weight", floatTensor([10, 16], new Float32Array(160).map((_, i) => Math.cos(i))));
  graph.node("GlobalAveragePool", [x], ["pooled"], {}, { name: "gap" });
  graph.node("Flatten", ["pooled"], ["flat"], {}, { name: "flatten" });
  graph.node("Gemm", ["flat", "fc.weight"], ["logits"], { transB: 1 }, { name: "fc" });
  return graph.toModelBytes();
}

/**
 * The static analysis of a large graph, from scratch (shape inference, constants, the walk,
 * verdicts), on a fresh model object each run so that nothing derived from an earlier run is
 * reused. The first run on the graph is reported apart: it pays for compiling the analysis
 * (what the benchmarks before did not compile yet), which a language server does once in its
 * life, not per model. The median is taken after it
 * and WARM_UP_RUNS more runs, on other model objects of the same kind.
 */
async function benchStaticAnalysis(label: string, bytes: Uint8Array, spec: string): Promise<void> {
  const analyse = (bound: BoundSpec) => checkStatically(bound)[0].verdict;
  const first = boundWithFreshModel(bytes, spec);
  let verdict = "";
  const firstMs = await timeMs(async () => (verdict = analyse(first)));
  for (let i = 0; i < WARM_UP_RUNS; i++) analyse(boundWithFreshModel(bytes, spec));
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const bound = boundWithFreshModel(bytes, spec);
    times.push(await timeMs(async () => (verdict = analyse(bound))));
  }
  const ms = median(times);
  console.log(`  first run on this graph: ${firstMs.toFixed(1)} ms; median of 7 after it and ${WARM_UP_RUNS} more warm-up runs, each on a fresh model object:`);
  report(`static analysis, ${label} (${verdict})`, `${ms.toFixed(1)} ms`, "50 ms", ms <= 50);
}

/** Untimed runs after the first, that let the JIT finish compiling the analysis before the timed ones. */
const WARM_UP_RUNS = 4;

/** The large model read and analysed against just reading its bytes. */
async function benchLargeModelAnalysis(): Promise<void> {
  const file = path.join(folder, "large.onnx");
  const spec = "input x [batch, feature]\noutput y [batch, feature]\nsymmetry neg = negate(x, y)\nequivariant y under neg\n";
  const readOnly: number[] = [];
  const readAndAnalyse: number[] = [];
  for (let i = 0; i < 5; i++) {
    readOnly.push(await timeMs(() => readFile(file)));
    readAndAnalyse.push(await timeMs(async () => checkStatically(boundWithFreshModel(await readFile(file), spec))));
  }
  const ratio = median(readAndAnalyse) / median(readOnly);
  report("read and analyse / read bytes, 100 MB model", `${ratio.toFixed(2)}x`, "1.5x", ratio <= 1.5);
}

/** The benchmark's sections; `npm run bench -- NAME...` runs only those named (e.g. `numeric`). */
const sections: Record<string, () => Promise<void>> = {
  edit: async () => {
    await benchEditLoop(200, 200, 5);
    await benchEditLoop(5000, 30, 50);
  },
  reader: async () => {
    await benchLargeModel();
    await benchLargeModelAnalysis();
  },
  static: async () => {
    const residualSpec = "input x [batch, channel, y, x]\noutput out [batch, channel, y, x]\nsymmetry shift = translate(y, x)\nequivariant out under shift\n";
    await benchStaticAnalysis("10,000-node graph", deepResidualModel(10_000), residualSpec);
    const resNetSpec = "input image [batch, channel, y, x]\noutput logits [batch, class]\nsymmetry shift = translate(y, x, step=16)\ninvariant logits under shift\n";
    await benchStaticAnalysis("10,000-node ResNet-like graph", resNetLikeModel(10_000), resNetSpec);
  },
  numeric: () => benchNumericChecks(folder, report),
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(name in sections));
  if (unknown.length > 0) {
    console.error(`unknown section ${unknown.join(", ")}: the sections are ${Object.keys(sections).join(", ")}`);
    process.exit(2);
  }
  for (const [name, run] of Object.entries(sections)) if (asked.length === 0 || asked.includes(name)) await run();
}

void main();
