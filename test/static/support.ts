/**
 * Static-analysis fixtures: a model (built with the ONNX builder) and a spec, analysed the way
 * the editor and the command line do, returning the static checks.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after } from "node:test";
import { ModelCache } from "../../server/src/onnx/cache";
import { analyzeSpec } from "../../server/src/service/analysis";
import { checkStatically, type StaticCheck } from "../../server/src/symmetry/static";
import type { GraphBuilder, ModelOptions } from "../support/onnxBuilder";

const folders: string[] = [];
after(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** Binds `spec` to the model and runs the static checks; a spec that does not bind cleanly fails the test. */
export async function staticChecks(spec: string, model: GraphBuilder, options: ModelOptions = {}): Promise<StaticCheck[]> {
  const folder = mkdtempSync(path.join(tmpdir(), "symcheck-static-"));
  folders.push(folder);
  writeFileSync(path.join(folder, "net.onnx"), model.toModelBytes(options));
  return checksOf(path.join(folder, "net.sym"), spec);
}

/** The static checks of one of the project's examples (`examples/NAME.sym` with its model), in the spec's order. */
export async function exampleChecks(name: string): Promise<StaticCheck[]> {
  const specPath = path.resolve(import.meta.dirname, "../../examples", `${name}.sym`);
  return checksOf(specPath, readFileSync(specPath, "utf8"));
}

async function checksOf(specPath: string, spec: string): Promise<StaticCheck[]> {
  const analysis = await analyzeSpec(specPath, spec, new ModelCache(), { dynamicDimWarnings: false });
  // Verdicts are diagnostics too (`static.violated` is an error): only binding errors spoil a fixture.
  const errors = analysis.diagnostics.filter((d) => d.severity === "error" && !d.code.startsWith("static."));
  assert.deepEqual(errors.map((d) => `${d.range.start.line + 1}: ${d.message}`), [], "the spec must bind without errors");
  return checkStatically(analysis.bound);
}

/** The verdict of a spec's only (claim, symmetry) pair, with the node it names. */
export async function verdictOf(spec: string, model: GraphBuilder, options: ModelOptions = {}): Promise<StaticCheck> {
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
