/** Which axes a symmetry acts on, in what role, and the words hover shows for it. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { actedAxes, actsOn, describeAction, type ActedTensor, type ActingSymmetry } from "../../server/src/binding/actions";
import type { AxisKind, Group } from "../../server/src/binding/bound";
import { bindFiles, modelBytes } from "./fixtures";

function tensor(name: string, axes: (string | [string, AxisKind, string?])[]): ActedTensor {
  return {
    name,
    axes: axes.map((axis) => (typeof axis === "string" ? { name: axis, kind: "plain" } : { name: axis[0], kind: axis[1], regularOf: axis[2] })),
  };
}

const symmetry = (name: string, group: Group): ActingSymmetry => ({ name, group });

const image = tensor("image", ["batch", "channel", "y", "x"]);
const shift = symmetry("shift", { kind: "translate", axes: ["y", "x"], step: 1, margin: 0 });

test("translate shifts every named axis of the tensor", () => {
  assert.deepEqual(actedAxes(shift, image), [
    { index: 2, name: "y", kind: "plain", role: "shifted" },
    { index: 3, name: "x", kind: "plain", role: "shifted" },
  ]);
  assert.equal(describeAction(shift, image), "shifts y (axis 2) and x (axis 3) cyclically");
  const strided = symmetry("shift", { kind: "translate", axes: ["y", "x"], step: 4, margin: 0 });
  assert.equal(describeAction(strided, image), "shifts y (axis 2) and x (axis 3) cyclically by multiples of 4");
});

test("an axis group does not act on a tensor without its axes", () => {
  const logits = tensor("logits", ["batch", "class"]);
  assert.deepEqual(actedAxes(shift, logits), []);
  assert.equal(actsOn(shift, logits), false);
  assert.equal(describeAction(shift, logits), "does not act on logits");
});

test("rotation groups act on an axis by its kind", () => {
  const pos = tensor("pos", ["batch", "atom", ["xyz", "point"]]);
  const force = tensor("force", ["batch", "atom", ["xyz", "vector"]]);
  const spin = tensor("spin", ["batch", "atom", ["xyz", "pseudovector"]]);
  const se = symmetry("rigid", { kind: "rotation", constructor: "SE", axis: "xyz", reflections: false, translations: true });
  const e = symmetry("rigid", { kind: "rotation", constructor: "E", axis: "xyz", reflections: true, translations: true });
  const so = symmetry("turn", { kind: "rotation", constructor: "SO", axis: "xyz", reflections: false, translations: false });
  assert.equal(describeAction(se, pos), "rotates xyz (axis 2) as a point: rotation and translation");
  assert.equal(describeAction(e, pos), "rotates xyz (axis 2) as a point: rotation, reflection and translation");
  assert.equal(describeAction(e, force), "rotates xyz (axis 2) as a vector: rotation and reflection");
  assert.equal(describeAction(e, spin), "rotates xyz (axis 2) as a pseudovector: rotation and reflection with a sign flip");
  assert.equal(describeAction(so, force), "rotates xyz (axis 2) as a vector: rotation");
  assert.deepEqual(actedAxes(e, pos), [{ index: 2, name: "xyz", kind: "point", role: "rotated" }]);
});

test("a regular axis is acted on by the symmetry its kind names, besides the group's own axes", () => {
  const feat = tensor("feat", ["batch", ["orient", "regular", "turn"], "channel", "y", "x"]);
  const turn = symmetry("turn", { kind: "rotate90", axes: ["y", "x"] });
  assert.deepEqual(
    actedAxes(turn, feat).map((axis) => [axis.index, axis.role]),
    [
      [1, "regular"],
      [3, "turned-from"],
      [4, "turned-to"],
    ],
  );
  assert.equal(
    describeAction(turn, feat),
    "turns y (axis 3) and x (axis 4) by quarter turns (y towards x); shifts orient (axis 1) cyclically: the regular representation of turn",
  );
  const onlyOrient = tensor("code", ["batch", ["orient", "regular", "turn"]]);
  assert.equal(describeAction(turn, onlyOrient), "shifts orient (axis 1) cyclically: the regular representation of turn");
  const otherTurn = symmetry("spin", { kind: "rotate90", axes: ["y", "x"] });
  assert.equal(actsOn(otherTurn, onlyOrient), false, "a regular axis belongs to the symmetry it names only");
});

test("regular axes of flip and dihedral symmetries", () => {
  const mirror = symmetry("mirror", { kind: "flip", axis: "x" });
  const d4 = symmetry("d4", { kind: "dihedral", axes: ["y", "x"] });
  assert.equal(describeAction(mirror, tensor("f", [["side", "regular", "mirror"]])), "swaps the two entries of side (axis 0): the regular representation of mirror");
  assert.equal(describeAction(d4, tensor("f", ["batch", ["g", "regular", "d4"]])), "permutes the 8 entries of g (axis 1): the regular representation of d4");
  assert.equal(describeAction(mirror, image), "reverses x (axis 3)");
  assert.equal(describeAction(d4, image), "turns and reflects y (axis 2) and x (axis 3) as a square (y towards x)");
});

test("permute acts on every axis of its name, as one permutation", () => {
  const perm = symmetry("perm", { kind: "permute", axis: "node" });
  const adj = tensor("adj", ["batch", "node", "node"]);
  assert.deepEqual(
    actedAxes(perm, adj).map((axis) => axis.index),
    [1, 2],
  );
  assert.equal(describeAction(perm, adj), "permutes node (axes 1 and 2) by the same permutation");
  assert.equal(describeAction(perm, tensor("scores", ["batch", "node"])), "permutes node (axis 1)");
});

test("value groups act on the tensors they list, as a whole", () => {
  const polarity = symmetry("polarity", { kind: "negate", tensors: ["audio"] });
  const gain = symmetry("gain", { kind: "scale", tensors: ["audio"] });
  const audio = tensor("audio", ["batch", "time"]);
  assert.equal(actsOn(polarity, audio), true);
  assert.deepEqual(actedAxes(polarity, audio), []);
  assert.equal(describeAction(polarity, audio), "negates the whole tensor");
  assert.equal(describeAction(gain, audio), "scales the whole tensor by a factor s > 0");
  assert.equal(describeAction(polarity, tensor("speech", ["batch", "frame"])), "does not act on speech");
});

test("the words for a bound spec's tensors", async () => {
  const text = `model "m.onnx"
input  image [batch, channel, y, x]
output feat  [batch, orient: turn, channel, y, x]
symmetry turn = rotate90(y, x)
equivariant feat under turn
`;
  const model = modelBytes([["image", [1, 3, 8, 8]]], [["feat", [1, 4, 6, 8, 8]]]);
  const { bound } = await bindFiles(text, { "m.onnx": model });
  const turn = bound.symmetries.get("turn");
  assert.ok(turn);
  assert.deepEqual(
    bound.tensors.map((boundTensor) => describeAction(turn, boundTensor)),
    [
      "turns y (axis 2) and x (axis 3) by quarter turns (y towards x)",
      "turns y (axis 3) and x (axis 4) by quarter turns (y towards x); shifts orient (axis 1) cyclically: the regular representation of turn",
    ],
  );
});
