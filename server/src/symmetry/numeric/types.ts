/**
 * The numeric check's vocabulary, shared by the engine (check.ts), the model runner (a worker
 * process running onnxruntime) and everything that shows results (CLI, language server).
 */
import type { SampleJob, SampleOutcome } from "./samples";

/** A tensor as onnxruntime takes and gives it: element type, dimensions, row-major data. */
export interface RuntimeTensor {
  /** onnxruntime's type name: "float32", "float64", "float16", "int64", "int32", "int8", "uint8", "bool"... */
  type: string;
  dims: number[];
  data: Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint32Array | BigUint64Array;
}

/** One run of a model: its feeds, and the outputs to fetch (by the model's names). */
export interface RunRequest {
  feeds: Record<string, RuntimeTensor>;
  outputs: string[];
}

/**
 * The runner's child says `running` before a run of the model only when its last word to the
 * parent (the job's arrival, or an earlier `running`) is at least this old, and the parent's
 * timeout allows twice this much more than the setting: once for the notice's interval, once for
 * the job's trip to the child. A notice before every run cost 0.15 ms each (a message, and the
 * parent woken): a transformer fixture's check of two 18 ms runs spent 0.3 ms of its 47 on them.
 */
export const RUNNING_NOTICE_MS = 100;

/**
 * Does the sample work of a check (samples.ts) where the model runs: onnxruntime in a worker
 * process in the product, in this process in tests.
 */
export interface ModelRunner {
  /** Rejects with a RunnerError when the runtime fails, the job's own work fails, a run times out, the worker crashes or the signal aborts. */
  run(job: SampleJob, signal?: AbortSignal): Promise<SampleOutcome[]>;
  /** Stops the worker; the runner starts a new one on the next run. */
  dispose(): Promise<void>;
}

/**
 * Why a job did not give outcomes: the runtime's own error, the job's own work (`check`: an
 * output of a shape the spec does not declare, an element that cannot act on a shape...), a
 * timeout, a crash of the worker, or a cancellation.
 */
export class RunnerError extends Error {
  constructor(
    message: string,
    readonly reason: "runtime" | "check" | "timeout" | "crash" | "cancelled",
  ) {
    super(message);
  }
}

/** The outcome of one (claim, symmetry) pair. */
export interface NumericCheck {
  /** Index of the claim in BoundSpec.claims. */
  claimIndex: number;
  /** The symmetry's declared name. */
  symmetry: string;
  /** passed/failed: measured; error: could not run (the message says why); cancelled: stopped by the user. */
  status: "passed" | "failed" | "error" | "cancelled";
  /** (input, group element) pairs compared. */
  samples: number;
  /** The spec's relative error, worst over samples and outputs: max |f(g.x) - expected| / max(max |expected|, 1e-12). */
  maxRelError: number;
  maxAbsError: number;
  /** The relative tolerance the check was held to. */
  tolerance: number;
  /** The worst group element in words (`shift y=+3 x=-5`, `rotate90 x2`, `flip x`, `permute node (3 0 1 2 ...)`), and on which output when there are several. */
  worst: string;
  /** Wall time of this pair, in milliseconds. */
  ms: number;
  /** For status error (the runtime's message, a timeout...) and cancelled. */
  message?: string;
}
