/**
 * Running the model on many rows of inputs (each a full set of feeds): stacked along the batch
 * axis and run at once where the model has one, else one run per row.
 *
 * Stacking is trusted only where it changes nothing: the first time an output is fetched
 * stacked, the first and the last rows are also run alone, and an output that differs (a model
 * that mixes the entries of what looked like its batch axis, such as a cumulative sum or causal
 * attention along it, which the last row sees most of, or the same in reverse, which the first
 * row sees most of) is fetched row by row from then on.
 */
import { dataTypeInfo } from "../../onnx/dataTypes";
import { compare } from "./compare";
import { elementCount, split, type Dense } from "./dense";
import { fromRuntimeTensor, stackedRuntimeTensor } from "./elementTypes";
import type { InputPlan } from "./inputs";
import type { ModelSession } from "./samples";
import { RunnerError, type RuntimeTensor } from "./types";

/** The values of one run's feeds (or outputs), by name. */
export type Row = Map<string, Dense>;

export interface RunContext {
  /** The model, and per output whether stacking rows gives each row's own outputs (a promise, so that runs started meanwhile wait for that one comparison). */
  model: ModelSession;
  plan: InputPlan;
  signal?: AbortSignal;
  /** A stacked run takes at most this many bytes of inputs; more rows are split into several runs. */
  maxStackedBytes: number;
}

/**
 * The outputs of each row. `stackable` says whether the outputs' leading axes can be the batch
 * axis (dynamic in the model); `tolerance` is the relative difference a stacked run may make.
 */
export async function runRows(context: RunContext, rows: readonly Row[], outputs: readonly string[], stackable: boolean, tolerance: number): Promise<Row[]> {
  const known = await Promise.all(outputs.map((name) => context.model.rowwise.get(name)));
  if (stackable && context.plan.batchable && known.every((holds) => holds !== false)) {
    const stacked = await runStacked(context, rows, outputs).catch((error: unknown) => stackingFailed(context, outputs, error));
    if (stacked && (await stackingHolds(context, rows, stacked, outputs, tolerance))) return stacked;
  }
  const results: Row[] = [];
  for (const row of rows) results.push(await runOnce(context, [row], outputs));
  return results;
}

/**
 * Lets the event loop run: a run blocks the thread of the process that runs it, and a
 * cancellation that came meanwhile is heard here, before the next run.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** One run of the model on rows stacked along the batch axis (one row: as it is). */
async function runOnce(context: RunContext, rows: readonly Row[], outputs: readonly string[]): Promise<Row> {
  await yieldToEventLoop();
  if (context.signal?.aborted) throw new RunnerError("cancelled", "cancelled");
  const feeds: Record<string, RuntimeTensor> = {};
  for (const input of context.plan.inputs) feeds[input.name] = stackedRuntimeTensor(rows.map((row) => row.get(input.name)!), input.elementType);
  const result = await context.model.run({ feeds, outputs: [...outputs] });
  const values: Row = new Map();
  for (const name of outputs) {
    const tensor = result[name];
    if (!tensor) throw new Error(`the run gave no output ${name}`);
    values.set(name, fromRuntimeTensor(tensor));
  }
  return values;
}

/** The bytes of one row of inputs, as fed (at least 1). */
export function rowBytes(plan: InputPlan): number {
  const bytes = plan.inputs.reduce((total, input) => total + (elementCount(input.shape) * (dataTypeInfo(input.elementType)?.bits ?? 64)) / 8, 0);
  return Math.max(bytes, 1);
}

/** The rows stacked along the batch axis, in runs of at most maxStackedBytes; undefined when an output does not split into one part per row. */
async function runStacked(context: RunContext, rows: readonly Row[], outputs: readonly string[]): Promise<Row[] | undefined> {
  const rowsPerRun = Math.max(1, Math.floor(context.maxStackedBytes / rowBytes(context.plan)));
  const results: Row[] = [];
  for (let start = 0; start < rows.length; start += rowsPerRun) {
    const chunk = rows.slice(start, start + rowsPerRun);
    const ran = await runOnce(context, chunk, outputs);
    const parts = new Map<string, Dense[]>();
    for (const [name, value] of ran) {
      if (value.shape.length === 0 || value.shape[0] % chunk.length !== 0) return undefined;
      parts.set(name, split(value, chunk.length));
    }
    chunk.forEach((_, i) => results.push(new Map(outputs.map((name) => [name, parts.get(name)![i]]))));
  }
  return results;
}

/**
 * A stacked run that the runtime refuses (an export whose Reshape or initializer fixes the batch
 * at 1 although its input's batch axis is dynamic) is retried row by row, and those outputs are
 * fetched row by row from then on; a crash, a timeout or a cancellation is not retried.
 */
function stackingFailed(context: RunContext, outputs: readonly string[], error: unknown): undefined {
  if (!(error instanceof RunnerError && error.reason === "runtime")) throw error;
  for (const name of outputs) context.model.rowwise.set(name, Promise.resolve(false));
  return undefined;
}

/** Whether an output of a row run alone is its part of a stacked run, within the tolerance. */
function sameValues(alone: Dense, part: Dense, tolerance: number): boolean {
  const sameShape = alone.shape.length === part.shape.length && alone.shape.every((size, i) => size === part.shape[i]);
  return sameShape && compare(part, alone).relative <= tolerance;
}

/** Whether the first and the last rows run alone match their parts of a stacked run (checked once per output). */
async function stackingHolds(context: RunContext, rows: readonly Row[], stacked: readonly Row[], outputs: readonly string[], tolerance: number): Promise<boolean> {
  const unchecked = outputs.filter((name) => !context.model.rowwise.has(name));
  if (unchecked.length > 0) {
    const probed = [...new Set([0, rows.length - 1])];
    const alone = (async () => {
      const results: Row[] = [];
      for (const index of probed) results.push(await runOnce(context, [rows[index]], unchecked));
      return results;
    })();
    for (const name of unchecked) {
      const holds = alone.then((results) => results.every((single, i) => sameValues(single.get(name)!, stacked[probed[i]].get(name)!, tolerance)));
      context.model.rowwise.set(name, holds);
    }
  }
  const holds = await Promise.all(outputs.map((name) => context.model.rowwise.get(name)!));
  return holds.every(Boolean);
}
