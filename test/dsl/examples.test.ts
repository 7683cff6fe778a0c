import assert from "node:assert/strict";
import test from "node:test";
import type { Claim, InputSetting, Statement, SymmetryDeclaration, TensorDeclaration } from "../../server/src/dsl/ast";
import { parseClean, texts } from "./helpers";
import { SPEC_EXAMPLES } from "../support/specExamples";

function ofKind<K extends Statement["kind"]>(statements: Statement[], kind: K): Extract<Statement, { kind: K }>[] {
  return statements.filter((statement): statement is Extract<Statement, { kind: K }> => statement.kind === kind);
}

/** `input image [batch, channel]` as one line per tensor, sizes and kinds included: compact to compare. */
function tensorLines(statements: Statement[]): string[] {
  return ofKind(statements, "tensor").map((tensor: TensorDeclaration) => {
    const axes = tensor.axes.map(
      (axis) => `${axis.name.text}${axis.size ? ` = ${axis.size.value}` : ""}${axis.axisKind ? `: ${axis.axisKind.text}` : ""}`,
    );
    return `${tensor.direction} ${tensor.name?.quoted ? `"${tensor.name.text}"` : tensor.name?.text} [${axes.join(", ")}]`;
  });
}

function symmetryLines(statements: Statement[]): string[] {
  return ofKind(statements, "symmetry").map(
    (symmetry: SymmetryDeclaration) =>
      `${symmetry.name?.text} = ${symmetry.constructorName?.text}(${symmetry.args
        .map((arg) => (arg.option ? `${arg.option.text}=` : "") + (arg.value && "text" in arg.value ? arg.value.text : ""))
        .join(", ")})`,
  );
}

function claimLines(statements: Statement[]): string[] {
  return ofKind(statements, "claim").map(
    (claim: Claim) =>
      `${claim.claimKind} ${texts(claim.outputs).join(", ")} under ${texts(claim.symmetries).join(", ")}` +
      (claim.tolerance ? ` within ${claim.tolerance.value}` : ""),
  );
}

test("every example of the spec parses with no diagnostic", () => {
  for (const [name, text] of Object.entries(SPEC_EXAMPLES)) {
    const spec = parseClean(text);
    assert.ok(spec.statements.length > 0, name);
  }
});

test("tiny_cnn.sym: model, tensors, two symmetries, claims with and without a tolerance, a check block", () => {
  const spec = parseClean(SPEC_EXAMPLES.tinyCnn);
  assert.deepEqual(
    spec.statements.map((statement) => statement.kind),
    ["model", "tensor", "tensor", "symmetry", "symmetry", "claim", "claim", "check"],
  );
  assert.equal(ofKind(spec.statements, "model")[0].path?.value, "tiny_cnn.onnx");
  assert.deepEqual(tensorLines(spec.statements), ["input image [batch, channel, y, x]", "output logits [batch, class]"]);
  assert.deepEqual(symmetryLines(spec.statements), ["shift = translate(y, x)", "turn = rotate90(y, x)"]);
  assert.deepEqual(claimLines(spec.statements), ["invariant logits under shift", "invariant logits under turn within 0.001"]);
  const [check] = ofKind(spec.statements, "check");
  assert.equal(check.settings.length, 2);
  const [samples, size] = check.settings;
  assert.ok(samples.kind === "number" && size.kind === "size");
  assert.equal(samples.name.text, "samples");
  assert.equal(samples.value?.value, 16);
  assert.deepEqual(
    size.sizes.map((assignment) => [assignment.axis.text, assignment.value?.value]),
    [["batch", 2]],
  );
  assert.equal(spec.comments.length, 1);
});

test("deepsets.sym: a permutation, an invariant and an equivariant claim", () => {
  const spec = parseClean(SPEC_EXAMPLES.deepsets);
  assert.equal(ofKind(spec.statements, "model")[0].path?.value, "deepsets.onnx");
  assert.deepEqual(tensorLines(spec.statements), [
    "input points [batch, element, feature]",
    "output pooled [batch, out]",
    "output scores [batch, element]",
  ]);
  assert.deepEqual(symmetryLines(spec.statements), ["perm = permute(element)"]);
  assert.deepEqual(claimLines(spec.statements), ["invariant pooled under perm", "equivariant scores under perm"]);
});

test("molecule.sym: axis kinds, a symmetry list and a tolerance", () => {
  const spec = parseClean(SPEC_EXAMPLES.molecule);
  assert.deepEqual(tensorLines(spec.statements), [
    "input pos [batch, atom, xyz: point]",
    "input charge [batch, atom]",
    "output energy [batch]",
    "output force [batch, atom, xyz: vector]",
  ]);
  assert.deepEqual(symmetryLines(spec.statements), ["rigid = E(xyz)", "relabel = permute(atom)"]);
  assert.deepEqual(claimLines(spec.statements), [
    "invariant energy under rigid, relabel",
    "equivariant force under rigid, relabel within 0.001",
  ]);
});

test("p4conv.sym: an axis whose kind names a finite symmetry", () => {
  const spec = parseClean(SPEC_EXAMPLES.p4conv);
  assert.deepEqual(tensorLines(spec.statements), [
    "input image [batch, channel, y, x]",
    "output feat [batch, orient: turn, channel, y, x]",
  ]);
  assert.deepEqual(symmetryLines(spec.statements), ["turn = rotate90(y, x)"]);
  assert.deepEqual(claimLines(spec.statements), ["equivariant feat under turn"]);
});

test("vad.sym: a value group on a tensor", () => {
  const spec = parseClean(SPEC_EXAMPLES.vad);
  assert.deepEqual(symmetryLines(spec.statements), ["polarity = negate(audio)"]);
  assert.deepEqual(claimLines(spec.statements), ["invariant speech under polarity within 0.001"]);
});

test("the tensor section: quoted names, axis kinds, a repeated axis", () => {
  const spec = parseClean(SPEC_EXAMPLES.tensorSection);
  assert.deepEqual(tensorLines(spec.statements), [
    "input image [batch, channel, y, x]",
    "output logits [batch, class]",
    'input "input.1" [batch, token, feature]',
    "input pos [batch, atom, xyz: point]",
    "output force [batch, atom, xyz: vector]",
    "input adj [batch, node, node]",
  ]);
  assert.equal(spec.comments.length, 1);
});

test("an axis with a size: `[batch = 2, token, feature]`", () => {
  const spec = parseClean(SPEC_EXAMPLES.sizedAxis);
  assert.deepEqual(tensorLines(spec.statements), ["input tokens [batch = 2, token, feature]"]);
});

test("the check section: every kind of setting, in order", () => {
  const spec = parseClean(SPEC_EXAMPLES.checkSection);
  const [check] = ofKind(spec.statements, "check");
  const [samples, seed, tolerance, size, tokens, sr, image] = check.settings;
  assert.equal(check.settings.length, 7);
  assert.ok(samples.kind === "number" && seed.kind === "number" && tolerance.kind === "number");
  assert.deepEqual(
    [samples, seed, tolerance].map((setting) => [setting.name.text, setting.value?.value]),
    [
      ["samples", 8],
      ["seed", 0],
      ["tolerance", 1e-4],
    ],
  );
  assert.equal(tolerance.value?.text, "1e-4");
  assert.ok(size.kind === "size");
  assert.deepEqual(
    size.sizes.map((assignment) => [assignment.axis.text, assignment.value?.value]),
    [
      ["batch", 2],
      ["y", 32],
      ["x", 32],
    ],
  );
  const inputs = [tokens, sr, image] as InputSetting[];
  assert.deepEqual(
    inputs.map((setting) => [setting.kind, setting.name.text, setting.tensor?.text, setting.source?.kind]),
    [
      ["input", "input", "tokens", "distribution"],
      ["input", "input", "sr", "fixed"],
      ["input", "input", "image", "file"],
    ],
  );
  const [distribution, fixed, file] = inputs.map((setting) => setting.source);
  assert.ok(distribution?.kind === "distribution" && fixed?.kind === "fixed" && file?.kind === "file");
  assert.equal(distribution.distribution.text, "integers");
  assert.deepEqual(
    distribution.args.map((arg) => arg.value),
    [0, 1000],
  );
  assert.equal(fixed.value.value, 16000);
  assert.equal(file.path.value, "digits.npy");
  assert.equal(spec.comments.length, 7);
});
