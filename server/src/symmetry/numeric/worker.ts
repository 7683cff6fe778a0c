/**
 * The model runner's child process (dist/numericWorker.cjs once bundled): it runs onnxruntime,
 * whose session creation and runs block the thread they run on, so that the language server's
 * thread stays free, and so that a model that crashes the runtime takes only this process down.
 * It does the sample work of each job beside the model (samples.ts): the tensors stay here.
 *
 * Protocol (Node IPC with `serialization: "advanced"`, so typed arrays and maps pass as they
 * are): the child says `ready` once it listens, then answers each `check` with `outcomes` or an
 * `error`, one job at a time, in order; before a run of the model it says `running` when its last
 * word is RUNNING_NOTICE_MS old (the parent's timeout bounds one run). A `cancel` stops the job
 * before its next run. runner.ts is the only client.
 */
import * as fs from "node:fs";
import { Worker } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import { BaseOutputs, checkSamples, type ModelSession, type SampleJob, type SampleOutcome } from "./samples";
import { runSession } from "./onnxruntime";
import { RunnerError, RUNNING_NOTICE_MS } from "./types";

export type ParentMessage = { kind: "check"; id: number; job: SampleJob } | { kind: "cancel"; id: number };

export type ChildMessage =
  | { kind: "ready" }
  | { kind: "running"; id: number }
  | { kind: "outcomes"; id: number; outcomes: SampleOutcome[] }
  | { kind: "error"; id: number; reason: RunnerError["reason"]; message: string };

/** Sessions kept open at once: a spec's checks reuse one model; a few cover switching between specs. */
const CACHED_SESSIONS = 4;

interface CachedSession {
  /** The model file's modification time and size when the session was created. */
  stamp: string;
  session: ort.InferenceSession;
  /** What stacked runs of this model showed, and the f(x) kept for a check's next pairs (samples.ts). */
  rowwise: ModelSession["rowwise"];
  baseOutputs: BaseOutputs;
}

/**
 * onnxruntime's own thread counts (they gave the best throughput), but its threads stop spinning
 * when a run ends: by default they spin on for 30 to 50 ms after each run, holding a core that the
 * sample work between runs needs, and keeping an idle worker busy (the runs themselves take as
 * long either way: measured).
 */
const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = { extra: { session: { force_spinning_stop: "1" } } };

/** Open sessions by model path, least recently used first (a Map keeps insertion order). */
const sessions = new Map<string, CachedSession>();

/** The session for the model file as it is now: created again when the file changed, and the least recently used released past CACHED_SESSIONS. */
async function sessionFor(modelPath: string): Promise<CachedSession> {
  const stats = fs.statSync(modelPath);
  const stamp = `${stats.mtimeMs}:${stats.size}`;
  const cached = sessions.get(modelPath);
  sessions.delete(modelPath);
  if (cached?.stamp === stamp) {
    sessions.set(modelPath, cached);
    return cached;
  }
  if (cached) await cached.session.release();
  const created = { stamp, session: await ort.InferenceSession.create(modelPath, SESSION_OPTIONS), rowwise: new Map(), baseOutputs: new BaseOutputs() };
  sessions.set(modelPath, created);
  for (const [path, evicted] of sessions) {
    if (sessions.size <= CACHED_SESSIONS) break;
    sessions.delete(path);
    await evicted.session.release();
  }
  return created;
}

/** The job done on the model's session; `running` said before a run that starts RUNNING_NOTICE_MS or more after the last word to the parent. */
async function check(id: number, job: SampleJob, signal: AbortSignal): Promise<SampleOutcome[]> {
  let lastNotice = performance.now();
  let cached: CachedSession;
  try {
    cached = await sessionFor(job.modelPath);
  } catch (error) {
    throw new RunnerError((error as Error).message, "runtime");
  }
  const model: ModelSession = {
    run: (request) => {
      if (performance.now() - lastNotice >= RUNNING_NOTICE_MS) {
        send({ kind: "running", id });
        lastNotice = performance.now();
      }
      return runSession(cached.session, request);
    },
    rowwise: cached.rowwise,
    baseOutputs: cached.baseOutputs,
  };
  return checkSamples(job, model, signal);
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

/**
 * Ends this process with the one that started it. Idle, the IPC channel's `disconnect` does it;
 * in the middle of a run that never ends, this thread is blocked in onnxruntime and cannot hear
 * it, so a second thread watches the parent's pid and kills the process when it changes (the
 * parent died and the process was handed to another).
 */
function exitWithParent(): void {
  process.on("disconnect", () => process.exit(0));
  const watcher = new Worker(
    `const { workerData } = require("node:worker_threads");
     setInterval(() => { if (process.ppid !== workerData.parent) process.kill(process.pid, "SIGKILL"); }, 500);`,
    { eval: true, workerData: { parent: process.ppid }, execArgv: [] },
  );
  watcher.unref();
}

/** The job in progress: the parent runs one at a time, and may cancel it. */
let current: { id: number; controller: AbortController } | undefined;

function receive(message: ParentMessage): void {
  if (message.kind === "cancel") {
    if (current?.id === message.id) current.controller.abort();
    return;
  }
  const { id, job } = message;
  current = { id, controller: new AbortController() };
  check(id, job, current.controller.signal).then(
    (outcomes) => send({ kind: "outcomes", id, outcomes }),
    (error: unknown) => {
      const reason = error instanceof RunnerError ? error.reason : "check";
      send({ kind: "error", id, reason, message: error instanceof Error ? error.message : String(error) });
    },
  );
}

if (process.send) {
  exitWithParent();
  process.on("message", receive);
  send({ kind: "ready" });
}
