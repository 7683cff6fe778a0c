/**
 * The model runner's child process (dist/numericWorker.cjs once bundled): it runs onnxruntime,
 * whose session creation and runs block the thread they run on, so that the language server's
 * thread stays free, and so that a model that crashes the runtime takes only this process down.
 *
 * Protocol (Node IPC with `serialization: "advanced"`, so typed arrays pass as they are): the
 * child says `ready` once it listens, then answers each `run` with a `result` or an `error`,
 * one at a time, in order. runner.ts is the only client.
 */
import * as fs from "node:fs";
import { Worker } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import type { RunRequest, RuntimeTensor } from "./types";

export type ParentMessage = { kind: "run"; id: number; request: RunRequest };

export type ChildMessage =
  | { kind: "ready" }
  | { kind: "result"; id: number; outputs: Record<string, RuntimeTensor> }
  | { kind: "error"; id: number; message: string };

/** Sessions kept open at once: a spec's checks reuse one model; a few cover switching between specs. */
const CACHED_SESSIONS = 4;

interface CachedSession {
  /** The model file's modification time and size when the session was created. */
  stamp: string;
  session: ort.InferenceSession;
}

/** Open sessions by model path, least recently used first (a Map keeps insertion order). */
const sessions = new Map<string, CachedSession>();

/** The session for the model file as it is now: created again when the file changed, and the least recently used released past CACHED_SESSIONS. */
async function sessionFor(modelPath: string): Promise<ort.InferenceSession> {
  const stats = fs.statSync(modelPath);
  const stamp = `${stats.mtimeMs}:${stats.size}`;
  const cached = sessions.get(modelPath);
  sessions.delete(modelPath);
  if (cached?.stamp === stamp) {
    sessions.set(modelPath, cached);
    return cached.session;
  }
  if (cached) await cached.session.release();
  // Default options: onnxruntime's own thread counts gave the best throughput.
  const session = await ort.InferenceSession.create(modelPath);
  sessions.set(modelPath, { stamp, session });
  for (const [path, evicted] of sessions) {
    if (sessions.size <= CACHED_SESSIONS) break;
    sessions.delete(path);
    await evicted.session.release();
  }
  return session;
}

async function run(request: RunRequest): Promise<Record<string, RuntimeTensor>> {
  const session = await sessionFor(request.modelPath);
  const feeds = Object.fromEntries(
    Object.entries(request.feeds).map(([name, tensor]) => [name, new ort.Tensor(tensor.type as never, tensor.data as never, tensor.dims)]),
  );
  const results = await session.run(feeds, request.outputs);
  return Object.fromEntries(Object.entries(results).map(([name, value]) => [name, runtimeTensor(name, value)]));
}

/** An output as the parent takes it: a plain object around a typed array (structured clone keeps its class). */
function runtimeTensor(name: string, value: ort.OnnxValue): RuntimeTensor {
  if (!(value instanceof ort.Tensor)) throw new Error(`output ${name} is not a tensor: symcheck compares tensors only`);
  if (value.type === "string") throw new Error(`output ${name} is a tensor of strings: symcheck compares numbers only`);
  const data = value.data as ArrayBufferView;
  // Node versions with Float16Array give float16 data as one; the protocol carries the raw bits.
  const raw = value.type === "float16" && !(data instanceof Uint16Array) ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : data;
  return { type: value.type, dims: [...value.dims], data: raw as RuntimeTensor["data"] };
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

if (process.send) {
  exitWithParent();
  process.on("message", (message: ParentMessage) => {
    run(message.request).then(
      (outputs) => send({ kind: "result", id: message.id, outputs }),
      (error: unknown) => send({ kind: "error", id: message.id, message: error instanceof Error ? error.message : String(error) }),
    );
  });
  send({ kind: "ready" });
}
