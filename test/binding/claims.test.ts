/** `invariant` and `equivariant` claims: their outputs, symmetries and tolerances. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyFix, assertClean, bindWithModel, codes, modelBytes, only, rebindWithFix, textAt } from "./fixtures";

const deepsets = modelBytes([["points", [2, 5, 3]]], [["pooled", [2, 4]], ["scores", [2, 5]]]);
const files = { "net.onnx": deepsets };
const DECLARATIONS = `input  points [batch, element, feature]
output pooled [batch, out]
output scores [batch, element]
symmetry perm = permute(element)
`;

function bindClaims(claims: string) {
  return bindWithModel(`${DECLARATIONS}${claims}\n`, deepsets);
}

test("a claim on a model output that is not declared: a fix declares it before the claims", async () => {
  const text = `input  points [batch, element, feature]
output pooled [batch, out]
symmetry perm = permute(element)

invariant pooled under perm
invariant scores under perm
`;
  const bound = await bindWithModel(text, deepsets);
  const undeclared = only(bound, "bind.claim-undeclared-output");
  assert.equal(undeclared.message, "scores is an output of the model but is not declared; declare its axes with `output scores [AXES]`");
  assert.equal(textAt(text, undeclared.range), "scores");
  assert.equal(undeclared.fixes?.[0].title, "Declare output scores [_, _]");
  assert.equal(applyFix(text, undeclared.fixes?.[0]), text.replace("\ninvariant pooled", "\noutput scores [_, _]\ninvariant pooled"));
  assertClean(await rebindWithFix(bound, undeclared, files));
  assert.deepEqual(
    bound.bound.claims.map((claim) => claim.outputs),
    [["pooled"]],
    "the claim on the undeclared output is left out",
  );
});

test("an output neither declared nor in the model: the nearest declared output suggested", async () => {
  const bound = await bindClaims("invariant poled under perm");
  const unknown = only(bound, "bind.claim-unknown-output");
  assert.equal(unknown.message, "unknown output `poled`; declared outputs are `pooled` and `scores`; did you mean `pooled`?");
  assertClean(await rebindWithFix(bound, unknown, files));
});

test("a claim about an input", async () => {
  const bound = await bindClaims("invariant points under perm");
  const input = only(bound, "bind.claim-on-input");
  assert.equal(input.message, "points is an input; claims are about outputs (declared outputs are `pooled` and `scores`)");
  assert.equal(bound.bound.claims.length, 0);
});

test("an unknown symmetry: suggested among the declared ones", async () => {
  const bound = await bindClaims("invariant pooled under prem");
  const unknown = only(bound, "bind.unknown-symmetry");
  assert.equal(unknown.message, "unknown symmetry `prem`; declared symmetries are perm; did you mean `perm`?");
  assert.equal(textAt(bound.text, unknown.range), "prem");
  assertClean(await rebindWithFix(bound, unknown, files));
});

test("a constructor where a symmetry's name belongs", async () => {
  const bound = await bindClaims("invariant pooled under permute");
  assert.equal(
    only(bound, "bind.unknown-symmetry").message,
    "permute is a kind of group, not a declared symmetry; declare one (`symmetry NAME = permute(element)`) and name it here",
  );
});

test("an equivariant claim on an output the group does not act on is a hint, fixed to invariant", async () => {
  const bound = await bindClaims("equivariant pooled under perm");
  const hint = only(bound, "bind.equivariant-not-acted");
  assert.equal(hint.severity, "hint");
  assert.equal(hint.message, "pooled is not acted on by perm, so this is an invariance claim");
  assert.equal(textAt(bound.text, hint.range), "pooled");
  assert.equal(textAt(bound.text, hint.fixes?.[0].edits[0].range ?? hint.range), "equivariant");
  assertClean(await rebindWithFix(bound, hint, files));
  assert.deepEqual(
    bound.bound.claims.map((claim) => [claim.kind, claim.outputs]),
    [["equivariant", ["pooled"]]],
    "the claim is kept as written",
  );
});

test("no keyword fix when the group acts on another output of the claim", async () => {
  const bound = await bindClaims("equivariant pooled, scores under perm");
  const hint = only(bound, "bind.equivariant-not-acted");
  assert.equal(textAt(bound.text, hint.range), "pooled");
  assert.equal(hint.fixes, undefined);
});

test("an equivariant claim on an output with the group's axis gets no hint", async () => {
  assertClean(await bindClaims("equivariant scores under perm"));
});

test("within must be greater than 0, and a tolerance above 1 checks nothing", async () => {
  const zero = await bindClaims("invariant pooled under perm within 0");
  const bad = only(zero, "bind.bad-tolerance");
  assert.equal(bad.message, "a tolerance is a relative error greater than 0, not 0");
  assert.equal(textAt(zero.text, bad.range), "0");
  assert.equal(zero.bound.claims.length, 0);

  const loose = await bindClaims("invariant pooled under perm within 2");
  const warning = only(loose, "bind.loose-tolerance");
  assert.equal(warning.severity, "warning");
  assert.match(warning.message, /^a relative tolerance of 2 accepts errors larger than the outputs themselves, so it checks nothing/);
  assert.equal(loose.bound.claims[0].tolerance, 2);
});

test("a claim's tolerance: its own, else the check block's, else none (the dtype's default)", async () => {
  const { bound } = await bindClaims("invariant pooled under perm\ninvariant pooled under perm within 1e-3\ncheck { tolerance 1e-5 }");
  assert.deepEqual(
    bound.claims.map((claim) => claim.tolerance),
    [1e-5, 1e-3],
  );
  const { bound: withoutBlock } = await bindClaims("invariant pooled under perm");
  assert.equal(withoutBlock.claims[0].tolerance, undefined);
});

test("a claim is left out when one of its symmetries did not bind", async () => {
  const bound = await bindClaims("symmetry broken = translate(nowhere)\ninvariant pooled under perm, broken");
  assert.deepEqual(codes(bound), ["bind.unknown-axis"]);
  assert.deepEqual(bound.bound.claims, []);
});

test("equivariance under quarter turns of an output with one axis of the plane: an error, fixed by claiming invariance", async () => {
  const image = modelBytes([["image", [2, 1, 8, 8]]], [["rows", [2, 8]]]);
  const text = `input  image [batch, channel, y, x]
output rows  [batch, y]
symmetry turn = rotate90(y, x)
equivariant rows under turn
`;
  const bound = await bindWithModel(text, image);
  const half = only(bound, "bind.half-plane");
  assert.equal(half.message, "turn turns the (y, x) plane, but rows has y and no x, so turn has no action on it; claim `invariant`, or declare both axes on rows");
  assert.equal(textAt(text, half.range), "rows");
  assertClean(await rebindWithFix(bound, half, { "net.onnx": image }));
});

test("a quarter-turn group and an input with one axis of its plane: an error on the symmetry", async () => {
  const profiles = modelBytes([["profile", [2, 8]]], [["total", [2]], ["grid", [2, 8, 8]]]);
  const text = `input  profile [batch, y]
output total   [batch]
output grid    [batch, y, x]
symmetry turn = dihedral(y, x)
invariant total under turn
`;
  const bound = await bindWithModel(text, profiles);
  const half = only(bound, "bind.half-plane");
  assert.equal(half.message, "turn turns the (y, x) plane, but the input profile has y and no x, so turn has no action on it; declare both axes on profile");
  assert.equal(textAt(text, half.range), "turn");
});
