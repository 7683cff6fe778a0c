/**
 * Nothing a user writes may throw out of the binder: every prefix of a rich spec (the partial
 * trees the parser recovers while someone types) binds, with and without its model.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { bindSpec } from "../../server/src/binding/bind";
import { parseSpec } from "../../server/src/dsl/parse";
import { readOnnxModel } from "../../server/src/onnx/reader";
import { modelBytes } from "./fixtures";

const SPEC = `# everything at once
model "net.onnx"
input  image [batch = 2, channel, y, x]
input  "pos.1" [batch, atom, xyz: point]
output feat  [batch, orient: turn, channel, y, x]
output force [batch, atom, xyz: vector]
symmetry shift = translate(y, x, step=2, margin=1)
symmetry turn = rotate90(y, x)
symmetry rigid = E(xyz)
symmetry polarity = negate(image, "pos.1")
invariant feat under shift within 1e-3
equivariant feat under turn
equivariant force under rigid
invariant force under turn
check { samples 4 seed 1 tolerance 1e-4 size batch = 2, atom = 5
  input image ~ uniform(-1, 1) input "pos.1" from "x.npy" }
`;

const model = readOnnxModel(
  modelBytes(
    [
      ["image", ["N", 3, 8, 8]],
      ["pos.1", ["N", "A", 3]],
    ],
    [
      ["feat", ["N", 4, 6, 8, 8]],
      ["force", ["N", "A", 3]],
    ],
  ),
);
const reference = { path: path.resolve("net.onnx"), source: "statement" as const };
const loaded = { reference, load: { ok: true as const, path: reference.path, model, mtimeMs: 0 } };
const missing = { reference, load: { ok: false as const, path: reference.path, problem: "missing" as const, message: "gone" } };

test("every prefix of a spec binds without throwing, with its model, without one, and with a missing one", () => {
  for (let end = 0; end <= SPEC.length; end++) {
    const { spec } = parseSpec(SPEC.slice(0, end));
    for (const modelArgument of [loaded, missing, undefined]) {
      assert.doesNotThrow(() => bindSpec(spec, modelArgument, { modelCandidates: ["a.onnx"] }), `prefix of ${end} characters`);
    }
  }
});

test("the whole spec binds cleanly", () => {
  const { spec, diagnostics } = parseSpec(SPEC);
  assert.deepEqual(diagnostics, []);
  const result = bindSpec(spec, loaded);
  assert.deepEqual(
    result.diagnostics.map((d) => d.message),
    [],
  );
  assert.equal(result.bound.claims.length, 4);
});

test("every diagnostic code the parser and the binder report is documented", () => {
  const docs = readFileSync(path.join(import.meta.dirname, "../../docs/diagnostics.md"), "utf8");
  const root = path.join(import.meta.dirname, "../..");
  const bindingSources = readdirSync(path.join(root, "server/src/binding"), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => `server/src/binding/${file}`);
  const sources = ["server/src/dsl/parse.ts", ...bindingSources].map((file) => readFileSync(path.join(root, file), "utf8"));
  const codes = new Set(sources.flatMap((source) => [...source.matchAll(/"((?:bind|syntax)\.[a-z-]+)"/g)].map((match) => match[1])));
  assert.ok(codes.size > 40, "the codes are found in the sources");
  const undocumented = [...codes].filter((code) => !docs.includes(`\`${code}\``));
  assert.deepEqual(undocumented, []);
});
