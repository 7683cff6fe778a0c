/**
 * The static analysis' one rule, checked in practice: a claim is never `proved` when it does not
 * hold. A thousand small random graphs (randomGraphs.ts), each with a spec and a claim per
 * symmetry, are analysed as the editor does; onnxruntime then runs each model on a random input
 * and on its images under several group elements (every element of a finite group), drawn and
 * applied by the numeric check's own engine (server/src/symmetry/numeric: elements, actions and
 * the relative error of the spec). For every `proved`, f(g.x) must equal g.f(x) (or
 * f(x)) within the default relative tolerance (widened only for graphs whose float32 rounding
 * alone exceeds it). `approximate`, `violated` and `unknown` are tallied and reported: a
 * `violated` claim that holds numerically is a missed proof, not a broken rule.
 *
 * SYMCHECK_SOUNDNESS_GRAPHS and SYMCHECK_SOUNDNESS_FIRST_SEED run other or more graphs (the run
 * takes about 15 ms a graph).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import { actOn } from "../../server/src/symmetry/numeric/actions";
import { compare } from "../../server/src/symmetry/numeric/compare";
import type { Dense } from "../../server/src/symmetry/numeric/dense";
import { sampleElement, type GroupElement } from "../../server/src/symmetry/numeric/elements";
import { castDense } from "../../server/src/symmetry/numeric/elementTypes";
import { normalSamples, seededRandom, seedFrom } from "../../server/src/symmetry/numeric/random";
import type { StaticCheck } from "../../server/src/symmetry/static";
import { groupOrder } from "../../server/src/symmetry/static/groups";
import { actedTensor, randomCase, type Claim, type DeclaredTensor, type RandomCase, type Symmetry } from "./randomGraphs";
import { staticChecks } from "./support";

const GRAPHS = Number(process.env.SYMCHECK_SOUNDNESS_GRAPHS ?? 1000);
const FIRST_SEED = Number(process.env.SYMCHECK_SOUNDNESS_FIRST_SEED ?? 1);
/** The spec's default relative tolerance for float32 outputs. */
const TOLERANCE = 1e-4;

/** A claim measured: the worst relative error over the elements tried, at which element, and the bound it must stay under. */
interface Measurement {
  error: number;
  worst: string;
  bound: number;
}

/** One (claim, symmetry) pair: its static verdict and its measurement. */
interface Outcome extends Measurement {
  randomCase: RandomCase;
  claim: Claim;
  check: StaticCheck;
}

/** Whether the claim failed numerically (an error NaN counts as failed). */
function fails(outcome: Outcome): boolean {
  return !(outcome.error <= outcome.bound);
}

test("random graphs: every claim proved statically holds under onnxruntime", async (t) => {
  const started = performance.now();
  const outcomes: Outcome[] = [];
  let skipped = 0;
  for (let seed = FIRST_SEED; seed < FIRST_SEED + GRAPHS; seed++) {
    const generated = randomCase(seed);
    const checks = await staticChecks(generated.spec, generated.model, {
      opset: generated.opset,
      numeric: "skip",
      because: "measureClaims runs it, with a bound widened for ill-conditioned graphs (a missed proof is tallied, not an error)",
    });
    assert.equal(checks.length, generated.claims.length, `seed ${seed}: one static check per claim\n${generated.spec}`);
    const measurements = await measureClaims(generated, seed).catch((error: Error) => {
      throw new Error(`seed ${seed}: ${error.message}\n${generated.steps.join(" -> ")}`);
    });
    if (!measurements) {
      skipped++;
      continue;
    }
    checks.forEach((check, i) => outcomes.push({ randomCase: generated, claim: generated.claims[i], check, ...measurements[i] }));
  }
  const seconds = (performance.now() - started) / 1000;
  report(t, outcomes, skipped, seconds);
  const unsound = outcomes.filter((outcome) => outcome.check.verdict === "proved" && fails(outcome));
  assert.deepEqual(unsound.map(describeFailure), [], "claims proved statically must hold numerically");
  // The generator must keep giving the analysis something to prove and something to refute.
  const count = (verdict: StaticCheck["verdict"]) => outcomes.filter((outcome) => outcome.check.verdict === verdict).length;
  assert.ok(count("proved") >= outcomes.length / 6, `only ${count("proved")} of ${outcomes.length} claims proved: the generator has drifted`);
  assert.ok(count("violated") >= outcomes.length / 6, `only ${count("violated")} of ${outcomes.length} claims violated: the generator has drifted`);
  assert.ok(skipped <= GRAPHS / 20, `${skipped} of ${GRAPHS} graphs gave non-finite, vanishing or ill-conditioned outputs`);
});

/**
 * Float32 rounding alone moves an output by about this much, relative: the change that a random
 * relative perturbation of PERTURBATION of the inputs causes. Most graphs are well conditioned
 * (about 1e-6); some cancel (a layer norm's output averaged to almost zero). A graph whose
 * sensitivity exceeds MAX_SENSITIVITY is too ill-conditioned to judge numerically, and skipped;
 * for the others an error fails when it exceeds both the spec's tolerance and ROUNDING_MARGIN
 * times the sensitivity (a broken symmetry gives errors of order one). An output below VANISHING
 * everywhere, from inputs and weights of about unit size, is zero in exact arithmetic (the mean of
 * all pairwise differences) and only rounding noise, which can even be exactly 0 in one summation
 * order and not in another: skipped too.
 */
const PERTURBATION = 1e-6;
const MAX_SENSITIVITY = 1e-3;
const ROUNDING_MARGIN = 20;
const VANISHING = 1e-5;

/**
 * Runs the model on one random input and on its images, and measures each claim (in order): the
 * worst relative error of f(g.x) against g.f(x) (or f(x)) over its symmetry's elements. Undefined
 * when the output on that input is not finite or too ill-conditioned.
 */
async function measureClaims(randomCase: RandomCase, seed: number): Promise<Measurement[] | undefined> {
  // No graph optimizations: the reference runs each op as ONNX defines it (fusions trip on odd graphs, such as a cropping Pad before a pool).
  const options: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: "disabled" };
  const session = await ort.InferenceSession.create(randomCase.model.toModelBytes({ opset: randomCase.opset }), options);
  try {
    const random = seededRandom(seed * 31 + 7);
    const inputs = randomCase.inputs.map((tensor) => normalTensor(tensor, random));
    const run = async (values: readonly Dense[]): Promise<Dense> => {
      const feeds = Object.fromEntries(randomCase.inputs.map((tensor, i) => [tensor.name, new ort.Tensor("float32", Float32Array.from(values[i].data), [...tensor.shape])]));
      const result = (await session.run(feeds)).out;
      return { shape: result.dims.map(Number), data: Float64Array.from(result.data as Float32Array) };
    };
    const base = await run(inputs);
    assert.deepEqual(base.shape, randomCase.output.shape, `seed ${seed}: the generator's idea of the output's shape\n${randomCase.spec}`);
    if (!base.data.every(Number.isFinite) || base.data.every((value) => Math.abs(value) < VANISHING)) return undefined;
    const perturbed = inputs.map((x) => toFloat32({ shape: x.shape, data: x.data.map((value) => value * (1 + PERTURBATION * (2 * random() - 1))) }));
    const sensitivity = relativeError(await run(perturbed), base);
    if (!(sensitivity <= MAX_SENSITIVITY)) return undefined;
    const bound = Math.max(TOLERANCE, ROUNDING_MARGIN * sensitivity);
    const sizes = axisSizes(randomCase);
    const measurements: Measurement[] = [];
    for (const claim of randomCase.claims) {
      const symmetry = randomCase.symmetries.find((candidate) => candidate.name === claim.symmetry)!;
      const worst = await worstError(randomCase, symmetry, claim, inputs, base, run, elementsToTry(symmetry, sizes, random));
      measurements.push({ ...worst, bound });
    }
    return measurements;
  } finally {
    await session.release();
  }
}

/**
 * The elements the numeric check would try first: every non-identity element of a finite group;
 * for translations a step along each axis and two random shifts; three of the other groups.
 */
function elementsToTry(symmetry: Symmetry, sizes: ReadonlyMap<string, number>, random: () => number): GroupElement[] {
  const group = symmetry.group;
  const order = group.kind === "negate" ? 2 : groupOrder(group);
  const count = order !== undefined ? order - 1 : group.kind === "translate" ? group.axes.length + 2 : 3;
  return Array.from({ length: count }, (_, sample) => sampleElement(symmetry, sizes, sample, random));
}

async function worstError(randomCase: RandomCase, symmetry: Symmetry, claim: Claim, inputs: readonly Dense[], base: Dense, run: (values: readonly Dense[]) => Promise<Dense>, elements: readonly GroupElement[]): Promise<{ error: number; worst: string }> {
  let worst = { error: 0, worst: "none" };
  for (const element of elements) {
    // Transformations are computed in float64 and cast to the input's type, as the spec says.
    const moved = inputs.map((x, i) => toFloat32(actOn(element, actedTensor(randomCase.inputs[i]), x)));
    const actual = await run(moved);
    const expected = claim.kind === "invariant" ? base : actOn(element, actedTensor(randomCase.output), base);
    const error = relativeError(actual, expected);
    if (!(error <= worst.error)) worst = { error, worst: `${element.words} (of ${symmetry.name})` };
  }
  return worst;
}

/** The spec's relative error, as the numeric check measures it (a NaN or an infinity counts as infinitely wrong). */
function relativeError(actual: Dense, expected: Dense): number {
  return compare(actual, expected).relative;
}

function toFloat32(x: Dense): Dense {
  return castDense(x, "float");
}

/** Standard normal samples, rounded to float32: the spec's default input distribution. */
function normalTensor(tensor: DeclaredTensor, random: () => number): Dense {
  const count = tensor.shape.reduce((product, size) => product * size, 1);
  return toFloat32({ shape: tensor.shape, data: normalSamples(count, seedFrom(random)) });
}

function axisSizes(randomCase: RandomCase): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const tensor of [...randomCase.inputs, randomCase.output]) tensor.axes.forEach((axis, i) => axis.name !== "_" && sizes.set(axis.name, tensor.shape[i]));
  return sizes;
}

function describeFailure(outcome: Outcome): string {
  const { randomCase, claim } = outcome;
  return [
    `seed ${randomCase.seed} (${randomCase.template}, opset ${randomCase.opset}): ${claim.kind} under ${claim.symmetry} is proved statically,`,
    `  but its relative error is ${outcome.error?.toExponential(2)} (above ${outcome.bound?.toExponential(2)}) at ${outcome.worst}`,
    `  steps: ${randomCase.steps.join(" -> ")}`,
    ...randomCase.spec.trimEnd().split("\n").map((line) => `  | ${line}`),
  ].join("\n");
}

function report(t: { diagnostic(message: string): void }, outcomes: readonly Outcome[], skipped: number, seconds: number): void {
  const of = (verdict: StaticCheck["verdict"]) => outcomes.filter((outcome) => outcome.check.verdict === verdict);
  const failing = (list: readonly Outcome[]) => list.filter(fails).length;
  const percent = (part: number, whole: number) => (whole === 0 ? "-" : `${Math.round((100 * part) / whole)}%`);
  const [proved, approximate, violated, unknown] = [of("proved"), of("approximate"), of("violated"), of("unknown")];
  t.diagnostic(`${GRAPHS} graphs (seeds ${FIRST_SEED} to ${FIRST_SEED + GRAPHS - 1}), ${outcomes.length} (claim, symmetry) pairs, ${seconds.toFixed(1)} s; ${skipped} graphs with non-finite, vanishing or ill-conditioned outputs skipped`);
  t.diagnostic(`proved ${proved.length}: ${failing(proved)} fail numerically`);
  t.diagnostic(`approximate ${approximate.length}: ${failing(approximate)} off by more than the tolerance (${percent(failing(approximate), approximate.length)})`);
  t.diagnostic(`violated ${violated.length}: ${failing(violated)} fail numerically (${percent(failing(violated), violated.length)}); the others are proofs missed`);
  t.diagnostic(`unknown ${unknown.length}: ${failing(unknown)} fail numerically (${percent(failing(unknown), unknown.length)})`);
  const reasons = new Map<string, number>();
  for (const outcome of unknown) {
    const key = `${outcome.check.opType}: ${outcome.check.reason.replace(/^\S+ \([^)]*\): /, "").replace(/\d+/g, "N").slice(0, 90)}`;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
  for (const [reason, count] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 8)) t.diagnostic(`  unknown x${count}: ${reason}`);
}
