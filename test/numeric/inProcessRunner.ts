/**
 * A ModelRunner for tests: the jobs' sample work (samples.ts) and onnxruntime-node in this
 * process, one session per model path (the product does both in a worker process; the check sees
 * the same interface). Records the model's runs, so tests can see how the jobs batched them, and
 * can be made to fail on a given run.
 */
import * as ort from "onnxruntime-node";
import { BaseOutputs, checkSamples, type ModelSession, type SampleJob, type SampleOutcome } from "../../server/src/symmetry/numeric/samples";
import { runSession } from "../../server/src/symmetry/numeric/onnxruntime";
import type { ModelRunner, RunRequest, RuntimeTensor } from "../../server/src/symmetry/numeric/types";
import { RunnerError } from "../../server/src/symmetry/numeric/types";

export class InProcessRunner implements ModelRunner {
  private readonly sessions = new Map<string, { session: Promise<ort.InferenceSession> } & Pick<ModelSession, "rowwise" | "baseOutputs">>();
  /** The model's runs so far, in order. */
  readonly requests: RunRequest[] = [];

  /** `fail(request, index)` returning a message makes that run fail as onnxruntime does (a RunnerError of reason `runtime`). */
  constructor(private readonly fail?: (request: RunRequest, index: number) => string | undefined) {}

  run(job: SampleJob, signal?: AbortSignal): Promise<SampleOutcome[]> {
    if (signal?.aborted) return Promise.reject(new RunnerError("cancelled", "cancelled"));
    return checkSamples(job, this.session(job.modelPath), signal);
  }

  /** The model's session here, as samples.ts uses it. */
  session(modelPath: string): ModelSession {
    let cached = this.sessions.get(modelPath);
    if (!cached) {
      // Failures come back as errors; the runtime need not log them too.
      cached = { session: ort.InferenceSession.create(modelPath, { logSeverityLevel: 4 }), rowwise: new Map(), baseOutputs: new BaseOutputs() };
      this.sessions.set(modelPath, cached);
    }
    const { session, rowwise, baseOutputs } = cached;
    return { run: (request) => this.runOnce(session, request), rowwise, baseOutputs };
  }

  async dispose(): Promise<void> {
    // A model that failed to load has no session to release (its run already reported the failure).
    for (const { session } of this.sessions.values()) await (await session.catch(() => undefined))?.release();
    this.sessions.clear();
  }

  private async runOnce(session: Promise<ort.InferenceSession>, request: RunRequest): Promise<Record<string, RuntimeTensor>> {
    const index = this.requests.push(request) - 1;
    const failure = this.fail?.(request, index);
    if (failure) throw new RunnerError(failure, "runtime");
    // A model onnxruntime cannot load fails its runs as onnxruntime's failures do.
    const loaded = await session.catch((error: Error) => Promise.reject(new RunnerError(error.message, "runtime")));
    return runSession(loaded, request);
  }
}
