/**
 * The model runner: a check's jobs done beside onnxruntime in a child process, one job at a time,
 * with timeouts, crashes, cancellation and the processes' lifetimes as users meet them (runner.ts).
 *
 * The jobs (jobs.ts) claim y equivariant under negating x and y: models that double x pass with no
 * error, models that square it fail by a known one. Long runs use the spinner, a Loop whose trip count
 * is an input: `spin(FOREVER)` runs for years on any machine, so timeouts and kills never race
 * with the run's end.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { after, describe, test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { floatTensor, GraphBuilder } from "../support/onnxBuilder";
import { createModelRunner, workerEntry, type ModelRunnerOptions, type ProcessModelRunner } from "../../server/src/symmetry/numeric/runner";
import type { FedInput } from "../../server/src/symmetry/numeric/inputs";
import type { SampleJob } from "../../server/src/symmetry/numeric/samples";
import { RunnerError, RUNNING_NOTICE_MS } from "../../server/src/symmetry/numeric/types";
import { DOUBLED, spinJob, squared, tensor, xJob } from "./jobs";

const folder = mkdtempSync(path.join(tmpdir(), "symcheck-runner-"));
after(() => rmSync(folder, { recursive: true, force: true }));

function writeModel(name: string, bytes: Uint8Array): string {
  const file = path.join(folder, name);
  writeFileSync(file, bytes);
  return file;
}

/** y = x + x or y = x * x, x float [2, 3]: two models of the same size. */
function elementwiseModel(op: "Add" | "Mul"): Uint8Array {
  const g = new GraphBuilder("elementwise");
  g.input("x", "float", [2, 3]);
  g.node(op, ["x", "x"], ["y"]);
  g.output("y", "float", [2, 3]);
  return g.toModelBytes();
}

/** y = x after `steps` iterations of a Loop that does nothing (about a microsecond each). */
function spinnerModel(): Uint8Array {
  const body = new GraphBuilder("step");
  body.input("iteration", "int64", []);
  body.input("condition", "bool", []);
  body.input("value", "float", [1]);
  body.node("Identity", ["condition"], ["condition_out"]);
  body.node("Identity", ["value"], ["value_out"]);
  body.output("condition_out", "bool", []);
  body.output("value_out", "float", [1]);
  const g = new GraphBuilder("spinner");
  g.input("steps", "int64", []);
  g.input("x", "float", [1]);
  g.node("Loop", ["steps", "", "x"], ["y"], { body });
  g.output("y", "float", [1]);
  return g.toModelBytes();
}

/** y = x W, x float [64, 256]: enough work for onnxruntime to share each run among its threads. */
function linearModel(): Uint8Array {
  const g = new GraphBuilder("linear");
  g.input("x", "float", [64, 256]);
  g.initializer("w", floatTensor([256, 256], Float32Array.from({ length: 256 * 256 }, (_, i) => Math.sin(i))));
  g.node("MatMul", ["x", "w"], ["y"]);
  g.output("y", "float", [64, 256]);
  return g.toModelBytes();
}

/** CPU time a process has used so far, all its threads, in milliseconds (Linux: /proc, in ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const doubler = writeModel("doubler.onnx", elementwiseModel("Add"));
const linear = writeModel("linear.onnx", linearModel());
const spinner = writeModel("spinner.onnx", spinnerModel());
const FOREVER = 2 ** 62;
const spin = (steps: number, samples = 1) => spinJob(spinner, steps, samples);
const hostScript = path.join(import.meta.dirname, "runnerHost.ts");

/** A runner disposed when the test ends. */
function newRunner(t: TestContext, options: Partial<ModelRunnerOptions> = {}): ProcessModelRunner {
  const runner = createModelRunner({ timeoutMs: 30_000, ...options });
  t.after(() => runner.dispose());
  return runner;
}

/** Does a job on the doubler and checks its outcome: the runner works. */
async function assertDoubles(runner: ProcessModelRunner): Promise<void> {
  assert.deepEqual(await runner.run(xJob(doubler)), [{ y: DOUBLED }]);
}

/** The RunnerError a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<RunnerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RunnerError, `expected a RunnerError, got ${error}`);
    return error;
  }
  assert.fail("expected the run to fail");
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A dead process that its new parent has not reaped yet is a zombie: it runs no more.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(50)) {
    if (condition()) return true;
  }
  return condition();
}

describe("jobs", () => {
  test("does a job's samples beside the model and returns each sample's errors, output by output", async (t) => {
    const runner = newRunner(t);
    assert.deepEqual(await runner.run(xJob(doubler, 3, [2, 3], 2)), [{ y: DOUBLED }, { y: DOUBLED }]);
    const squarer = writeModel("squarer.onnx", elementwiseModel("Mul"));
    assert.deepEqual(await runner.run(xJob(squarer, 3)), [{ y: squared(3) }]);
  });

  test("feeds and reads int64, float16 and bool tensors", async (t) => {
    const g = new GraphBuilder("types");
    g.input("count", "int64", [3]);
    g.input("half", "float16", [2]);
    g.input("flag", "bool", [2]);
    g.node("Add", ["count", "count"], ["counts"]);
    g.node("Neg", ["half"], ["negated"]);
    g.node("Not", ["flag"], ["flipped"]);
    g.output("counts", "int64", [3]);
    g.output("negated", "float16", [2]);
    g.output("flipped", "bool", [2]);
    const input = (name: string, elementType: string, dims: number[], value: number): FedInput => ({ name, elementType, tensor: tensor(name, dims), shape: dims, batched: false, source: { kind: "fixed", value } });
    const job: SampleJob = {
      ...xJob(writeModel("types.onnx", g.toModelBytes())),
      plan: { inputs: [input("count", "int64", [3], 2 ** 40), input("half", "float16", [2], 1.5), input("flag", "bool", [2], 1)], batchable: false },
      elements: [{ kind: "value", symmetry: { name: "n", group: { kind: "negate", tensors: ["count", "half", "flag"] } }, words: "negate", factor: -1 }],
      claim: { kind: "invariant", outputs: [tensor("counts", [3]), tensor("negated", [2]), tensor("flipped", [2])] },
    };
    const [{ counts, negated, flipped }] = await newRunner(t).run(job);
    // 2^41 against -2^41; 1.5 against -1.5; flag -1 is clamped to false: Not gives 1 where 0 was.
    assert.deepEqual(counts, { relative: 2, absolute: 2 ** 42, finite: true, compared: 3 });
    assert.deepEqual(negated, { relative: 2, absolute: 3, finite: true, compared: 2 });
    assert.deepEqual(flipped, { relative: 1e12, absolute: 1, finite: true, compared: 2 });
  });

  test("does concurrent jobs one at a time, each with its own outcome", async (t) => {
    const runner = newRunner(t);
    const squarer = writeModel("squarer.onnx", elementwiseModel("Mul"));
    const values = [1, 2, 3, 4, 5, 6, 7, 8];
    const outcomes = await Promise.all(values.map((value) => runner.run(xJob(squarer, value))));
    assert.deepEqual(outcomes, values.map((value) => [{ y: squared(value) }]));
  });

  test("keeps a model's session while its file keeps its time and size, and loads it again when they change", async (t) => {
    const runner = newRunner(t);
    // Whole seconds: a modification time that survives being set again exactly.
    const time = new Date("2025-01-01T00:00:00Z");
    const model = writeModel("rewritten.onnx", elementwiseModel("Add"));
    utimesSync(model, time, time);
    assert.deepEqual(await runner.run(xJob(model)), [{ y: DOUBLED }]);
    // Other bytes of the same size, with the same modification time: the cached session answers.
    writeFileSync(model, elementwiseModel("Mul"));
    utimesSync(model, time, time);
    assert.equal(statSync(model).size, elementwiseModel("Add").length);
    assert.deepEqual(await runner.run(xJob(model)), [{ y: DOUBLED }]);
    // A new modification time, as any write gives: the new model answers.
    utimesSync(model, time, new Date(time.getTime() + 1000));
    assert.deepEqual(await runner.run(xJob(model)), [{ y: squared(3) }]);
  });

  test("keeps several models' sessions and runs each model as it is", async (t) => {
    const runner = newRunner(t);
    const models = Array.from({ length: 6 }, (_, i) => writeModel(`model${i}.onnx`, elementwiseModel(i % 2 === 0 ? "Add" : "Mul")));
    for (const round of [1, 2]) {
      for (const [i, model] of models.entries()) {
        assert.deepEqual(await runner.run(xJob(model)), [{ y: i % 2 === 0 ? DOUBLED : squared(3) }], `round ${round}, ${model}`);
      }
    }
  });

  test("reports a job whose outputs do not fit the spec as the check's own error, and does the next job", async (t) => {
    const runner = newRunner(t);
    const job = xJob(doubler);
    const error = await failure(runner.run({ ...job, claim: { ...job.claim, outputs: [{ name: "y", axes: [{ name: "a0", kind: "plain", size: 5 }] }] } }));
    assert.equal(error.reason, "check");
    assert.equal(error.message, "the model gave y the shape [2, 3], but the spec declares [5]");
    await assertDoubles(runner);
  });
});

describe("failures", () => {
  test("reports onnxruntime's own message for a feed of the wrong shape, and runs the next request in the same worker", async (t) => {
    const runner = newRunner(t);
    const error = await failure(runner.run(xJob(doubler, 3, [3, 2])));
    assert.equal(error.reason, "runtime");
    assert.match(error.message, /invalid dimensions for input: x/i);
    const pid = runner.workerPid;
    await assertDoubles(runner);
    assert.equal(runner.workerPid, pid);
  });

  test("reports a model file that onnxruntime cannot load", async (t) => {
    const runner = newRunner(t);
    const error = await failure(runner.run(xJob(writeModel("garbage.onnx", new TextEncoder().encode("not a model")))));
    assert.equal(error.reason, "runtime");
    assert.match(error.message, /protobuf parsing failed|load model/i);
  });

  test("reports a worker that dies during a run as a crash, with its signal, and starts another for the next run", async (t) => {
    const runner = newRunner(t);
    await assertDoubles(runner);
    const pid = runner.workerPid!;
    const run = runner.run(spin(FOREVER));
    await sleep(100);
    process.kill(pid, "SIGKILL");
    const error = await failure(run);
    assert.equal(error.reason, "crash");
    assert.equal(error.message, `onnxruntime's worker process stopped (signal SIGKILL) while running ${spinner}`);
    await assertDoubles(runner);
    assert.notEqual(runner.workerPid, pid);
  });

  test("stops a run that outlasts the timeout, names the setting, and runs the next request", async (t) => {
    const runner = newRunner(t, { timeoutMs: 300 });
    await assertDoubles(runner);
    const pid = runner.workerPid!;
    const started = performance.now();
    const error = await failure(runner.run(spin(FOREVER)));
    const elapsed = performance.now() - started;
    assert.equal(error.reason, "timeout");
    assert.equal(error.message, "running spinner.onnx timed out after 0.3 s (setting symcheck.numeric.timeoutSeconds)");
    // Not before the timeout; and at all, since the spinner never ends by itself.
    assert.ok(elapsed >= 290, `timed out after ${elapsed} ms`);
    assert.ok(await waitUntil(() => !isRunning(pid), 5000), "the hung worker is killed");
    await assertDoubles(runner);
  });

  test("bounds each run of a job by the timeout, not the job as a whole", async (t) => {
    // A sample is two runs: time one sample here, then allow 3 runs' time for each run of a job
    // that lasts twice the timeout and the time the runner allows beyond it (RUNNING_NOTICE_MS).
    const timing = newRunner(t);
    await timing.run(spin(300_000));
    const timed = performance.now();
    await timing.run(spin(300_000));
    const oneRunMs = (performance.now() - timed) / 2;
    const timeoutMs = Math.ceil(3 * oneRunMs);
    const samples = Math.ceil((2 * (timeoutMs + 2 * RUNNING_NOTICE_MS)) / (2 * oneRunMs));
    const runner = newRunner(t, { timeoutMs });
    await runner.run(spin(300_000));
    const started = performance.now();
    const outcomes = await runner.run(spin(300_000, samples));
    const elapsed = performance.now() - started;
    assert.equal(outcomes.length, samples);
    assert.ok(elapsed > timeoutMs + 2 * RUNNING_NOTICE_MS, `${2 * samples} runs took ${elapsed.toFixed(0)} ms, one ${oneRunMs.toFixed(0)} ms: the job outlasted the timeout`);
  });

  test("gives up a worker that does not start in time, and says so", async (t) => {
    // Loading onnxruntime (through tsx, from the sources) takes far longer than 20 ms.
    const runner = newRunner(t, { timeoutMs: 60_000, startTimeoutMs: 20 });
    const error = await failure(runner.run(xJob(doubler)));
    assert.equal(error.reason, "timeout");
    assert.equal(error.message, "the model runner (onnxruntime in a child process) did not start within 0.02 s");
  });

  test("keeps the caller's event loop responsive during a long run", async (t) => {
    const runner = newRunner(t, { timeoutMs: 1500 });
    // Start the worker first: forking it is the one blocking step, and it happens once.
    await assertDoubles(runner);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    const error = await failure(runner.run(spin(FOREVER)));
    delay.disable();
    assert.equal(error.reason, "timeout");
    const longest = delay.max / 1e6;
    t.diagnostic(`run of ${(performance.now() - started).toFixed(0)} ms: longest event-loop delay ${longest.toFixed(1)} ms`);
    // Were the run on this thread, the loop would stall for all of it (1.5 s). Here it stalls
    // 10 to 30 ms on two idle cores, up to about 170 ms on cores shared by nine busy processes.
    assert.ok(longest < 300, `the event loop stalled ${longest} ms`);
  });
});

describe("cancellation", () => {
  test("rejects a run whose signal is already aborted, without starting a worker", async (t) => {
    const runner = newRunner(t);
    const error = await failure(runner.run(xJob(doubler), AbortSignal.abort()));
    assert.equal(error.reason, "cancelled");
    assert.equal(runner.workerPid, undefined);
  });

  test("rejects a queued run at once when cancelled, and never starts it", async (t) => {
    // Were the cancelled spin started, it would hold the worker until the timeout, 20 s.
    const runner = newRunner(t, { timeoutMs: 20_000 });
    await assertDoubles(runner);
    const first = runner.run(spin(100_000));
    const controller = new AbortController();
    const cancelled = runner.run(spin(FOREVER), controller.signal);
    const last = runner.run(xJob(doubler));
    controller.abort();
    const error = await failure(cancelled);
    assert.equal(error.reason, "cancelled");
    const started = performance.now();
    assert.deepEqual(await first, [{ y: { relative: 0, absolute: 0, finite: true, compared: 1 } }]);
    assert.deepEqual(await last, [{ y: DOUBLED }]);
    assert.ok(performance.now() - started < 5000, "the run after the cancelled one follows the first");
  });

  test("rejects a running run at once when cancelled, and kills the worker when the run goes on past the grace", async (t) => {
    const runner = newRunner(t, { cancelGraceMs: 200 });
    await assertDoubles(runner);
    const pid = runner.workerPid!;
    const controller = new AbortController();
    const run = runner.run(spin(FOREVER), controller.signal);
    await sleep(100);
    controller.abort();
    const error = await Promise.race([failure(run), sleep(0).then(() => undefined)]);
    assert.ok(error, "rejected in the turn of the event loop the signal aborted in");
    assert.equal(error.reason, "cancelled");
    assert.ok(await waitUntil(() => !isRunning(pid), 5000), "the worker is killed after the grace");
    await assertDoubles(runner);
  });

  test("keeps the worker when a cancelled job stops before its next run within the grace, and does the next job after it", async (t) => {
    const runner = newRunner(t, { cancelGraceMs: 30_000 });
    await assertDoubles(runner);
    const pid = runner.workerPid;
    // A sample is two runs (x and g.x) of about a second each.
    const timed = performance.now();
    await runner.run(spin(1_000_000));
    const oneRunMs = (performance.now() - timed) / 2;
    // 4 samples, 8 runs: the worker stops after the run in progress.
    const controller = new AbortController();
    const run = runner.run(spin(1_000_000, 4), controller.signal);
    await sleep(20);
    controller.abort();
    const aborted = performance.now();
    assert.equal((await failure(run)).reason, "cancelled");
    await assertDoubles(runner);
    const stoppedMs = performance.now() - aborted;
    assert.equal(runner.workerPid, pid);
    assert.ok(stoppedMs < 3 * oneRunMs, `the next job came ${stoppedMs.toFixed(0)} ms after the cancellation; one run takes ${oneRunMs.toFixed(0)} ms`);
  });

  test("dispose kills the worker and rejects the runs in progress; the next run starts a new worker", async (t) => {
    const runner = newRunner(t);
    await assertDoubles(runner);
    const pid = runner.workerPid!;
    const running = failure(runner.run(spin(FOREVER)));
    const queued = failure(runner.run(xJob(doubler)));
    await sleep(100);
    await runner.dispose();
    assert.equal(isRunning(pid), false);
    for (const error of [await running, await queued]) {
      assert.equal(error.reason, "cancelled");
      assert.equal(error.message, "the model runner was stopped");
    }
    await assertDoubles(runner);
    assert.notEqual(runner.workerPid, pid);
  });
});

describe("processes", () => {
  test("starts the worker beside the bundle, or from its source through tsx", () => {
    assert.deepEqual(workerEntry("/ext/dist/server.cjs"), { script: "/ext/dist/numericWorker.cjs", execArgv: [] });
    assert.deepEqual(workerEntry("/repo/server/src/symmetry/numeric/runner.ts"), {
      script: "/repo/server/src/symmetry/numeric/worker.ts",
      execArgv: ["--import", "tsx"],
    });
  });

  test("a process whose runner is idle exits by itself, and its worker with it", async () => {
    const host = spawnSync(process.execPath, ["--import", "tsx", hostScript, "idle", doubler], { encoding: "utf8", timeout: 30_000 });
    assert.equal(host.status, 0, host.stderr);
    const { pid } = JSON.parse(host.stdout);
    assert.ok(await waitUntil(() => !isRunning(pid), 3000), `worker ${pid} outlived its parent`);
  });

  test("the worker holds no core once its job is done: onnxruntime's threads stop spinning when a run ends", async (t) => {
    const runner = newRunner(t);
    const job = xJob(linear, 0.5, [64, 256], 4);
    await runner.run(job);
    const pid = runner.workerPid!;
    await runner.run(job);
    const busy = cpuMs(pid);
    await sleep(300);
    // By default onnxruntime's threads spin on for 30 to 50 ms after each run.
    assert.ok(cpuMs(pid) - busy <= 20, `the idle worker used ${cpuMs(pid) - busy} ms of CPU in 300 ms`);
  });

  test("the worker dies with its parent, even in the middle of a run that never ends", async (t) => {
    const host = spawn(process.execPath, ["--import", "tsx", hostScript, "hang", spinner], { stdio: ["ignore", "pipe", "inherit"] });
    const line = await new Promise<string>((resolve) => host.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString())));
    const { pid } = JSON.parse(line);
    // Should the test fail, leave no spinning process behind.
    t.after(() => {
      if (isRunning(pid)) process.kill(pid, "SIGKILL");
    });
    assert.ok(isRunning(pid), "the worker runs");
    host.kill("SIGKILL");
    assert.ok(await waitUntil(() => !isRunning(pid), 3000), `worker ${pid} outlived its parent`);
  });
});
