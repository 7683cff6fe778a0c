/**
 * The numeric results store and the service that runs checks, with a fake engine (so that the
 * tests decide how long a check takes and what it finds): which edits make a result stale,
 * runs taking turns on the one runner, cancellation, and what a pair gets when it cannot run.
 * The real engine and runner are exercised end to end by test/lsp/numericChecks.test.ts and the CLI tests.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { ModelCache } from "../../server/src/onnx/cache";
import { analyzeSpec, type SpecAnalysis } from "../../server/src/service/analysis";
import { NumericService, type CheckFunction } from "../../server/src/service/numericChecks";
import { checkPairs, NumericResults } from "../../server/src/service/numericResults";
import { formatDuration, formatNumber, numericDiagnostics, numericSummary } from "../../server/src/service/numericWords";
import type { ModelRunner, NumericCheck } from "../../server/src/symmetry/numeric/types";
import { npyFile } from "../numeric/fixtures";
import { oddSignalModel, ODD_SIGNAL_SPEC } from "../support/oddSignal";

const folder = mkdtempSync(path.join(tmpdir(), "symcheck-numeric-service-"));
after(() => rmSync(folder, { recursive: true, force: true }));
const modelFile = path.join(folder, "odd.onnx");
writeFileSync(modelFile, oddSignalModel("Relu"));
const specPath = path.join(folder, "odd.sym");

async function analyze(text = ODD_SIGNAL_SPEC): Promise<SpecAnalysis> {
  return analyzeSpec(specPath, text, new ModelCache());
}

function fingerprints(analysis: SpecAnalysis): string[] {
  return checkPairs(analysis).map((pair) => pair.fingerprint);
}

/** A result as the engine gives it: `failed` for `flipsign`, `passed` for the rest. */
function fakeResult(claimIndex: number, symmetry: string, ms = 5): NumericCheck {
  const failed = symmetry === "flipsign";
  return { claimIndex, symmetry, status: failed ? "failed" : "passed", samples: 8, maxRelError: failed ? 0.42 : 3.1e-7, maxAbsError: failed ? 0.8 : 1e-7, tolerance: 1e-4, worst: `${symmetry} #3`, ms };
}

/**
 * A fake engine: each selected pair takes `ms` (stopping early when aborted), and the calls are
 * logged, with how many were running at once.
 */
function fakeEngine(ms = 20) {
  const log = { calls: 0, running: 0, mostAtOnce: 0, runners: [] as ModelRunner[] };
  const check: CheckFunction = async (bound, options) => {
    log.calls++;
    log.runners.push(options.runner);
    log.mostAtOnce = Math.max(log.mostAtOnce, ++log.running);
    const results: NumericCheck[] = [];
    try {
      for (const [claimIndex, claim] of bound.claims.entries()) {
        for (const symmetry of claim.symmetries.filter((name) => options.select?.(claimIndex, name) ?? true)) {
          await new Promise((resolve) => setTimeout(resolve, options.signal?.aborted ? 0 : ms));
          const result = options.signal?.aborted ? { ...fakeResult(claimIndex, symmetry), status: "cancelled" as const } : fakeResult(claimIndex, symmetry);
          options.onResult?.(result);
          results.push(result);
        }
      }
    } finally {
      log.running--;
    }
    return results;
  };
  return { check, log };
}

function fakeRunner(disposed: number[], timeoutMs: number): ModelRunner {
  return { run: () => Promise.reject(new Error("the fake engine never runs the model")), dispose: async () => void disposed.push(timeoutMs) };
}

function service(check: CheckFunction, created: number[] = [], disposed: number[] = []) {
  return new NumericService({
    check,
    results: new NumericResults(),
    timeoutMs: 1000,
    createRunner: ({ timeoutMs }) => {
      created.push(timeoutMs);
      return fakeRunner(disposed, timeoutMs);
    },
  });
}

describe("which edits make a numeric result stale", () => {
  test("each (claim, symmetry) pair has an id in the spec's words; a repeated claim is told apart", async () => {
    const analysis = await analyze(`${ODD_SIGNAL_SPEC}equivariant out under shift\n`);
    assert.deepEqual(
      checkPairs(analysis).map((pair) => pair.id),
      ["equivariant out under flipsign", "equivariant out under shift", "equivariant out under shift (2)"],
    );
  });

  test("comments, moving the claim, spacing and saying a size elsewhere keep the fingerprints", async () => {
    const before = fingerprints(await analyze());
    assert.deepEqual(fingerprints(await analyze(`# the odd signal\n\n${ODD_SIGNAL_SPEC}`)), before);
    // `batch = 2` on the input means what the check block's `size batch = 2` does.
    assert.deepEqual(fingerprints(await analyze(ODD_SIGNAL_SPEC.replace("input  signal [batch, time]", "input  signal [batch = 2, time]"))), before);
    assert.deepEqual(fingerprints(await analyze(ODD_SIGNAL_SPEC.replace("equivariant out under flipsign, shift", "equivariant   out under flipsign , shift  # both"))), before);
  });

  const edits: [string, string, string][] = [
    ["the claim's tolerance", "equivariant out under flipsign, shift", "equivariant out under flipsign, shift within 1e-3"],
    ["the symmetry's group", "symmetry shift    = translate(time)", "symmetry shift    = translate(time, step=2)"],
    // The shift no longer moves the input: a different check.
    ["a tensor's axes", "input  signal [batch, time]", "input  signal [batch, _]"],
    ["the check block", "check { size batch = 2 }", "check { size batch = 2  samples 4 }"],
  ];
  for (const [what, from, to] of edits) {
    test(`changing ${what} changes every fingerprint it affects`, async () => {
      const [flipsign, shift] = fingerprints(await analyze());
      const edited = fingerprints(await analyze(ODD_SIGNAL_SPEC.replace(from, to)));
      assert.equal(edited.length, 2, "both pairs are still checked");
      const [editedFlipsign, editedShift] = edited;
      assert.notEqual(editedShift, shift);
      if (what !== "the symmetry's group") assert.notEqual(editedFlipsign, flipsign);
      else assert.equal(editedFlipsign, flipsign, "flipsign's group did not change");
    });
  }

  test("a model file with a new modification time changes them", async () => {
    const before = fingerprints(await analyze());
    const later = new Date(Date.now() + 5000);
    utimesSync(modelFile, later, later);
    assert.notDeepEqual(fingerprints(await analyze()), before);
  });

  test("an input file (`from \"FILE.npy\"`) with a new modification time changes them, and one created where it was missing", async () => {
    const spec = ODD_SIGNAL_SPEC.replace("check { size batch = 2 }", 'check { size batch = 2  input signal from "signal.npy" }');
    const missing = fingerprints(await analyze(spec));
    const inputFile = path.join(folder, "signal.npy");
    writeFileSync(inputFile, npyFile("<f4", [3, 16], new Float32Array(48).fill(0.5)));
    const written = fingerprints(await analyze(spec));
    assert.notDeepEqual(written, missing);
    const later = new Date(Date.now() + 5000);
    utimesSync(inputFile, later, later);
    const touched = fingerprints(await analyze(spec));
    assert.notDeepEqual(touched, written);
    assert.deepEqual(fingerprints(await analyze(spec)), touched, "an unchanged file keeps them");
  });

  test("the store answers for current pairs only, and prune drops the others", async () => {
    const results = new NumericResults();
    const analysis = await analyze();
    const [flipsign, shift] = checkPairs(analysis);
    results.record(specPath, flipsign, fakeResult(0, "flipsign"));
    results.record(specPath, shift, { ...fakeResult(0, "shift"), status: "cancelled" });
    assert.equal(results.get(specPath, flipsign)?.status, "failed");
    assert.equal(results.get(specPath, shift), undefined, "a cancelled pair records nothing");
    assert.equal(results.prune(analysis), false);

    const edited = await analyze(ODD_SIGNAL_SPEC.replace("shift\n", "shift within 1e-3\n"));
    assert.equal(results.get(specPath, checkPairs(edited)[0]), undefined);
    assert.equal(results.prune(edited), true);
    assert.equal(results.has(specPath), false);
  });
});

describe("running numeric checks", () => {
  test("runs record their results, report each pair as it finishes, and take turns on one runner", async () => {
    const { check, log } = fakeEngine();
    const created: number[] = [];
    const numeric = service(check, created);
    const analysis = await analyze();
    const reported: string[] = [];
    const [first, second] = await Promise.all([
      numeric.run(analysis, { onResult: ({ pair, check }) => reported.push(`${pair.symmetry}: ${check.status}`) }),
      numeric.run(analysis, { pairs: checkPairs(analysis).slice(1) }),
    ]);
    assert.deepEqual(first.map(({ check }) => check.status), ["failed", "passed"]);
    assert.deepEqual(second.map(({ pair }) => pair.symmetry), ["shift"]);
    assert.deepEqual(reported, ["flipsign: failed", "shift: passed"]);
    assert.equal(log.mostAtOnce, 1, "the second run waited for the first");
    assert.deepEqual(created, [1000], "one runner for both");
    assert.equal(log.runners[0], log.runners[1]);
    const diagnostics = numericDiagnostics(analysis, checkPairs(analysis), numeric.results);
    assert.deepEqual(diagnostics.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}`), ["numeric.failed 5:22"]);
  });

  test("a pair is pending from the request until its result", async () => {
    const numeric = service(fakeEngine(30).check);
    const analysis = await analyze();
    const [flipsign] = checkPairs(analysis);
    const running = numeric.run(analysis, { pairs: [flipsign] });
    assert.equal(numeric.isPending(specPath, flipsign), true);
    await running;
    assert.equal(numeric.isPending(specPath, flipsign), false);
  });

  test("cancelling stops the running check and a waiting one at once; cancelled pairs keep their earlier result", async () => {
    const { check, log } = fakeEngine(200);
    const numeric = service(check);
    const analysis = await analyze();
    await service(fakeEngine(0).check).run(analysis); // another store: nothing recorded here
    const [flipsign] = checkPairs(analysis);
    numeric.results.record(specPath, flipsign, fakeResult(0, "flipsign"));

    const abortFirst = new AbortController();
    const abortSecond = new AbortController();
    const first = numeric.run(analysis, { signal: abortFirst.signal });
    const second = numeric.run(analysis, { signal: abortSecond.signal });
    const started = Date.now();
    abortSecond.abort();
    assert.deepEqual((await second).map(({ check }) => check.status), ["cancelled", "cancelled"]);
    assert.ok(Date.now() - started < 150, "the waiting run did not wait for the running one");
    abortFirst.abort();
    assert.deepEqual((await first).map(({ check }) => check.status), ["cancelled", "cancelled"]);
    assert.equal(log.calls, 1, "the cancelled waiting run never reached the engine");
    assert.equal(numeric.results.get(specPath, flipsign)?.status, "failed", "the earlier result stays");
  });

  test("a spec whose model is missing gets an error per pair, saying why, without running anything", async () => {
    const { check, log } = fakeEngine();
    const analysis = await analyzeSpec(specPath, ODD_SIGNAL_SPEC.replace("odd.onnx", "gone.onnx"), new ModelCache());
    const outcomes = await service(check).run(analysis);
    assert.equal(log.calls, 0);
    for (const { check: result } of outcomes) {
      assert.equal(result.status, "error");
      assert.match(result.message ?? "", /^the model cannot be run: .*gone\.onnx does not exist$/);
    }
  });

  test("an engine that throws gives every unfinished pair an error that says it is a bug", async () => {
    const outcomes = await service(async () => Promise.reject(new Error("boom"))).run(await analyze());
    assert.deepEqual(
      outcomes.map(({ check }) => `${check.status}: ${check.message}`),
      Array(2).fill("error: the numeric check failed (boom); please report this bug"),
    );
  });

  test("a new timeout replaces the runner at the next run", async () => {
    const created: number[] = [];
    const disposed: number[] = [];
    const numeric = service(fakeEngine(0).check, created, disposed);
    const analysis = await analyze();
    await numeric.run(analysis);
    numeric.setTimeout(5000);
    assert.deepEqual(disposed, [], "not while no run needs it");
    await numeric.run(analysis);
    assert.deepEqual(created, [1000, 5000]);
    assert.deepEqual(disposed, [1000]);
    await numeric.dispose();
    assert.deepEqual(disposed, [1000, 5000]);
  });
});

describe("how numeric results read", () => {
  test("numbers: two significant digits, exponents for the very small and large", () => {
    assert.deepEqual([3.14159e-7, 0.4213, 1e-4, 0, 1234.5, 123456, Number.NaN].map(formatNumber), ["3.1e-7", "0.42", "1e-4", "0", "1200", "1.2e5", "NaN"]);
    assert.deepEqual([42.4, 437, 12345].map(formatDuration), ["42 ms", "0.4 s", "12.3 s"]);
  });

  test("every numeric code is documented in docs/diagnostics.md", async () => {
    const docs = readFileSync(path.join(import.meta.dirname, "../../docs/diagnostics.md"), "utf8");
    const analysis = await analyze();
    const results = new NumericResults();
    const [flipsign, shift] = checkPairs(analysis);
    results.record(specPath, flipsign, fakeResult(0, "flipsign"));
    results.record(specPath, shift, { ...fakeResult(0, "shift"), status: "error", message: "the runtime failed" });
    const codes = numericDiagnostics(analysis, [flipsign, shift], results).map((diagnostic) => diagnostic.code);
    assert.deepEqual(codes, ["numeric.failed", "numeric.error"]);
    for (const code of codes) assert.ok(docs.includes(`| \`${code}\` |`), `${code} has no row in docs/diagnostics.md`);
  });

  test("a lens's summary per status", () => {
    assert.equal(numericSummary({ ...fakeResult(0, "shift", 437), samples: 16 }), "passed 16/16, max rel err 3.1e-7, 0.4 s");
    assert.equal(numericSummary(fakeResult(0, "flipsign")), "failed: rel err 0.42 > 1e-4 at flipsign #3");
    const error = { ...fakeResult(0, "shift"), status: "error" as const, message: `the runtime failed: ${"x".repeat(100)}\nstack` };
    assert.match(numericSummary(error), /^could not run: the runtime failed: x+…$/);
    assert.ok(numericSummary(error).length < 80);
  });
});
