/**
 * The inputs of a numeric check: their shapes for one sample (declared sizes, the batch axis,
 * undeclared inputs), how they are drawn (each distribution, fixed values, rows of .npy files),
 * in the model's element types, and the same for the same seed.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { elementCount, type Dense } from "../../server/src/symmetry/numeric/dense";
import { castValue, fromRuntimeTensor, stackedRuntimeTensor } from "../../server/src/symmetry/numeric/elementTypes";
import { drawInputs, planInputs, type InputPlan } from "../../server/src/symmetry/numeric/inputs";
import { floatTensor, GraphBuilder } from "../support/onnxBuilder";
import { fixture, npyFile } from "./fixtures";

/** A model that passes each input through to an output of the same name with `_out`. */
function passThrough(inputs: [name: string, type: string, dims: (number | string)[]][], build?: (g: GraphBuilder) => void): GraphBuilder {
  const g = new GraphBuilder("inputs");
  for (const [name, type, dims] of inputs) {
    g.input(name, type, dims);
    g.node("Identity", [name], [`${name}_out`]);
    g.output(`${name}_out`, type, dims);
  }
  build?.(g);
  return g;
}

async function planOf(spec: string, model: GraphBuilder, files: Record<string, Uint8Array> = {}): Promise<InputPlan> {
  const { analysis, folder } = await fixture(spec, model, files);
  return planInputs(analysis.bound, folder);
}

const shapes = (plan: InputPlan) => Object.fromEntries(plan.inputs.map((input) => [input.name, input.shape]));
const values = (x: Dense) => Array.from(x.data);

describe("shapes", () => {
  test("declared sizes; one row on the batch axis; undeclared inputs by their static dims and the sizes of declared axes that share their symbols", async () => {
    const model = passThrough([
      ["x", "float", ["batch", "n", 4]],
      ["mask", "float", ["batch", "n"]],
    ]);
    model.initializer("w", floatTensor([2], [1, 2]));
    model.node("Identity", ["w"], ["w_out"]).output("w_out", "float", [2]);
    const spec = "input x [batch, node, feature]\noutput x_out [batch, node, feature]\nsymmetry p = permute(node)\nequivariant x_out under p\ncheck { size node = 5 }\n";
    const { analysis, folder } = await fixture(spec, model.toModelBytes({ initializersAsInputs: true }));
    const plan = await planInputs(analysis.bound, folder);
    assert.deepEqual(shapes(plan), { x: [1, 5, 4], mask: [1, 5] }, "w has an initializer: not fed");
    assert.deepEqual(plan.inputs.map((input) => [input.name, input.batched, input.tensor?.name]), [["x", true, "x"], ["mask", true, undefined]]);
    assert.equal(plan.batchable, true);
    assert.deepEqual(shapes(await planOf(spec.replace("size node = 5", "size node = 5, batch = 3"), model)).x, [3, 5, 4], "`size batch` sets the rows of a sample");
  });

  test("a leading axis that a symmetry moves is no batch axis: it needs a size", async () => {
    const model = passThrough([["x", "float", ["n", 3]]]);
    const spec = "input x [node, feature]\noutput x_out [node, feature]\nsymmetry p = permute(node)\nequivariant x_out under p\n";
    await assert.rejects(planOf(spec, model), /axis 0 of x \(node\) is dynamic in the model \(n\) and has no size: add `size node = N` to the check block/);
    const plan = await planOf(`${spec}check { size node = 4 }\n`, model);
    assert.deepEqual([shapes(plan).x, plan.batchable], [[4, 3], false]);
  });

  test("an unsized `_` axis and an undeclared input with an unknown dynamic dim: errors that say what to write", async () => {
    await assert.rejects(
      planOf("input x [batch, _]\noutput x_out [batch, _]\nsymmetry n = negate(x, x_out)\nequivariant x_out under n\n", passThrough([["x", "float", ["batch", "len"]]])),
      /axis 1 of x \(_\) is dynamic in the model \(len\) and has no size: write `_ = N` there/,
    );
    await assert.rejects(
      planOf("input x [batch, f]\noutput x_out [batch, f]\nsymmetry n = negate(x, x_out)\nequivariant x_out under n\n", passThrough([["x", "float", ["batch", 2]], ["extra", "float", ["batch", "k"]]])),
      /the model's input extra, which the spec does not declare, has a dynamic axis 1 \(k\): declare it \(`input extra \[\.\.\.\]`\) with sizes for its dynamic axes/,
    );
  });
});

describe("distributions", () => {
  const model = passThrough([
    ["a", "float", [1, 2000]],
    ["b", "float", [1, 2000]],
    ["tokens", "int64", [1, 2000]],
    ["sr", "float", []],
  ]);
  const spec = `input a [batch, t]
output a_out [batch, t]
symmetry n = negate(a, a_out)
equivariant a_out under n
check {
  input a ~ normal(5, 0.5)
  input b ~ uniform(2, 3)
  input tokens ~ integers(0, 4)
  input sr = 16000
}
`;

  test("normal(mean, std), uniform(lo, hi), integers(lo, hi) with hi excluded, a fixed value broadcast", async () => {
    const x = drawInputs(await planOf(spec, model), 0, 0);
    const a = values(x.get("a")!);
    const mean = a.reduce((sum, value) => sum + value, 0) / a.length;
    const std = Math.sqrt(a.reduce((sum, value) => sum + (value - mean) ** 2, 0) / a.length);
    assert.ok(Math.abs(mean - 5) < 0.05 && Math.abs(std - 0.5) < 0.05, `mean ${mean}, std ${std}`);
    const b = values(x.get("b")!);
    assert.ok(b.every((value) => value >= 2 && value < 3) && Math.max(...b) - Math.min(...b) > 0.9);
    assert.deepEqual([...new Set(values(x.get("tokens")!))].sort(), [0, 1, 2, 3]);
    assert.deepEqual({ shape: x.get("sr")!.shape, values: values(x.get("sr")!) }, { shape: [], values: [16000] });
  });

  test("an input not in the check block is normal(0, 1)", async () => {
    const b = values(drawInputs(await planOf(spec.replace("input b ~ uniform(2, 3)", ""), model), 0, 0).get("b")!);
    const mean = b.reduce((sum, value) => sum + value, 0) / b.length;
    assert.ok(Math.abs(mean) < 0.1 && b.some((value) => value < -1) && b.some((value) => value > 1), `mean ${mean}`);
  });

  test("the same seed and sample give the same values; each input, sample and seed its own", async () => {
    const plan = await planOf(spec, model);
    assert.deepEqual(drawInputs(plan, 0, 1), drawInputs(plan, 0, 1));
    assert.notDeepEqual(values(drawInputs(plan, 0, 1).get("a")!), values(drawInputs(plan, 0, 2).get("a")!));
    assert.notDeepEqual(values(drawInputs(plan, 0, 1).get("a")!), values(drawInputs(plan, 1, 1).get("a")!));
    // Another input in the model leaves a's values alone.
    const wider = passThrough([["a", "float", [1, 2000]], ["c", "float", [3]]]);
    const alone = await planOf(spec.replace(/input (b|tokens|sr) .*\n/g, ""), wider);
    assert.deepEqual(drawInputs(alone, 0, 1).get("a"), drawInputs(plan, 0, 1).get("a"));
  });
});

describe("element types", () => {
  test("float16 values are ones float16 holds, fed as their bits and read back", async () => {
    const plan = await planOf("input h [batch, t]\noutput h_out [batch, t]\nsymmetry n = negate(h, h_out)\nequivariant h_out under n\n", passThrough([["h", "float16", [1, 50]]]));
    const h = drawInputs(plan, 0, 0).get("h")!;
    assert.ok(values(h).every((value) => castValue(value, "float16") === value));
    assert.ok(values(h).some((value) => Math.fround(value) !== Math.round(value)), "not whole numbers");
    const fed = stackedRuntimeTensor([h], "float16");
    assert.equal(fed.type, "float16");
    assert.ok(fed.data instanceof Uint16Array);
    assert.deepEqual(fromRuntimeTensor(fed), h);
  });

  test("int64 values are whole numbers, fed as BigInt64Array; float inputs are rounded to float32", async () => {
    const plan = await planOf(
      "input ids [batch, t]\noutput ids_out [batch, t]\nsymmetry p = permute(t)\nequivariant ids_out under p\ncheck { input ids ~ integers(-5, 5) }\n",
      passThrough([["ids", "int64", [1, 30]], ["f", "float", [1, 30]]]),
    );
    const x = drawInputs(plan, 0, 0);
    const fed = stackedRuntimeTensor([x.get("ids")!], "int64");
    assert.ok(fed.data instanceof BigInt64Array);
    assert.deepEqual(Array.from(fed.data as BigInt64Array, Number), values(x.get("ids")!));
    assert.ok(values(x.get("f")!).every((value) => Math.fround(value) === value));
  });

  test("transformed values are cast when fed: integers rounded and clamped, bool 0 or 1", () => {
    const fed = (values: number[], type: string) => Array.from(stackedRuntimeTensor([{ shape: [values.length], data: Float64Array.from(values) }], type).data as ArrayLike<number | bigint>, Number);
    assert.deepEqual(fed([1.4, -2.6, 300, -300], "int8"), [1, -3, 127, -128]);
    assert.deepEqual(fed([0.2, 0.7, -1, 3], "bool"), [0, 1, 0, 1]);
    assert.deepEqual(fed([2.5, -7.5], "int64"), [3, -7]);
  });

  test("a type onnxruntime cannot feed is an error naming the input", async () => {
    await assert.rejects(
      planOf("input s [batch, t]\noutput s_out [batch, t]\nsymmetry p = permute(t)\nequivariant s_out under p\n", passThrough([["s", "bfloat16", [1, 3]]])),
      /s is bfloat16, which onnxruntime's JavaScript API cannot feed/,
    );
  });
});

describe("rows of .npy files", () => {
  const model = passThrough([["image", "float", ["batch", 2, 3]]]);
  const spec = (size = "") => `input image [batch, y, x]\noutput image_out [batch, y, x]\nsymmetry f = flip(x)\nequivariant image_out under f\ncheck { input image from "digits.npy" ${size}}\n`;
  /** Three rows of 2 x 3: row r holds r*10 + 0..5. */
  const digits = npyFile("<f8", [3, 2, 3], Float64Array.from({ length: 18 }, (_, i) => Math.floor(i / 6) * 10 + (i % 6)));
  const row = (r: number) => Array.from({ length: 6 }, (_, i) => r * 10 + i);

  test("one row a sample, cycling through the rows", async () => {
    const plan = await planOf(spec(), model, { "digits.npy": digits });
    assert.deepEqual([0, 1, 2, 3].map((s) => values(drawInputs(plan, 0, s).get("image")!)), [row(0), row(1), row(2), row(0)]);
  });

  test("rows with the whole sample's shape, or as many rows as the batch axis has", async () => {
    const withBatch = npyFile("<f4", [2, 1, 2, 3], Float32Array.from({ length: 12 }, (_, i) => i));
    assert.deepEqual(values(drawInputs(await planOf(spec(), model, { "digits.npy": withBatch }), 0, 1).get("image")!), [6, 7, 8, 9, 10, 11]);
    const plan = await planOf(spec("size batch = 2 "), model, { "digits.npy": digits });
    assert.deepEqual(drawInputs(plan, 0, 1).get("image")!.shape, [2, 2, 3]);
    assert.deepEqual(values(drawInputs(plan, 0, 1).get("image")!), [...row(2), ...row(0)]);
  });

  test("rows of another shape, and a missing file, are errors that say what the input takes", async () => {
    await assert.rejects(
      planOf(spec(), model, { "digits.npy": npyFile("<f8", [2, 6], new Float64Array(12)) }),
      /digits\.npy holds rows of \[6\] \(its shape is \[2, 6\]\), but image takes \[1, 2, 3\] per sample: its rows must be \[1, 2, 3\] or \[2, 3\]/,
    );
    await assert.rejects(planOf(spec(), model), /cannot read .*digits\.npy: no such file/);
  });

  test("values are cast to the input's type", async () => {
    const plan = await planOf(spec(), model, { "digits.npy": npyFile("<f8", [1, 2, 3], Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])) });
    const image = drawInputs(plan, 0, 0).get("image")!;
    assert.deepEqual(values(image), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6].map(Math.fround));
    assert.equal(elementCount(image.shape), 6);
  });
});
