/**
 * The sample work of a numeric check, done where the model runs (the runner's worker process;
 * in tests, this process): for one pair's samples, draw the inputs x, move them to g.x, run the
 * model on both (stacked where it allows), and compare f(g.x) with f(x) or g.f(x).
 *
 * Only the errors go back to the check (check.ts), never the tensors: a transformer's check moves
 * megabytes of inputs and outputs, which cost more to copy between processes than to compare.
 */
import { actOn, type DeclaredTensor } from "./actions";
import { compare, marginMask, type Discrepancy } from "./compare";
import { elementCount, type Dense } from "./dense";
import type { GroupElement } from "./elements";
import { drawInputs, type InputPlan } from "./inputs";
import { rowBytes, runRows, type Row } from "./runs";
import type { RunRequest, RuntimeTensor } from "./types";

/** A (claim, symmetry) pair's samples (or some of them); plain data, copied whole to the worker process. */
export interface SampleJob {
  /** Absolute path of the ONNX file. */
  modelPath: string;
  /** The fed inputs (planForSamples: file inputs carry the job's samples only). */
  plan: InputPlan;
  seed: number;
  /** The number of the job's first sample: elements[i] is sample first + i's. */
  first: number;
  elements: GroupElement[];
  claim: { kind: "invariant" | "equivariant"; outputs: DeclaredTensor[] };
  /** Whether the outputs' leading axes can be the batch axis (dynamic in the model). */
  stackable: boolean;
  /** The claim's relative tolerance: also what a stacked run may differ from rows run alone. */
  tolerance: number;
  /** A stacked run takes at most this many bytes of inputs. */
  maxStackedBytes: number;
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
    const rows = drawRows(job, elements, job.first + start);
    const results = await runRows(context, rows, outputs, job.stackable, job.tolerance);
    elements.forEach((element, i) => outcomes.push(compareSample(job.claim, element, results[2 * i], results[2 * i + 1])));
  }
  return outcomes;
}

/**
 * Rows x_s, g_s.x_s for the elements of samples first, first + 1... Float32 and float64 inputs
 * are drawn and moved straight into one array per input holding all the rows in turn: a stacked
 * run feeds it as it is (elementTypes.ts), without copying the rows into a new tensor.
 */
function drawRows(job: SampleJob, elements: readonly GroupElement[], first: number): Row[] {
  const rowCount = 2 * elements.length;
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
    const x = drawInputs(job.plan, job.seed, first + i, row(2 * i));
    rows.push(x, moveInputs(job.plan, element, x, row(2 * i + 1)));
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
    // A group that does not act on the output (or a value group that does not list it) leaves g.f(x) = f(x).
    const equivariant = claim.kind === "equivariant";
    const expected = equivariant ? actOn(element, output, fx) : fx;
    outcome[output.name] = compare(moved.get(output.name)!, expected, equivariant ? marginMask(element, output, fx.shape) : undefined);
  }
  return outcome;
}

/** An output must come back with the sizes the spec declares for it (a symmetry acts by them). */
function checkShape(output: DeclaredTensor, shape: readonly number[]): void {
  const declared = output.axes.map((axis) => (axis.size === undefined ? "?" : String(axis.size)));
  const fits = shape.length === output.axes.length && output.axes.every((axis, i) => axis.size === undefined || axis.size === shape[i]);
  if (!fits) throw new Error(`the model gave ${output.name} the shape [${shape.join(", ")}], but the spec declares [${declared.join(", ")}]`);
}
