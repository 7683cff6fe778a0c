/**
 * A process that uses a model runner, for runner.test.ts's tests of the processes' lifetimes:
 *
 *   node --import tsx test/numeric/runnerHost.ts idle MODEL   does a job on MODEL (x float [2, 3]) once, prints
 *                                                            {"pid": the worker's pid} and lets the process end
 *   node --import tsx test/numeric/runnerHost.ts hang MODEL   does a job on MODEL (the spinner) once briefly, then
 *                                                            starts a job that never ends and prints {"pid": the worker's pid}
 */
import { createModelRunner } from "../../server/src/symmetry/numeric/runner";
import { spinJob, xJob } from "./jobs";

const [mode, modelPath] = process.argv.slice(2);
const runner = createModelRunner({ timeoutMs: 60_000 });

if (mode === "idle") {
  await runner.run(xJob(modelPath));
  console.log(JSON.stringify({ pid: runner.workerPid }));
} else if (mode === "hang") {
  await runner.run(spinJob(modelPath, 1));
  // The worker is ready: the job is sent at once, and the spinner runs for years.
  void runner.run(spinJob(modelPath, 2 ** 62));
  setTimeout(() => console.log(JSON.stringify({ pid: runner.workerPid })), 100);
} else {
  throw new Error(`usage: runnerHost.ts idle|hang MODEL`);
}
