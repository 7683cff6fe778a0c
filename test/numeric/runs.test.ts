/**
 * Running many rows of inputs: stacked along the batch axis in runs of bounded size, split back
 * into each row's outputs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { drawInputs, planInputs } from "../../server/src/symmetry/numeric/inputs";
import { runRows, type RunContext } from "../../server/src/symmetry/numeric/runs";
import { GraphBuilder } from "../support/onnxBuilder";
import { fixture } from "./fixtures";
import { InProcessRunner } from "./inProcessRunner";

test("rows beyond the byte limit of a run go in further runs, and each row gets its own outputs", async () => {
  const model = new GraphBuilder("neg").input("x", "float", ["batch", 4]).node("Neg", ["x"], ["y"]).output("y", "float", ["batch", 4]);
  const { analysis, folder } = await fixture("input x [batch, i]\noutput y [batch, i]\nsymmetry p = permute(i)\nequivariant y under p\n", model);
  const runner = new InProcessRunner();
  const plan = await planInputs(analysis.bound, folder);
  // A row is 4 floats (16 bytes): three rows a run.
  const context: RunContext = { model: runner.session(analysis.bound.modelPath!), plan, maxStackedBytes: 50 };
  const rows = Array.from({ length: 8 }, (_, s) => drawInputs(plan, 0, s));
  const outputs = await runRows(context, rows, ["y"], true, 1e-6);
  await runner.dispose();
  // The first and the last rows are also run alone, the first time.
  assert.deepEqual(runner.requests.map((request) => request.feeds.x.dims[0]), [3, 3, 2, 1, 1]);
  outputs.forEach((output, s) => assert.deepEqual(Array.from(output.get("y")!.data), Array.from(rows[s].get("x")!.data, (value) => -value + 0)));
});
