/**
 * The sample work of a numeric check, done where the model runs (the runner's worker process;
 * in tests, this process): for one pair's samples, draw the inputs x, move them to g.x, run the
 * model on both (stacked where it allows), and compare f(g.x) with f(x) or g.f(x).
 *
 * Only the errors go back to the check (check.ts), never the tensors: a transformer's check moves
 * megabytes of inputs and outputs, which cost more to copy between processes than to compare.
 */
import { actOn, entryOffsets, type DeclaredTensor } from "./actions";
import { compare, compareMoved, marginMask, type Discrepancy } from "./compare";
import { elementCount, type Dense } from "./dense";
import type { GroupElement } from "./elements";
import { drawInputs, type InputPlan } from "./inputs";
import { rowBytes, runRows, type Row } from "./runs";
import type { RunRequest, RuntimeTensor } from "./types";

/** A (claim, symmetry) pair's samples; plain data, copied whole to the worker process. */
export interface SampleJob {
  /** Absolute path of the ONNX file. */
  modelPath: string;
  /** The fed inputs (planForSamples: file inputs carry the values of the samples only). */
  plan: InputPlan;
  seed: number;
  /** One per sample: elements[s] is sample s's. */
  elements: GroupElement[];
  claim: { kind: "invariant" | "equivariant"; outputs: DeclaredTensor[] };
  /** Whether the outputs' leading axes can be the batch axis (dynamic in the model). */
  stackable: boolean;
  /** The claim's relative tolerance: also what a stacked run may differ from rows run alone. */
  tolerance: number;
  /** A stacked run takes at most this many bytes of inputs. */
  maxStackedBytes: number;
  /**
   * Names the check this job belongs to (check.ts): the pairs of one check draw the same inputs
   * x for each sample, so f(x) run for one pair serves the next (BaseOutputs).
   */
  checkId: string;
  /** Whether pairs of the check follow this job: f(x) is kept for them only then. */
  keepBase: boolean;
}

/** Per sample of a job, each output's errors. */
export type SampleOutcome = Record<string, Discrepancy>;

/** What a job needs of the model where it runs: one run at a time, and what its earlier stacked runs showed. */
export interface ModelSession {
  run(request: RunRequest): Promise<Record<string, RuntimeTensor>>;
  /**
   * Per output: whether stacking rows gives each row's own outputs (learned from the first stacked
   * run that fetched it, runs.ts); kept as long as the model's session.
   */
  rowwise: Map<string, Promise<boolean>>;
  /** f(x) of the samples of the latest check that ran on this model. */
  baseOutputs: BaseOutputs;
}

/** f(x) kept for the other pairs of a check: at most this many bytes of outputs. */
const MOST_BASE_OUTPUT_BYTES = 32 * 2 ** 20;

/**
 * f(x) by sample, for the pairs of one check (a SampleJob's checkId): every pair draws the same x
 * for sample s, so a check of n pairs runs x once and g.x n times, not x n times. Outputs are kept
 * up to MOST_BASE_OUTPUT_BYTES; a job of another check starts afresh.
 */
export class BaseOutputs {
  private checkId = "";
  private bySample = new Map<number, Row>();
  private bytes = 0;

  /** f(x) of the sample for every output named, when kept for this check. */
  get(checkId: string, sample: number, outputs: readonly string[]): Row | undefined {
    this.startCheck(checkId);
    const row = this.bySample.get(sample);
    return row && outputs.every((name) => row.has(name)) ? row : undefined;
  }

  /** Keeps copies of f(x)'s outputs (they are views into a run's outputs) while they fit. */
  keep(checkId: string, sample: number, base: Row): void {
    this.startCheck(checkId);
    const row = this.bySample.get(sample) ?? new Map<string, Dense>();
    for (const [name, value] of base) {
      if (row.has(name) || this.bytes + value.data.byteLength > MOST_BASE_OUTPUT_BYTES) continue;
      row.set(name, { shape: value.shape, data: value.data.slice() });
      this.bytes += value.data.byteLength;
    }
    this.bySample.set(sample, row);
  }

  private startCheck(checkId: string): void {
    if (checkId === this.checkId) return;
    this.checkId = checkId;
    this.bySample.clear();
    this.bytes = 0;
  }
}

/**
 * Samples drawn, run and compared at a time: x and g.x of each, stacked into one run where the
 * model allows. At most 8 (16 rows: each run of the model has a cost of its own, and the model's
 * intermediate tensors grow with the rows), and at most maxStackedBytes of inputs.
 */
const MOST_SAMPLES_PER_RUN = 8;

/** The job's samples, each compared: one outcome per element, in order. Throws where an output or an action does not fit the spec. */
export async function checkSamples(job: SampleJob, model: ModelSession, signal?: AbortSignal): Promise<SampleOutcome[]> {
  const outputs = job.claim.outputs.map((output) => output.name);
  const context = { model, plan: job.plan, signal, maxStackedBytes: job.maxStackedBytes };
  const perRun = Math.max(1, Math.min(MOST_SAMPLES_PER_RUN, Math.floor(job.maxStackedBytes / (2 * rowBytes(job.plan)))));
  const outcomes: SampleOutcome[] = [];
  for (let start = 0; start < job.elements.length; start += perRun) {
    const elements = job.elements.slice(start, start + perRun);
    const kept = elements.map((_, i) => model.baseOutputs.get(job.checkId, start + i, outputs));
    const rows = drawRows(job, elements, start, kept);
    const results = await runRows(context, rows, outputs, job.stackable, job.tolerance);
    let next = 0;
    elements.forEach((element, i) => {
      const base = kept[i] ?? results[next++];
      if (!kept[i] && job.keepBase) model.baseOutputs.keep(job.checkId, start + i, base);
      outcomes.push(compareSample(job.claim, element, base, results[next++]));
    });
  }
  return outcomes;
}

/**
 * The rows to run for the elements of samples first, first + 1...: x_s (unless f(x_s) is kept)
 * and g_s.x_s, in turn. Float32 and float64 inputs are drawn and moved straight into one array
 * per input holding all the rows: a stacked run feeds it as it is (elementTypes.ts), without
 * copying the rows into a new tensor.
 */
function drawRows(job: SampleJob, elements: readonly GroupElement[], first: number, kept: readonly (Row | undefined)[]): Row[] {
  const rowCount = elements.length + kept.filter((base) => !base).length;
  const stacked = new Map<string, Float32Array | Float64Array>();
  for (const input of job.plan.inputs) {
    const length = rowCount * elementCount(input.shape);
    if (input.elementType === "float") stacked.set(input.name, new Float32Array(length));
    else if (input.elementType === "double") stacked.set(input.name, new Float64Array(length));
  }
  const row = (index: number) =>
    new Map(
      [...stacked].map(([name, data]) => {
        const length = data.length / rowCount;
        return [name, data.subarray(index * length, (index + 1) * length)];
      }),
    );
  const rows: Row[] = [];
  elements.forEach((element, i) => {
    // x is drawn either way (g.x is made from it); into a row of its own only where it runs.
    const x = drawInputs(job.plan, job.seed, first + i, kept[i] ? undefined : row(rows.length));
    if (!kept[i]) rows.push(x);
    rows.push(moveInputs(job.plan, element, x, row(rows.length)));
  });
  return rows;
}

/** g.x: the element acts on the declared inputs; the others are held fixed (copied into `into` where it has their row). */
function moveInputs(plan: InputPlan, element: GroupElement, x: Row, into: ReadonlyMap<string, Dense["data"]>): Row {
  return new Map(
    plan.inputs.map((input) => {
      const value = x.get(input.name)!;
      const target = into.get(input.name);
      if (input.tensor) return [input.name, actOn(element, input.tensor, value, target)];
      target?.set(value.data);
      return [input.name, target ? { shape: value.shape, data: target } : value];
    }),
  );
}

/** f(g.x) against f(x) (invariant) or g.f(x) (equivariant), output by output. */
function compareSample(claim: SampleJob["claim"], element: GroupElement, base: Row, moved: Row): SampleOutcome {
  const outcome: SampleOutcome = {};
  for (const output of claim.outputs) {
    const fx = base.get(output.name)!;
    checkShape(output, fx.shape);
    const actual = moved.get(output.name)!;
    outcome[output.name] = claim.kind === "invariant" ? compare(actual, fx) : compareEquivariant(element, output, fx, actual);
  }
  return outcome;
}

/**
 * f(g.x) against g.f(x). Where g only moves entries, g.f(x) is read from f(x) as it lies (no copy
 * of every output); a group that does not act on the output leaves g.f(x) = f(x).
 */
function compareEquivariant(element: GroupElement, output: DeclaredTensor, fx: Dense, actual: Dense): Discrepancy {
  const mask = marginMask(element, output, fx.shape);
  const offsets = mask ? undefined : entryOffsets(element, output, fx.shape);
  return offsets ? compareMoved(actual, fx, offsets) : compare(actual, actOn(element, output, fx), mask);
}

/** An output must come back with the sizes the spec declares for it (a symmetry acts by them). */
function checkShape(output: DeclaredTensor, shape: readonly number[]): void {
  const declared = output.axes.map((axis) => (axis.size === undefined ? "?" : String(axis.size)));
  const fits = shape.length === output.axes.length && output.axes.every((axis, i) => axis.size === undefined || axis.size === shape[i]);
  if (!fits) throw new Error(`the model gave ${output.name} the shape [${shape.join(", ")}], but the spec declares [${declared.join(", ")}]`);
}
