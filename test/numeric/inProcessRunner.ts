/**
 * A ModelRunner for tests: onnxruntime-node in this process, one session per model path (the
 * product runs onnxruntime in a worker process; the engine sees the same interface). Counts its
 * runs, so tests can see how the engine batched them, and can be made to fail on a given run.
 */
import * as ort from "onnxruntime-node";
import type { ModelRunner, RunRequest, RuntimeTensor } from "../../server/src/symmetry/numeric/types";
import { RunnerError } from "../../server/src/symmetry/numeric/types";

export class InProcessRunner implements ModelRunner {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();
  /** The requests run so far, in order. */
  readonly requests: RunRequest[] = [];

  /** `fail(request, index)` returning a message makes that run reject with a RunnerError of reason `runtime`. */
  constructor(private readonly fail?: (request: RunRequest, index: number) => string | undefined) {}

  async run(request: RunRequest, signal?: AbortSignal): Promise<Record<string, RuntimeTensor>> {
    if (signal?.aborted) throw new RunnerError("cancelled", "cancelled");
    const index = this.requests.push(request) - 1;
    const failure = this.fail?.(request, index);
    if (failure) throw new RunnerError(failure, "runtime");
    let session = this.sessions.get(request.modelPath);
    if (!session) {
      // Failures come back as errors; the runtime need not log them too.
      session = ort.InferenceSession.create(request.modelPath, { logSeverityLevel: 4 });
      this.sessions.set(request.modelPath, session);
    }
    const feeds = Object.fromEntries(Object.entries(request.feeds).map(([name, tensor]) => [name, new ort.Tensor(tensor.type as ort.Tensor.Type, tensor.data as ort.Tensor.DataType, tensor.dims)]));
    let results: ort.InferenceSession.ReturnType;
    try {
      results = await (await session).run(feeds, request.outputs);
    } catch (error) {
      throw new RunnerError((error as Error).message, "runtime");
    }
    return Object.fromEntries(request.outputs.map((name) => [name, { type: results[name].type, dims: results[name].dims.map(Number), data: results[name].data as RuntimeTensor["data"] }]));
  }

  async dispose(): Promise<void> {
    // A model that failed to load has no session to release (its run already reported the failure).
    for (const session of this.sessions.values()) await (await session.catch(() => undefined))?.release();
    this.sessions.clear();
  }
}
