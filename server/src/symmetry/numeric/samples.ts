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
import type { GroupElement } from "./elements";
import { drawInputs, type InputPlan } from "./inputs";
import { runRows, type Row } from "./runs";
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
 * model allows (8 rows), so that a job of many samples holds a few samples' tensors at once.
 */
const SAMPLES_PER_RUN = 4;

/** The job's samples, each compared: one outcome per element, in order. Throws where an output or an action does not fit the spec. */
export async function checkSamples(job: SampleJob, model: ModelSession, signal?: AbortSignal): Promise<SampleOutcome[]> {
  const outputs = job.claim.outputs.map((output) => output.name);
  const context = { model, plan: job.plan, signal, maxStackedBytes: job.maxStackedBytes };
  const outcomes: SampleOutcome[] = [];
  for (let start = 0; start < job.elements.length; start += SAMPLES_PER_RUN) {
    const elements = job.elements.slice(start, start + SAMPLES_PER_RUN);
    const rows: Row[] = [];
    elements.forEach((element, i) => {
      const x = drawInputs(job.plan, job.seed, job.first + start + i);
      rows.push(x, moveInputs(job.plan, element, x));
    });
    const results = await runRows(context, rows, outputs, job.stackable, job.tolerance);
    elements.forEach((element, i) => outcomes.push(compareSample(job.claim, element, results[2 * i], results[2 * i + 1])));
  }
  return outcomes;
}

/** g.x: the element acts on the declared inputs; the others are held fixed. */
function moveInputs(plan: InputPlan, element: GroupElement, x: Row): Row {
  return new Map(plan.inputs.map((input) => [input.name, input.tensor ? actOn(element, input.tensor, x.get(input.name)!) : x.get(input.name)!]));
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
