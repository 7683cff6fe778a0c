/**
 * The numeric check's cost: its wall time against onnxruntime alone running the same forward
 * passes in this process (measured in the same run), and the longest stall of this process'
 * event loop while a check runs (the language server runs the same service: a stall here is a
 * stall of the editor's hovers and completions).
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import * as ort from "onnxruntime-node";
import { ModelCache } from "../server/src/onnx/cache";
import { analyzeSpec } from "../server/src/service/analysis";
import { checkNumerically } from "../server/src/symmetry/numeric/check";
import { ortFeeds, runSession } from "../server/src/symmetry/numeric/onnxruntime";
import { createModelRunner } from "../server/src/symmetry/numeric/runner";
import { BaseOutputs, checkSamples, type ModelSession, type SampleJob } from "../server/src/symmetry/numeric/samples";
import type { ModelRunner, RunRequest } from "../server/src/symmetry/numeric/types";
import { floatTensor, GraphBuilder, int64Tensor } from "../test/support/onnxBuilder";

interface Workload {
  name: string;
  modelBytes: Uint8Array;
  spec: string;
}

const weights = (count: number, seed: number) => Float32Array.from({ length: count }, (_, i) => Math.sin(seed * 7.1 + i * 1.3) * 0.3);

/** A small image classifier: three 3x3 convolutions with circular padding, global average pooling, a linear head. */
export function cnn(): Workload {
  const g = new GraphBuilder("bench_cnn").input("image", "float", ["batch", 3, 64, 64]).output("logits", "float", ["batch", 10]);
  let previous = "image";
  let channels = 3;
  g.initializer("pads", int64Tensor([8], [0, 0, 1, 1, 0, 0, 1, 1]));
  for (const [i, width] of [32, 32, 32].entries()) {
    g.initializer(`w${i}`, floatTensor([width, channels, 3, 3], weights(width * channels * 9, i)));
    g.node("Pad", [previous, "pads"], [`p${i}`], { mode: "wrap" }, { name: `pad${i}` });
    g.node("Conv", [`p${i}`, `w${i}`], [`c${i}`], { kernel_shape: [3, 3] }, { name: `conv${i}` });
    g.node("Relu", [`c${i}`], [`r${i}`], {}, { name: `relu${i}` });
    previous = `r${i}`;
    channels = width;
  }
  g.node("GlobalAveragePool", [previous], ["pooled"], {}, { name: "pool" });
  g.node("Flatten", ["pooled"], ["flat"], { axis: 1 }, { name: "flatten" });
  g.initializer("fc_w", floatTensor([channels, 10], weights(channels * 10, 9)));
  g.node("MatMul", ["flat", "fc_w"], ["logits"], {}, { name: "fc" });
  const spec = [
    'model "bench_cnn.onnx"',
    "input image [batch, channel, y, x]",
    "output logits [batch, class]",
    "symmetry shift = translate(y, x)",
    "invariant logits under shift",
    "check { samples 16 }",
  ].join("\n");
  // Pad mode `wrap` (circular padding) is opset 19.
  return { name: "CNN (3 convs, 64x64)", modelBytes: g.toModelBytes({ opset: 19 }), spec };
}

/**
 * A transformer encoder without positional embeddings: two blocks of single-head self-attention
 * and a ReLU MLP, each with a residual connection and a layer norm; 128 tokens of width 128.
 */
export function attention(): Workload {
  const [tokens, width, hidden] = [128, 128, 512];
  const g = new GraphBuilder("bench_attention").input("x", "float", ["batch", tokens, width]).output("out", "float", ["batch", tokens, width]);
  let seed = 0;
  const linear = (input: string, output: string, inputs: number, outputs: number) => {
    g.initializer(`${output}_w`, floatTensor([inputs, outputs], weights(inputs * outputs, ++seed).map((w) => w / Math.sqrt(inputs))));
    g.node("MatMul", [input, `${output}_w`], [output], {}, { name: output });
  };
  const layerNorm = (input: string, output: string) => {
    g.initializer(`${output}_scale`, floatTensor([width], new Float32Array(width).fill(1)));
    g.initializer(`${output}_bias`, floatTensor([width], new Float32Array(width)));
    g.node("LayerNormalization", [input, `${output}_scale`, `${output}_bias`], [output], { axis: -1 }, { name: output });
  };
  g.initializer("scale", floatTensor([], [1 / Math.sqrt(width)]));
  let previous = "x";
  for (const block of [0, 1]) {
    const name = (part: string) => `b${block}_${part}`;
    for (const part of ["q", "k", "v"]) linear(previous, name(part), width, width);
    g.node("Transpose", [name("k")], [name("kt")], { perm: [0, 2, 1] }, { name: name("kt") });
    g.node("MatMul", [name("q"), name("kt")], [name("scores")], {}, { name: name("scores") });
    g.node("Mul", [name("scores"), "scale"], [name("scaled")], {}, { name: name("scaled") });
    g.node("Softmax", [name("scaled")], [name("attn")], { axis: -1 }, { name: name("softmax") });
    g.node("MatMul", [name("attn"), name("v")], [name("context")], {}, { name: name("context") });
    linear(name("context"), name("projected"), width, width);
    g.node("Add", [previous, name("projected")], [name("residual1")], {}, { name: name("residual1") });
    layerNorm(name("residual1"), name("norm1"));
    linear(name("norm1"), name("up"), width, hidden);
    g.node("Relu", [name("up")], [name("relu")], {}, { name: name("relu") });
    linear(name("relu"), name("down"), hidden, width);
    g.node("Add", [name("norm1"), name("down")], [name("residual2")], {}, { name: name("residual2") });
    layerNorm(name("residual2"), block === 1 ? "out" : name("norm2"));
    previous = name("norm2");
  }
  const spec = [
    'model "bench_attention.onnx"',
    "input x [batch, token, feature]",
    "output out [batch, token, feature]",
    "symmetry perm = permute(token)",
    "equivariant out under perm",
    "check { samples 16 }",
  ].join("\n");
  return { name: "transformer (2 blocks, 128 tokens x 128)", modelBytes: g.toModelBytes({ opset: 18 }), spec };
}

/** A runner that remembers the jobs it was given, so that their forward passes can be replayed. */
function recording(runner: ModelRunner, jobs: SampleJob[]): ModelRunner {
  return { run: (job, signal) => (jobs.push(job), runner.run(job, signal)), dispose: () => runner.dispose() };
}

/**
 * The forward passes of a check, as the runner's worker ran them: its jobs done again in this
 * process, on a session whose ModelSession lives as long as the worker's (so that stacking is
 * learned where it was learned there), recording each run's feeds.
 */
function forwardPasses(session: ort.InferenceSession): (jobs: readonly SampleJob[]) => Promise<RunRequest[]> {
  let passes: RunRequest[] = [];
  const model: ModelSession = { run: (request) => (passes.push(request), runSession(session, request)), rowwise: new Map(), baseOutputs: new BaseOutputs() };
  return async (jobs) => {
    passes = [];
    for (const job of jobs) await checkSamples(job, model);
    return passes;
  };
}

/** The forward passes, run by onnxruntime alone in this process with a warm session. */
async function replay(session: ort.InferenceSession, requests: readonly RunRequest[]): Promise<number> {
  const feeds = requests.map((request) => ortFeeds(request.feeds));
  const start = performance.now();
  for (const [i, request] of requests.entries()) await session.run(feeds[i], request.outputs);
  return performance.now() - start;
}

/** Checks that start the worker, load the model and learn how it stacks: not measured. */
const WARM_UP = 2;
/**
 * Checks measured, each with onnxruntime alone after it; the ratio is the median of the 30
 * pairs' ratios, which follows the machine's speed as it drifts. Timings on this 2-core VM vary
 * by 1.5x from one minute to the next: the ratio of the medians of 10 pairs gave the transformer
 * 1.06x to 1.49x in four runs within minutes, of 30 pairs 1.17x to 1.26x.
 */
const MEASURED = 30;

function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function benchWorkload(folder: string, workload: Workload, report: (name: string, value: string, target: string, met: boolean) => void): Promise<void> {
  const specPath = path.join(folder, `${workload.name.split(" ")[0].toLowerCase()}.sym`);
  const modelPath = path.join(folder, /"(.*)"/.exec(workload.spec)![1]);
  writeFileSync(modelPath, workload.modelBytes);
  const analysis = await analyzeSpec(specPath, workload.spec, new ModelCache());
  const runner = createModelRunner({ timeoutMs: 120_000 });
  const session = await ort.InferenceSession.create(modelPath);
  const passesOf = forwardPasses(session);
  const check = (jobs: SampleJob[] = []) => checkNumerically(analysis.bound, { runner: recording(runner, jobs), specFolder: folder });
  const ratios: number[] = [];
  const checkTimes: number[] = [];
  const replayTimes: number[] = [];
  let worstDelay = 0;
  let outcome = "";
  try {
    // Every check draws the same samples: its forward passes are those of the second check (the
    // first also learns how the model stacks, and the worker and the session here alike remember).
    let passes: RunRequest[] = [];
    for (let i = 0; i < WARM_UP + MEASURED; i++) {
      // A timed check, onnxruntime alone, and a check that the event-loop monitor watches, in
      // turn, so that all see the machine as it is at the time; each after a pause, because
      // onnxruntime's idle threads spin for a while after a run and would slow whatever runs next.
      const jobs: SampleJob[] = [];
      await pause();
      const start = performance.now();
      const [result] = await check(jobs);
      const elapsed = performance.now() - start;
      if (i < WARM_UP) {
        passes = await passesOf(jobs);
        outcome = `${result.status} ${result.samples} samples, ${jobs.length} job${jobs.length === 1 ? "" : "s"}, ${passes.length} runs of the model`;
      }
      await pause();
      const alone = await replay(session, passes);
      // Warm-up checks are not measured (see WARM_UP); their replays warm up onnxruntime in this process too.
      if (i < WARM_UP) continue;
      await pause();
      worstDelay = Math.max(worstDelay, await longestStall(check));
      ratios.push(elapsed / alone);
      checkTimes.push(elapsed);
      replayTimes.push(alone);
    }
  } finally {
    await runner.dispose();
    await session.release();
  }
  const ratio = median(ratios);
  const spread = (values: number[], digits: number, unit: string) => `${median(values).toFixed(digits)}${unit} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;
  console.log(`${workload.name}: ${outcome}; check ${spread(checkTimes, 1, " ms")}, onnxruntime alone ${spread(replayTimes, 1, " ms")}, check / alone ${spread(ratios, 2, "x")}: medians (and ranges) of ${ratios.length} pairs`);
  report(`numeric check / onnxruntime alone, ${workload.name}`, `${ratio.toFixed(2)}x`, "1.15x", ratio <= 1.15);
  report(`largest event-loop delay during a check, ${workload.name}`, `${worstDelay.toFixed(1)} ms`, "20 ms", worstDelay < 20);
}

/**
 * The longest stall of this process' event loop during a check. Measured on checks of their own:
 * the monitor's 1 ms timer keeps this process awake, and checks timed with it ran faster on this
 * VM than the language server's, whose event loop sleeps between messages (five interleaved runs
 * each: CNN 1.08x-1.16x with it, 1.15x-1.19x without; the transformer alike within the noise).
 */
async function longestStall(check: () => Promise<unknown>): Promise<number> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  await check();
  delay.disable();
  return delay.max / 1e6;
}

export async function benchNumericChecks(folder: string, report: (name: string, value: string, target: string, met: boolean) => void): Promise<void> {
  for (const workload of [cnn(), attention()]) await benchWorkload(folder, workload, report);
}
