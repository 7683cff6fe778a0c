/**
 * A process that uses a model runner, for runner.test.ts's tests of the processes' lifetimes:
 *
 *   node --import tsx test/numeric/runnerHost.ts idle MODEL   runs MODEL (x float [2, 3]) once, prints
 *                                                            {"pid": the worker's pid} and lets the process end
 *   node --import tsx test/numeric/runnerHost.ts hang MODEL   runs MODEL (the spinner) once briefly, then starts
 *                                                            a run that never ends and prints {"pid": the worker's pid}
 */
import { createModelRunner } from "../../server/src/symmetry/numeric/runner";
import type { RunRequest } from "../../server/src/symmetry/numeric/types";

const [mode, modelPath] = process.argv.slice(2);
const runner = createModelRunner({ timeoutMs: 60_000 });

if (mode === "idle") {
  const request: RunRequest = { modelPath, feeds: { x: { type: "float32", dims: [2, 3], data: new Float32Array(6) } }, outputs: ["y"] };
  await runner.run(request);
  console.log(JSON.stringify({ pid: runner.workerPid }));
} else if (mode === "hang") {
  const spin = (steps: bigint): RunRequest => ({
    modelPath,
    feeds: { steps: { type: "int64", dims: [], data: BigInt64Array.of(steps) }, x: { type: "float32", dims: [1], data: Float32Array.of(1) } },
    outputs: ["y"],
  });
  await runner.run(spin(1n));
  // The worker is ready: the run is sent at once, and the spinner runs for years.
  void runner.run(spin(2n ** 62n));
  setTimeout(() => console.log(JSON.stringify({ pid: runner.workerPid })), 100);
} else {
  throw new Error(`usage: runnerHost.ts idle|hang MODEL`);
}
