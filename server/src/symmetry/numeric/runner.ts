/**
 * The model runner: onnxruntime in a child process (worker.ts), because its session creation and
 * runs block the thread they run on (a 46 ms run stalls the language server 46 ms), and because
 * a model can crash the runtime (a native abort or segfault) or hang: a process, unlike a worker
 * thread, can die or be killed without taking the server with it. The child does each job's
 * sample work beside the model (samples.ts) and sends back only the errors.
 *
 * - One child, started on the first job and reused (it keeps the models' sessions open), started
 *   again on the next job after it crashed or was killed.
 * - One job at a time: one onnxruntime with its default thread count gave the best throughput on
 *   two cores. Other jobs wait in a queue, in order.
 * - A run of the model that takes longer than `timeoutMs` (after the child is ready; loading the
 *   model counts) rejects its job with reason "timeout", and the child is killed; at most
 *   2 x RUNNING_NOTICE_MS later (types.ts).
 * - Cancellation (the job's AbortSignal): a queued job is rejected at once and never starts. A
 *   running one is rejected at once too, and the child is told to stop it before its next run; it
 *   has `cancelGraceMs` to finish (killing would throw away the model's session), else it is
 *   killed. The next job waits for either.
 * - The parent can exit while the child is idle (the child's handles are unreferenced then), and
 *   the child exits when the parent does (see worker.ts).
 */
import { fork, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import type { Socket } from "node:net";
import type { ChildMessage, ParentMessage } from "./worker";
import type { SampleJob, SampleOutcome } from "./samples";
import { RunnerError, RUNNING_NOTICE_MS, type ModelRunner } from "./types";

export interface ModelRunnerOptions {
  /** The longest one run of a model may take, loading the model included, before the child is killed. */
  timeoutMs: number;
  /** Where users change the timeout, named in the timeout's message; the editor's setting unless given (the CLI names its own). */
  timeoutSetting?: string;
  /** How long a cancelled job may go on, its result dropped, before the child is killed. */
  cancelGraceMs?: number;
  /** How long the child may take to start (load onnxruntime) before it is given up; a minute unless given. */
  startTimeoutMs?: number;
}

const DEFAULT_TIMEOUT_SETTING = "setting symcheck.numeric.timeoutSeconds";
const DEFAULT_CANCEL_GRACE_MS = 1000;
/** Loading onnxruntime takes about a second; a start that takes a minute is hung (a broken install). */
const DEFAULT_START_TIMEOUT_MS = 60_000;
/** setTimeout's longest delay; longer ones fire at once. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;
/**
 * glibc's malloc settings for the child (other C libraries ignore them): megabyte buffers (a job's
 * inputs, the model's outputs) freed back to the heap and kept there, not given back to the system
 * at once and mapped again for the next job. Each page of a fresh mapping costs a page fault on
 * first touch: on a 2-core VM, 8 fresh 1 MB arrays filled took 7 ms, and 1.1 ms with these settings.
 * Largest block still mapped on its own: 32 MB (glibc's maximum); freed memory kept: up to 256 MB.
 */
const KEEP_FREED_MEMORY = `glibc.malloc.mmap_threshold=${32 * 2 ** 20}:glibc.malloc.trim_threshold=${256 * 2 ** 20}`;
/** How much of the child's stderr is kept, to explain a crash. */
const STDERR_KEPT_CHARS = 4000;

export function createModelRunner(options: ModelRunnerOptions): ProcessModelRunner {
  return new ProcessModelRunner(options);
}

/**
 * How to start the child. Bundled (dist/server.cjs, dist/cli.cjs), this code runs from a .cjs
 * file and the child's script is dist/numericWorker.cjs beside it; from sources (tests, run with
 * `node --import tsx`), it is worker.ts beside this file, loaded through tsx too.
 * scripts/build.mjs defines `import.meta.filename` as the bundle's `__filename`.
 */
export function workerEntry(thisFile = import.meta.filename): { script: string; execArgv: string[] } {
  const folder = path.dirname(thisFile);
  return thisFile.endsWith(".cjs")
    ? { script: path.join(folder, "numericWorker.cjs"), execArgv: [] }
    : { script: path.join(folder, "worker.ts"), execArgv: ["--import", "tsx"] };
}

type Outcome = { outcomes: SampleOutcome[] } | { error: RunnerError };

/** A caller's job, from the queue to its answer. */
class Job {
  finished = false;

  constructor(
    readonly request: SampleJob,
    readonly signal: AbortSignal | undefined,
    private readonly answer: (outcome: Outcome) => void,
  ) {}

  /** Answers the caller, once: a cancelled job's late result is dropped. */
  finish(outcome: Outcome): void {
    if (this.finished) return;
    this.finished = true;
    this.answer(outcome);
  }
}

export class ProcessModelRunner implements ModelRunner {
  private worker: WorkerProcess | undefined;
  private readonly queue: Job[] = [];
  private busy = false;
  private readonly timeoutMs: number;
  private readonly timeoutSetting: string;
  private readonly cancelGraceMs: number;
  private readonly startTimeoutMs: number;

  constructor(options: ModelRunnerOptions) {
    if (!(options.timeoutMs > 0)) throw new RangeError(`the model runner's timeout must be positive, not ${options.timeoutMs} ms`);
    this.timeoutMs = Math.min(options.timeoutMs, LONGEST_TIMER_MS);
    this.timeoutSetting = options.timeoutSetting ?? DEFAULT_TIMEOUT_SETTING;
    this.cancelGraceMs = options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS;
    this.startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  }

  /** The child's process id while it lives, for logs and for tests that kill it. */
  get workerPid(): number | undefined {
    return this.worker?.alive ? this.worker.pid : undefined;
  }

  run(request: SampleJob, signal?: AbortSignal): Promise<SampleOutcome[]> {
    if (signal?.aborted) return Promise.reject(cancelledError());
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const queued = this.queue.indexOf(job);
        if (queued >= 0) this.queue.splice(queued, 1);
        job.finish({ error: cancelledError() });
      };
      const job = new Job(request, signal, (outcome) => {
        signal?.removeEventListener("abort", onAbort);
        if ("error" in outcome) reject(outcome.error);
        else resolve(outcome.outcomes);
      });
      signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  /** Kills the child and rejects the queued jobs; the next job starts a new child. */
  async dispose(): Promise<void> {
    for (const job of this.queue.splice(0)) job.finish({ error: stoppedError() });
    const worker = this.worker;
    this.worker = undefined;
    if (worker) {
      worker.stop();
      await worker.exited;
    }
  }

  private pump(): void {
    if (this.busy) return;
    const job = this.queue.shift();
    if (!job) {
      this.worker?.setReferenced(false);
      return;
    }
    this.busy = true;
    void this.execute(job).finally(() => {
      this.busy = false;
      this.pump();
    });
  }

  /** Does one job; resolves once the child is free for the next (done, or killed). */
  private async execute(job: Job): Promise<void> {
    if (!this.worker?.alive) this.worker = new WorkerProcess();
    const worker = this.worker;
    worker.setReferenced(true);
    // Starting can hang too (a broken onnxruntime install).
    const started = await firstOf(worker.ready, this.startTimeoutMs, job.signal);
    if (started === "timeout") {
      job.finish({ error: new RunnerError(`the model runner (onnxruntime in a child process) did not start within ${this.startTimeoutMs / 1000} s`, "timeout") });
      worker.stop();
      return;
    }
    if (started === "aborted") return; // answered already; the next run waits for the start with its own timeout
    try {
      await worker.ready;
    } catch (error) {
      job.finish({ error: error as RunnerError });
      return;
    }
    if (job.finished) return;
    const outcome = worker.check(job.request);
    const first = await this.firstOfRunning(worker, outcome, job.signal);
    if (first === "settled") {
      job.finish(await outcome);
    } else if (first === "timeout") {
      job.finish({ error: this.timeoutError(job.request) });
      worker.stop();
    } else {
      worker.cancel();
      if ((await firstOf(outcome, this.cancelGraceMs)) !== "settled") worker.stop();
    }
  }

  /** Which came first: the job's outcome, a run of the model outlasting the timeout, or the signal aborting. */
  private async firstOfRunning(worker: WorkerProcess, outcome: Promise<Outcome>, signal: AbortSignal | undefined): Promise<"settled" | "timeout" | "aborted"> {
    for (;;) {
      // The child's last notice is at most RUNNING_NOTICE_MS older than the run going on (and the
      // job's start is older than its arrival): the run has had the timeout once this one passes.
      const deadline = () => worker.lastNotice + this.timeoutMs + 2 * RUNNING_NOTICE_MS;
      const first = await firstOf(outcome, deadline() - performance.now(), signal);
      // A notice since the timer started gives the run going then its own time.
      if (first !== "timeout" || deadline() <= performance.now()) return first;
    }
  }

  private timeoutError(request: SampleJob): RunnerError {
    const seconds = this.timeoutMs / 1000;
    return new RunnerError(`running ${path.basename(request.modelPath)} timed out after ${seconds} s (${this.timeoutSetting})`, "timeout");
  }
}

/** Which came first: the promise settling, `ms` passing, or the signal aborting. */
function firstOf(promise: Promise<unknown>, ms: number, signal?: AbortSignal): Promise<"settled" | "timeout" | "aborted"> {
  return new Promise((resolve) => {
    const done = (first: "settled" | "timeout" | "aborted") => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(first);
    };
    const onAbort = () => done("aborted");
    const timer = setTimeout(() => done("timeout"), Math.max(ms, 0));
    if (signal?.aborted) return done("aborted");
    signal?.addEventListener("abort", onAbort, { once: true });
    void promise.then(
      () => done("settled"),
      () => done("settled"),
    );
  });
}

function cancelledError(): RunnerError {
  return new RunnerError("the job was cancelled", "cancelled");
}

function stoppedError(): RunnerError {
  return new RunnerError("the model runner was stopped", "cancelled");
}

/** One child process, from its start to its exit. */
class WorkerProcess {
  /** Resolves when the child listens; rejects with a RunnerError when it exits before. */
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private readonly stderr: Socket;
  private pending: { id: number; modelPath: string; settle: (outcome: Outcome) => void } | undefined;
  /** When the job in progress was sent, or the child last said it was running the model (performance.now()). */
  lastNotice = 0;
  private nextId = 0;
  private stopping = false;
  private hasExited = false;
  private isReady = false;
  private stderrTail = "";
  private markReady!: () => void;
  private failStart!: (error: RunnerError) => void;
  private markExited!: () => void;

  constructor() {
    const entry = workerEntry();
    this.child = fork(entry.script, [], {
      execArgv: entry.execArgv,
      env: { ...process.env, GLIBC_TUNABLES: [process.env.GLIBC_TUNABLES, KEEP_FREED_MEMORY].filter(Boolean).join(":") },
      serialization: "advanced",
      // stdout stays out of the language server's protocol stream; stderr explains crashes.
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    // A child's piped stdio is a socket (it has ref and unref).
    this.stderr = this.child.stderr as Socket;
    this.stderr.setEncoding("utf8");
    this.stderr.on("data", (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_KEPT_CHARS);
    });
    this.ready = new Promise((resolve, reject) => {
      this.markReady = resolve;
      this.failStart = reject;
    });
    // A child that dies before it is ready rejects `ready` even when no run waits for it.
    this.ready.catch(() => undefined);
    this.exited = new Promise((resolve) => {
      this.markExited = resolve;
    });
    this.child.on("message", (message: ChildMessage) => this.receive(message));
    // "close", not "exit": stderr has been read to its end by then.
    this.child.once("close", (code, signal) => {
      this.end(this.stopping ? stoppedError() : new RunnerError(this.describeExit(code, signal), "crash"));
    });
    this.child.on("error", (error) => {
      // Without a pid the process never started and no exit will come; otherwise a message
      // could not be sent because the child is exiting, and its exit explains why.
      if (this.child.pid === undefined) this.end(new RunnerError(`onnxruntime's worker process could not start: ${error.message}`, "crash"));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.hasExited && !this.stopping;
  }

  /** Sends a job to the ready child; the outcome is its samples' errors, the job's error, or the child's exit. */
  check(job: SampleJob): Promise<Outcome> {
    return new Promise((settle) => {
      const id = this.nextId++;
      this.pending = { id, modelPath: job.modelPath, settle };
      this.lastNotice = performance.now();
      this.send({ kind: "check", id, job });
    });
  }

  /** Asks the child to stop the job in progress before its next run. */
  cancel(): void {
    if (this.pending) this.send({ kind: "cancel", id: this.pending.id });
  }

  private send(message: ParentMessage): void {
    // A child that is exiting cannot take it; its exit settles the job.
    if (this.child.connected) this.child.send(message);
  }

  /**
   * Kills the child: SIGKILL, since a hung run does not listen to anything else. Its handles are
   * referenced until it has exited, so that whoever awaits `exited` sees it happen.
   */
  stop(): void {
    this.stopping = true;
    this.setReferenced(true);
    this.child.kill("SIGKILL");
  }

  /** While idle the child must not keep the parent alive; while running it must. */
  setReferenced(referenced: boolean): void {
    const handles = [this.child, this.child.channel, this.stderr];
    for (const handle of handles) {
      if (referenced) handle?.ref();
      else handle?.unref();
    }
  }

  private receive(message: ChildMessage): void {
    if (message.kind === "ready") {
      this.isReady = true;
      this.markReady();
      return;
    }
    const pending = this.pending;
    if (pending?.id !== message.id) return;
    if (message.kind === "running") {
      this.lastNotice = performance.now();
      return;
    }
    this.pending = undefined;
    pending.settle(message.kind === "outcomes" ? { outcomes: message.outcomes } : { error: new RunnerError(message.message, message.reason) });
  }

  /** The child is gone: whoever waits on it gets `error`. */
  private end(error: RunnerError): void {
    this.hasExited = true;
    this.failStart(error);
    this.pending?.settle({ error });
    this.pending = undefined;
    this.markExited();
  }

  private describeExit(code: number | null, signal: NodeJS.Signals | null): string {
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    const during = this.pending ? `while running ${this.pending.modelPath}` : this.isReady ? "while idle" : "before it was ready";
    const output = lastLines(this.stderrTail);
    return `onnxruntime's worker process stopped (${how}) ${during}${output ? `; its last output:\n${output}` : ""}`;
  }
}

/** The last few lines a process wrote, without JavaScript stack frames: what explains its end. */
function lastLines(text: string, count = 5): string {
  const lines = text.split("\n").filter((line) => line.trim() !== "" && !/^\s+at /.test(line));
  return lines.slice(-count).join("\n");
}
