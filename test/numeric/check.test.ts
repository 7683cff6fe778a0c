/**
 * The numeric check end to end, with onnxruntime in this process: the project's examples (the
 * numeric outcome agrees with the static verdict) and small models built for one behaviour each:
 * margins, undeclared inputs, element types, .npy inputs, non-finite outputs, batching, runner
 * errors, cancellation, selection and seeds.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildExamples } from "../../scripts/make-examples";
import { ModelCache } from "../../server/src/onnx/cache";
import { analyzeSpec } from "../../server/src/service/analysis";
import type { NumericCheck } from "../../server/src/symmetry/numeric/types";
import { floatTensor, GraphBuilder, int64Tensor, randomFloats, seededRandom } from "../support/onnxBuilder";
import { check, fixture, npyFile, temporaryFolder, withoutTime } from "./fixtures";
import { InProcessRunner } from "./inProcessRunner";

const summary = (result: NumericCheck) => `${result.symmetry}: ${result.status} (${result.maxRelError.toExponential(2)} at ${result.worst})${result.message ? `: ${result.message}` : ""}`;

describe("the examples: the numeric outcome agrees with the static verdict", () => {
  for (const example of buildExamples()) {
    test(example.name, async () => {
      const bound = await fixture(example.spec, example.model, {}, example.modelFile);
      const results = await check(bound);
      const verdicts = bound.analysis.staticChecks;
      assert.equal(results.length, verdicts.length, "one result per (claim, symmetry) pair");
      results.forEach((result, i) => {
        assert.equal(result.symmetry, verdicts[i].symmetry);
        assert.equal(result.samples, bound.analysis.bound.check.samples);
        if (verdicts[i].verdict === "proved") assert.equal(result.status, "passed", summary(result));
        if (verdicts[i].verdict === "violated") {
          assert.equal(result.status, "failed", summary(result));
          assert.ok(result.maxRelError > 0.1, `a violated claim fails by far: ${summary(result)}`);
        }
        assert.ok(["proved", "violated"].includes(verdicts[i].verdict), `the examples are proved or violated: ${verdicts[i].verdict}`);
      });
    });
  }
});

/** A 3x3 convolution with zero padding of one cell: equivariant under shifts away from the borders only. */
function zeroPaddedConv(): GraphBuilder {
  const random = seededRandom(5);
  return new GraphBuilder("conv")
    .input("image", "float", ["batch", 1, 8, 8])
    .initializer("w", floatTensor([2, 1, 3, 3], randomFloats(18, random)))
    .node("Conv", ["image", "w"], ["feat"], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: "conv" })
    .output("feat", "float", ["batch", 2, 8, 8]);
}

describe("claims", () => {
  test("translate(..., margin=1) compares only cells away from the borders and the seam: a zero-padded convolution passes with it and fails without", async () => {
    const spec = `input image [batch, _, y, x]
output feat [batch, c, y, x]
symmetry inside = translate(y, x, margin=1)
symmetry anywhere = translate(y, x)
equivariant feat under inside, anywhere
`;
    const [inside, anywhere] = await check(await fixture(spec, zeroPaddedConv()));
    assert.equal(inside.status, "passed", summary(inside));
    assert.ok(inside.maxRelError < 1e-5, summary(inside));
    assert.equal(anywhere.status, "failed", summary(anywhere));
    assert.match(anywhere.worst, /^shift /);
  });

  test("a margin that leaves nothing to compare is an error", async () => {
    const spec = "input image [batch, _, y, x]\noutput feat [batch, c, y, x]\nsymmetry s = translate(y, x, margin=4)\nequivariant feat under s\n";
    const [result] = await check(await fixture(spec, zeroPaddedConv()));
    assert.equal(result.status, "error");
    assert.match(result.message!, /margin=4 leaves no entry of feat to compare/);
  });

  test("an undeclared input is drawn once per sample and held fixed: the same bias in f(x) and f(g.x)", async () => {
    const model = new GraphBuilder("bias")
      .input("x", "float", ["batch", 5, 3])
      .input("bias", "float", ["batch", 1, 3])
      .node("Add", ["x", "bias"], ["y"])
      .output("y", "float", ["batch", 5, 3]);
    const [result] = await check(await fixture("input x [batch, node, f]\noutput y [batch, node, f]\nsymmetry p = permute(node)\nequivariant y under p\n", model));
    assert.equal(result.status, "passed", summary(result));
  });

  test("a scalar input (a temperature the spec does not declare) is fed as a scalar", async () => {
    const model = new GraphBuilder("tempered")
      .input("x", "float", [1, 5])
      .input("temperature", "float", [])
      .node("Mul", ["x", "temperature"], ["y"])
      .output("y", "float", [1, 5]);
    const runner = new InProcessRunner();
    const [result] = await check(await fixture("input x [batch, node]\noutput y [batch, node]\nsymmetry p = permute(node)\nequivariant y under p\n", model), {}, runner);
    assert.equal(result.status, "passed", summary(result));
    assert.ok(runner.requests.every((request) => request.feeds.temperature.dims.length === 0));
  });

  test("several outputs: the worst one is named", async () => {
    const model = new GraphBuilder("two")
      .input("x", "float", ["batch", 4])
      .initializer("w", floatTensor([4], [1, 2, 3, 4]))
      .node("Neg", ["x"], ["same"])
      .node("Mul", ["x", "w"], ["weighted"])
      .output("same", "float", ["batch", 4])
      .output("weighted", "float", ["batch", 4]);
    const [result] = await check(await fixture("input x [batch, i]\noutput same [batch, i]\noutput weighted [batch, i]\nsymmetry p = permute(i)\nequivariant same, weighted under p\n", model));
    assert.equal(result.status, "failed");
    assert.match(result.worst, /^permute i \(.*\) on weighted$/);
  });

  test("NaN in an output fails, with infinite errors and a word on why", async () => {
    const model = new GraphBuilder("log").input("x", "float", ["batch", 6]).node("Log", ["x"], ["y"]).output("y", "float", ["batch", 6]);
    const [result] = await check(await fixture("input x [batch, t]\noutput y [batch, t]\nsymmetry n = negate(x)\ninvariant y under n\n", model));
    assert.deepEqual([result.status, result.maxRelError, result.maxAbsError], ["failed", Infinity, Infinity]);
    assert.equal(result.worst, "negate (NaN or infinite values in y)");
  });
});

describe("element types and inputs", () => {
  test("float16: the default tolerance is 1e-2", async () => {
    const model = new GraphBuilder("half").input("x", "float16", ["batch", 8]).node("Abs", ["x"], ["y"]).output("y", "float16", ["batch", 8]);
    const [result] = await check(await fixture("input x [batch, t]\noutput y [batch, t]\nsymmetry n = negate(x)\ninvariant y under n\n", model));
    assert.equal(result.status, "passed", summary(result));
    assert.equal(result.tolerance, 1e-2);
  });

  test("int64 tokens drawn from integers(lo, hi): an embedding summed over tokens is invariant under permuting them", async () => {
    const model = new GraphBuilder("tokens")
      .input("tokens", "int64", ["batch", 6])
      .initializer("embedding", floatTensor([10, 3], randomFloats(30, seededRandom(2))))
      .initializer("axes", int64Tensor([1], [1]))
      .node("Gather", ["embedding", "tokens"], ["embedded"])
      .node("ReduceSum", ["embedded", "axes"], ["pooled"], { keepdims: 0 })
      .output("embedded", "float", ["batch", 6, 3])
      .output("pooled", "float", ["batch", 3]);
    const spec = `input tokens [batch, token]
output embedded [batch, token, d]
output pooled [batch, d]
symmetry p = permute(token)
equivariant embedded under p
invariant pooled under p
check { input tokens ~ integers(0, 10) }
`;
    const results = await check(await fixture(spec, model));
    assert.deepEqual(results.map((result) => result.status), ["passed", "passed"], results.map(summary).join("\n"));
  });

  test("a model that fails on integer inputs drawn by default says how to give their range", async () => {
    const model = new GraphBuilder("lookup")
      .input("ids", "int64", ["batch", 16])
      .initializer("table", floatTensor([2, 3], [1, 2, 3, 4, 5, 6]))
      .node("Gather", ["table", "ids"], ["rows"])
      .output("rows", "float", ["batch", 16, 3]);
    const spec = "input ids [batch, token]\noutput rows [batch, token, d]\nsymmetry p = permute(token)\nequivariant rows under p\n";
    const [result] = await check(await fixture(spec, model));
    assert.equal(result.status, "error");
    assert.match(result.message!, /\(the integer input ids is drawn from normal\(0, 1\), rounded: give the values the model takes in the check block, e\.g\. `input ids ~ integers\(0, N\)`\)$/);
    const [fixed] = await check(await fixture(`${spec}check { input ids ~ integers(0, 2) }\n`, model));
    assert.equal(fixed.status, "passed", summary(fixed));
  });

  test("an op onnxruntime has no kernel for is not blamed on integer inputs drawn by default", async () => {
    // onnxruntime has no kernel for Add of opset 6 (legacy exports have them): the values fed are not the problem.
    const model = new GraphBuilder("legacy").input("ids", "int64", ["batch", 4]).node("Add", ["ids", "ids"], ["twice"]).output("twice", "int64", ["batch", 4]);
    const spec = "input ids [batch, token]\noutput twice [batch, token]\nsymmetry p = permute(token)\nequivariant twice under p\n";
    const [result] = await check(await fixture(spec, model.toModelBytes({ opset: 6 })));
    assert.equal(result.status, "error");
    assert.match(result.message!, /Could not find an implementation for Add/);
    assert.doesNotMatch(result.message!, /drawn from normal/);
  });

  test("inputs from an .npy file: its rows are what the model sees", async () => {
    const model = new GraphBuilder("rows")
      .input("image", "float", ["batch", 2, 3])
      .initializer("axes", int64Tensor([1], [2]))
      .node("ReduceSum", ["image", "axes"], ["profile"], { keepdims: 0 })
      .output("profile", "float", ["batch", 2]);
    const rows = Float32Array.from({ length: 18 }, (_, i) => i);
    const bound = await fixture("input image [batch, y, x]\noutput profile [batch, y]\nsymmetry f = flip(x)\ninvariant profile under f\ncheck { samples 3  input image from \"rows.npy\" }\n", model, { "rows.npy": npyFile("<f4", [3, 2, 3], rows) });
    const runner = new InProcessRunner();
    const [result] = await check(bound, {}, runner);
    assert.equal(result.status, "passed", summary(result));
    const fed = Array.from(runner.requests[0].feeds.image.data as Float32Array);
    // Stacked: x_0, g.x_0, x_1, ...: row 0, then row 0 flipped along x.
    assert.deepEqual(fed.slice(0, 12), [0, 1, 2, 3, 4, 5, 2, 1, 0, 5, 4, 3]);
  });
});

describe("runs", () => {
  const negation = (batch: string | number) =>
    new GraphBuilder("neg").input("x", "float", [batch, 4]).node("Neg", ["x"], ["y"]).output("y", "float", [batch, 4]);
  const spec = "input x [batch, i]\noutput y [batch, i]\nsymmetry p = permute(i)\nsymmetry n = negate(x, y)\nequivariant y under p, n\ncheck { samples 5 }\n";

  test("a dynamic batch axis: x and its images stacked, 8 samples a run (and the first and last rows once alone, the first time)", async () => {
    const runner = new InProcessRunner();
    const results = await check(await fixture(spec.replace("samples 5", "samples 10"), negation("batch")), {}, runner);
    assert.deepEqual(results.map((result) => result.status), ["passed", "passed"]);
    // 10 samples: runs of 8 and 2 samples (x and g.x each), the first stacked run's first and last
    // rows also run alone; the second pair runs g.x only (the samples' x are the first pair's).
    assert.deepEqual(runner.requests.map((request) => request.feeds.x.dims), [[16, 4], [1, 4], [1, 4], [4, 4], [8, 4], [2, 4]]);
  });

  test("a model with small inputs and a large value inside stacks fewer rows: at most 256 MB of that value a run", async () => {
    // y_i = sum_j x_i x_j over 4096 points: 16 KB of input a row, a 4096 x 4096 matrix (64 MB) inside.
    const model = new GraphBuilder("gram")
      .input("x", "float", ["batch", 4096, 1])
      .node("Transpose", ["x"], ["xt"], { perm: [0, 2, 1] })
      .node("MatMul", ["x", "xt"], ["gram"])
      .initializer("last", int64Tensor([1], [2]))
      .node("ReduceSum", ["gram", "last"], ["y"], { keepdims: 0 })
      .output("y", "float", ["batch", 4096]);
    const gram = "input x [batch, point, c]\noutput y [batch, point]\nsymmetry flip = negate(x)\ninvariant y under flip\ncheck { samples 4 }\n";
    const runner = new InProcessRunner();
    const [result] = await check(await fixture(gram, model), {}, runner);
    assert.equal(result.status, "passed", summary(result));
    // 4 rows (2 samples) a run instead of all 8 at once; the first run's first and last rows also alone.
    assert.deepEqual(runner.requests.map((request) => request.feeds.x.dims[0]), [4, 1, 1, 4]);
  });

  test("a static batch axis: one run per row (x once for both pairs)", async () => {
    const runner = new InProcessRunner();
    const results = await check(await fixture(spec, negation(1)), {}, runner);
    assert.deepEqual(results.map((result) => result.status), ["passed", "passed"]);
    assert.equal(runner.requests.length, 15);
    assert.ok(runner.requests.every((request) => request.feeds.x.dims[0] === 1));
  });

  for (const reverse of [0, 1]) {
    test(`a model that mixes the rows of its leading axis (a cumulative sum${reverse ? " from the end" : ""}) is run row by row once that shows`, async () => {
      const model = new GraphBuilder("cumsum")
        .input("x", "float", ["batch", 4])
        .initializer("axis", int64Tensor([], [0]))
        .node("CumSum", ["x", "axis"], ["y"], { reverse })
        .output("y", "float", ["batch", 4]);
      const runner = new InProcessRunner();
      const results = await check(await fixture(spec, model), {}, runner);
      // Alone, each row is its own cumulative sum: y = x, equivariant under both.
      assert.deepEqual(results.map((result) => result.status), ["passed", "passed"], results.map(summary).join("\n"));
      assert.deepEqual(runner.requests.map((request) => request.feeds.x.dims[0]), [10, 1, 1, ...Array(15).fill(1)]);
    });
  }

  test("a model that fixes its batch at 1 inside (a Reshape to [1, 4]) is run row by row once a stacked run fails", async () => {
    const model = new GraphBuilder("fixed_batch")
      .input("x", "float", ["batch", 4])
      .initializer("one_row", int64Tensor([2], [1, 4]))
      .node("Reshape", ["x", "one_row"], ["flat"])
      .node("Neg", ["flat"], ["y"])
      .output("y", "float", ["batch", 4]);
    const runner = new InProcessRunner();
    const results = await check(await fixture(spec, model), {}, runner);
    assert.deepEqual(results.map((result) => result.status), ["passed", "passed"], results.map(summary).join("\n"));
    // The first stacked run failed; then every row alone.
    assert.deepEqual(runner.requests.map((request) => request.feeds.x.dims[0]), [10, ...Array(15).fill(1)]);
  });

  test("wall time per pair", async () => {
    const results = await check(await fixture(spec, negation("batch")));
    assert.ok(results.every((result) => result.ms > 0 && result.ms < 10_000));
  });
});

describe("errors, cancellation, selection, seeds", () => {
  const model = () => new GraphBuilder("neg").input("x", "float", ["batch", 4]).node("Neg", ["x"], ["y"]).output("y", "float", ["batch", 4]);
  const spec = "input x [batch, i]\noutput y [batch, i]\nsymmetry p = permute(i)\nsymmetry n = negate(x, y)\nequivariant y under p, n\ninvariant y under p\n";

  test("a runner error is the pair's error, with the runner's message; the next pair still runs", async () => {
    // Stacked runs that fail are retried row by row: the runtime fails until a row alone has failed too.
    let rowFailed = false;
    const runner = new InProcessRunner((request) => {
      if (rowFailed) return undefined;
      rowFailed = request.feeds.x.dims[0] === 1;
      return "the runtime fell over";
    });
    const results = await check(await fixture(spec, model()), {}, runner);
    assert.deepEqual(results.map((result) => [result.status, result.message]), [["error", "the runtime fell over"], ["passed", undefined], ["failed", undefined]]);
  });

  test("what keeps every pair from running (a dynamic axis without a size) is every pair's error", async () => {
    const unsized = new GraphBuilder("unsized").input("x", "float", ["batch", "n"]).node("Neg", ["x"], ["y"]).output("y", "float", ["batch", "n"]);
    const results = await check(await fixture(spec, unsized));
    assert.equal(results.length, 3);
    for (const result of results) {
      assert.equal(result.status, "error");
      assert.match(result.message!, /axis 1 of x \(i\) is dynamic in the model \(n\) and has no size: add `size i = N` to the check block/);
    }
  });

  test("without its model a spec binds no claims, so nothing runs; a bound spec stripped of its model is every pair's error", async () => {
    const folder = temporaryFolder();
    const analysis = await analyzeSpec(`${folder}/net.sym`, spec, new ModelCache());
    assert.deepEqual(await check({ analysis, folder }), []);
    const bound = await fixture(spec, model());
    const results = await check({ ...bound, analysis: { ...bound.analysis, bound: { ...bound.analysis.bound, model: undefined } } });
    assert.deepEqual(results.map((result) => result.status), ["error", "error", "error"]);
    assert.match(results[0].message!, /the model .*net\.onnx did not load/);
  });

  test("cancelling stops between pairs: the rest come back cancelled, and each pair is reported as it finishes", async () => {
    const controller = new AbortController();
    const reported: NumericCheck[] = [];
    const results = await check(await fixture(spec, model()), {
      signal: controller.signal,
      onResult: (result) => {
        reported.push(result);
        controller.abort();
      },
    });
    assert.deepEqual(results.map((result) => result.status), ["passed", "cancelled", "cancelled"]);
    assert.deepEqual(reported, results);
  });

  test("a run cancelled while it runs cancels its pair", async () => {
    const controller = new AbortController();
    const runner = new InProcessRunner(() => {
      controller.abort();
      return undefined;
    });
    const results = await check(await fixture(spec, model()), { signal: controller.signal }, runner);
    assert.deepEqual(results.map((result) => [result.status, result.message]), [["cancelled", "cancelled"], ["cancelled", "cancelled before it ran"], ["cancelled", "cancelled before it ran"]]);
  });

  test("selected pairs only, each with what the whole check gives it", async () => {
    const bound = await fixture(spec, model());
    const all = await check(bound);
    const selected = await check(bound, { select: (claimIndex, symmetry) => claimIndex === 1 || symmetry === "n" });
    assert.deepEqual(selected.map(withoutTime), [all[1], all[2]].map(withoutTime));
  });

  test("f(x) run for one pair and kept for the next gives each pair the figures it gets alone", async () => {
    // y = tanh(x) W with a dense W: permuting x does not permute y, and every figure is a float computation.
    const dense = new GraphBuilder("dense")
      .input("x", "float", ["batch", 4])
      .initializer("w", floatTensor([4, 4], randomFloats(16, seededRandom(3))))
      .node("Tanh", ["x"], ["h"])
      .node("MatMul", ["h", "w"], ["y"])
      .output("y", "float", ["batch", 4]);
    const bound = await fixture(spec, dense);
    const runner = new InProcessRunner();
    const all = await check(bound, {}, runner);
    assert.ok(all.filter((result) => result.symmetry === "p").every((result) => result.maxRelError > 0.01));
    // 8 samples: the first pair runs x and g.x, the others g.x only.
    assert.deepEqual(runner.requests.map((request) => request.feeds.x.dims[0]), [16, 1, 1, 8, 8]);
    const alone = await Promise.all([0, 1, 2].map((pair) => check(bound, { select: (claimIndex, symmetry) => [claimIndex, symmetry].join() === ["0,p", "0,n", "1,p"][pair] })));
    assert.deepEqual(alone.flat().map(withoutTime), all.map(withoutTime));
  });

  test("the same seed gives the same results; another seed other elements", async () => {
    const bound = await fixture(spec, model());
    assert.deepEqual((await check(bound)).map(withoutTime), (await check(bound)).map(withoutTime));
    const reseeded = await fixture(`${spec}check { seed 7 }\n`, model());
    assert.notDeepEqual((await check(reseeded)).map((result) => result.worst), (await check(bound)).map((result) => result.worst));
  });
});
