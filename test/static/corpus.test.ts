/**
 * Robustness on real models: graph facts and the whole static analysis over every model of the
 * shared corpus (ONNX's backend test data). Nothing may throw; the shapes inferred for the
 * graph outputs must agree with those the files declare; the classic classifiers of `light/`
 * must be (nearly) fully inferred. The corpus is found beside the repo (CI clones it there); a
 * missing corpus fails rather than skips.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, test } from "node:test";
import { ModelCache } from "../../server/src/onnx/cache";
import { describeDim, modelInputs, type Dim, type OnnxModel } from "../../server/src/onnx/model";
import { readOnnxModel } from "../../server/src/onnx/reader";
import { analyzeSpec } from "../../server/src/service/analysis";
import { checkStatically, type StaticCheck, type Verdict } from "../../server/src/symmetry/static";
import { indexGraph } from "../../server/src/symmetry/static/graph";
import { graphFacts } from "../../server/src/symmetry/static/shapes";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const corpus = path.resolve(repoRoot, "../shared/corpus/onnx");

const folders: string[] = [];
after(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function corpusFiles(): string[] {
  assert.ok(existsSync(corpus), `the ONNX corpus is missing: expected it at ${corpus} (shared/ beside the repo)`);
  const files = readdirSync(corpus, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".onnx")).sort();
  assert.ok(files.length > 0, `no .onnx files in ${corpus}`);
  return files;
}

function read(file: string): OnnxModel {
  return readOnnxModel(readFileSync(path.join(corpus, file)));
}

/** The model without its outputs' declared types, so that their shapes must be inferred. */
function withoutOutputTypes(model: OnnxModel): OnnxModel {
  return { ...model, graph: { ...model.graph, outputs: model.graph.outputs.map((output) => ({ name: output.name })) } };
}

/** Whether two dims contradict each other (both known, and different). */
function contradict(a: Dim, b: Dim): boolean {
  return a.kind !== "unknown" && b.kind !== "unknown" && describeDim(a) !== describeDim(b);
}

/** Element counts above which the test does not ask for a constant (VGG's fill-in weights take 500 MB). */
const LARGEST_CONSTANT_ASKED = 1 << 16;

describe("graph facts on the corpus", () => {
  test("every model: no exception, and the inferred output shapes agree with the declared ones", (t) => {
    const disagreements: string[] = [];
    let inferredOutputs = 0;
    for (const file of corpusFiles()) {
      const model = read(file);
      const stripped = withoutOutputTypes(model);
      const graph = indexGraph(stripped);
      const facts = graphFacts(graph);
      for (const output of model.graph.outputs) {
        const declared = output.type?.kind === "tensor" ? output.type.shape : undefined;
        const inferred = facts.shape(output.name);
        if (!declared || !inferred) continue;
        inferredOutputs++;
        if (inferred.length !== declared.length || inferred.some((dim, i) => contradict(dim, declared[i]))) {
          disagreements.push(`${file}: ${output.name} is declared [${declared.map(describeDim)}], inferred [${inferred.map(describeDim)}]`);
        }
      }
      // Every question a rule may ask, of every value, must have an answer rather than an exception.
      for (const value of graph.order.flatMap((node) => node.outputs.filter((name) => name !== ""))) {
        facts.elementType(value);
        facts.shapeVector(value);
        const count = facts.shape(value)?.reduce((total, dim) => total * (dim.kind === "static" ? dim.value : Infinity), 1);
        if (count !== undefined && count <= LARGEST_CONSTANT_ASKED) facts.constant(value);
      }
    }
    t.diagnostic(`output shapes inferred for ${inferredOutputs} declared outputs`);
    assert.deepEqual(disagreements, []);
    assert.ok(inferredOutputs >= 100, `only ${inferredOutputs} output shapes were inferred`);
  });

  test("the classic classifiers of light/: a rank for at least 90% of the values, and their outputs inferred exactly", (t) => {
    const light = corpusFiles().filter((file) => file.startsWith("light"));
    assert.equal(light.length, 9);
    for (const file of light) {
      const model = read(file);
      const stripped = withoutOutputTypes(model);
      const graph = indexGraph(stripped);
      const facts = graphFacts(graph);
      const values = graph.order.flatMap((node) => node.outputs.filter((name) => name !== ""));
      const ranked = values.filter((value) => facts.shape(value) !== undefined).length;
      t.diagnostic(`${file}: ${ranked} of ${values.length} values have a rank`);
      assert.ok(ranked >= 0.9 * values.length, `${file}: only ${ranked} of ${values.length} values have a rank`);
      for (const output of model.graph.outputs) {
        const declared = output.type?.kind === "tensor" ? output.type.shape?.map(describeDim) : undefined;
        assert.deepEqual(facts.shape(output.name)?.map(describeDim), declared, `${file}: ${output.name}`);
      }
    }
  });
});

/**
 * `invariant OUT under shift` for a model's 4-D float input, analysed as the editor does, with
 * two more symmetries that take the analysis deeper into the graph: shifts by the largest
 * stride of these nets, and a mirror. (Not test/static/support.ts's staticChecks: that builds
 * its model from a GraphBuilder; these are files.)
 */
async function shiftInvariance(file: string, model: OnnxModel, input: string): Promise<StaticCheck[]> {
  const [output] = model.graph.outputs;
  const rank = output.type?.kind === "tensor" ? output.type.shape?.length : undefined;
  assert.ok(rank !== undefined, `${file}: the first output has no declared rank`);
  const spec = [
    `input ${JSON.stringify(input)} [batch, channel, y, x]`,
    `output ${JSON.stringify(output.name)} [${Array.from({ length: rank }, () => "_").join(", ")}]`,
    "symmetry shift = translate(y, x)",
    "symmetry strided = translate(y, x, step=32)",
    "symmetry mirror = flip(x)",
    `invariant ${JSON.stringify(output.name)} under ${SYMMETRIES.join(", ")}`,
  ].join("\n");
  const folder = mkdtempSync(path.join(tmpdir(), "symcheck-corpus-"));
  folders.push(folder);
  writeFileSync(path.join(folder, "net.onnx"), readFileSync(path.join(corpus, file)));
  const analysis = await analyzeSpec(path.join(folder, "net.sym"), spec, new ModelCache(), { dynamicDimWarnings: false });
  // The analysis reports the static verdicts as diagnostics too (a violated claim is an error): only binding errors count here.
  const errors = analysis.diagnostics.filter((d) => d.severity === "error" && !d.code.startsWith("static.")).map((d) => d.message);
  assert.deepEqual(errors, [], `${file}: the spec must bind\n${spec}`);
  return checkStatically(analysis.bound);
}

const SYMMETRIES = ["shift", "strided", "mirror"];
const VERDICTS: readonly Verdict[] = ["proved", "approximate", "violated", "unknown"];

function fourDimensionalFloatInput(model: OnnxModel): string | undefined {
  return modelInputs(model.graph).find((input) => input.type?.kind === "tensor" && input.type.elementType === "float" && input.type.shape?.length === 4)?.name;
}

describe("static analysis on the corpus", () => {
  test("every model with a 4-D float input: a verdict for each symmetry of `invariant OUT under ...`, never an exception", async (t) => {
    const counts = new Map<string, number>();
    const light: string[] = [];
    let analysed = 0;
    for (const file of corpusFiles()) {
      const model = read(file);
      const input = fourDimensionalFloatInput(model);
      if (!input) continue;
      const checks = await shiftInvariance(file, model, input);
      assert.deepEqual(checks.map((check) => check.symmetry), SYMMETRIES, `${file}: one check per symmetry`);
      for (const { symmetry, verdict, node, reason } of checks) {
        assert.ok(VERDICTS.includes(verdict), `${file}: ${verdict}`);
        counts.set(`${symmetry} ${verdict}`, (counts.get(`${symmetry} ${verdict}`) ?? 0) + 1);
        if (file.startsWith("light")) light.push(`${path.basename(file)} under ${symmetry}: ${verdict} at ${node}: ${reason}`);
      }
      analysed++;
    }
    t.diagnostic(`verdicts over ${analysed} models: ${[...counts].sort().map(([key, count]) => `${key} ${count}`).join(", ")}`);
    for (const line of light) t.diagnostic(line);
    assert.ok(analysed >= 40, `only ${analysed} models have a 4-D float input`);
  });
});
