/**
 * Static-analysis fixtures: a model (built with the ONNX builder) and a spec, analysed the way
 * the editor and the command line do, returning the static checks.
 *
 * Each fixture is also run numerically (onnxruntime in this process, the numeric check's own
 * engine) and the two must agree: a `proved` pair must pass, a `violated` one must fail. That
 * cross-checks the static rules on every fixture (issue 5): a proof that fails numerically is a
 * soundness bug, a violation that passes a missed proof or a fixture whose weights happen to be
 * symmetric. `approximate` and `unknown` pairs are run too (an error must not pass unseen) but
 * may come out either way.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after } from "node:test";
import type { BoundSpec } from "../../server/src/binding/bound";
import { ModelCache } from "../../server/src/onnx/cache";
import { analyzeSpec } from "../../server/src/service/analysis";
import { checkNumerically } from "../../server/src/symmetry/numeric/check";
import type { NumericCheck } from "../../server/src/symmetry/numeric/types";
import { checkStatically, type StaticCheck } from "../../server/src/symmetry/static";
import { InProcessRunner } from "../numeric/inProcessRunner";
import type { GraphBuilder, ModelOptions } from "../support/onnxBuilder";

const folders: string[] = [];
after(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/**
 * How a fixture is built, and whether its numeric run is cross-checked. A fixture that
 * onnxruntime cannot run opts out with `numeric: "skip"` and says why in `because`.
 */
export type FixtureOptions = ModelOptions & ({ numeric?: "check" } | { numeric: "skip"; because: string });

/** Binds `spec` to the model and runs the static checks; a spec that does not bind cleanly, or whose numeric run disagrees, fails the test. */
export async function staticChecks(spec: string, model: GraphBuilder, options: FixtureOptions = {}): Promise<StaticCheck[]> {
  const folder = mkdtempSync(path.join(tmpdir(), "symcheck-static-"));
  folders.push(folder);
  writeFileSync(path.join(folder, "net.onnx"), model.toModelBytes(options));
  const { bound, checks } = await checksOf(path.join(folder, "net.sym"), spec);
  if (options.numeric !== "skip") await assertNumericAgreement(bound, checks, folder);
  return checks;
}

/**
 * The static checks of one of the project's examples (`examples/NAME.sym` with its model), in the
 * spec's order. Not run numerically here: test/numeric/check.test.ts cross-checks the examples.
 */
export async function exampleChecks(name: string): Promise<StaticCheck[]> {
  const specPath = path.resolve(import.meta.dirname, "../../examples", `${name}.sym`);
  return (await checksOf(specPath, readFileSync(specPath, "utf8"))).checks;
}

async function checksOf(specPath: string, spec: string): Promise<{ bound: BoundSpec; checks: StaticCheck[] }> {
  const analysis = await analyzeSpec(specPath, spec, new ModelCache(), { dynamicDimWarnings: false });
  // Verdicts are diagnostics too (`static.violated` is an error): only binding errors spoil a fixture.
  const errors = analysis.diagnostics.filter((d) => d.severity === "error" && !d.code.startsWith("static."));
  assert.deepEqual(errors.map((d) => `${d.range.start.line + 1}: ${d.message}`), [], "the spec must bind without errors");
  return { bound: analysis.bound, checks: checkStatically(analysis.bound) };
}

/** Runs every pair numerically and asserts that each agrees with its static verdict. */
async function assertNumericAgreement(bound: BoundSpec, checks: readonly StaticCheck[], specFolder: string): Promise<void> {
  const runner = new InProcessRunner();
  let results: NumericCheck[];
  try {
    results = await checkNumerically(bound, { runner, specFolder });
  } finally {
    await runner.dispose();
  }
  assert.equal(results.length, checks.length, "one numeric result per (claim, symmetry) pair");
  const disagreements = checks.map((check, i) => disagreement(bound, check, results[i])).filter((words) => words !== undefined);
  assert.deepEqual(disagreements, [], "the numeric check must agree with the static verdicts");
}

/** Why a pair's numeric outcome contradicts its static verdict, in words; undefined when it does not. */
function disagreement(bound: BoundSpec, check: StaticCheck, result: NumericCheck): string | undefined {
  const pair = `${check.claim.kind} ${check.claim.outputs.join(", ")} under ${check.symmetry}`;
  assert.deepEqual([result.claimIndex, result.symmetry], [bound.claims.indexOf(check.claim), check.symmetry], `numeric results in the static checks' order (${pair})`);
  const verdict = check.verdict === "proved" ? "proved" : `${check.verdict} at ${check.node} (${check.opType}): ${check.reason}`;
  if (result.status === "error" || result.status === "cancelled") {
    return `${pair}: static ${verdict}, but the numeric check could not run: ${result.message} (give the fixture the sizes it needs, or opt out with { numeric: "skip", because })`;
  }
  const expected = check.verdict === "proved" ? "passed" : check.verdict === "violated" ? "failed" : result.status;
  if (result.status === expected) return undefined;
  const figures = `relative error ${result.maxRelError.toExponential(2)} (tolerance ${result.tolerance}), worst at ${result.worst}, largest absolute error ${result.maxAbsError.toExponential(2)}, ${result.samples} samples, seed ${bound.check.seed}`;
  return `${pair}: static ${verdict}, but numeric ${result.status}: ${figures}`;
}

/** The verdict of a spec's only (claim, symmetry) pair, with the node it names. */
export async function verdictOf(spec: string, model: GraphBuilder, options: FixtureOptions = {}): Promise<StaticCheck> {
  const checks = await staticChecks(spec, model, options);
  assert.equal(checks.length, 1, `expected one (claim, symmetry) pair, got ${checks.length}`);
  return checks[0];
}

/** Asserts the verdict and, for anything but `proved`, the node named. */
export function assertVerdict(check: StaticCheck, verdict: StaticCheck["verdict"], node?: string | null, reason?: RegExp): void {
  const summary = `${check.verdict} at ${check.node}: ${check.reason}`;
  assert.equal(check.verdict, verdict, summary);
  if (node !== undefined) assert.equal(check.node, node, summary);
  if (reason) assert.match(check.reason, reason, summary);
}
