/**
 * Softmax, LogSoftmax and Hardmax: each normalizes the entries of a slice together. Before opset
 * 13 the slice is every axis from `axis` on (the input coerced to 2-D, `axis` 1 by default);
 * from 13 it is the one axis `axis` (-1 by default).
 * - Groups that move entries: permuting the entries of a slice permutes its softmax the same
 *   way, so every role is kept, unless a quarter turn mixes a normalized plane axis with one that
 *   is not (poolingProblem). Hardmax breaks ties by position: approximate when it moves.
 * - Value groups: softmax(-x) and softmax(s x) are neither ± softmax(x) nor softmax(x); only
 *   Hardmax is left alone by scaling.
 * - Rotation groups: the components of a vector are not numbers to normalize: lost.
 */
import { intAttribute } from "../../../onnx/attributes";
import { lost, unknown, withEffect } from "../domain";
import { movesEntries } from "../groups";
import type { Rule } from "../rule";
import { axisInWords, isGroupOfValues, normalizeAxis, poolingProblem, rankOf, sameExponent } from "./common";

const softmax: Rule = ({ node, group, inputs, facts }) => {
  const [x] = inputs;
  if (isGroupOfValues(group)) {
    if (sameExponent(group, x.exponent, 0)) return [x];
    if (node.opType === "Hardmax" && group.group.kind === "scale") return [{ ...x, exponent: 0 }];
    const why = group.group.kind === "negate" ? "negating its input does not negate its output" : "scaling its input changes its output in no fixed way";
    return [lost(node, `${node.opType} is not homogeneous: ${why}`)];
  }
  if (!movesEntries(group.group)) {
    const rotated = x.roles.findIndex((role) => role?.kind === "geometric");
    return [rotated < 0 ? x : lost(node, `it normalizes the components of ${axisInWords(rotated, x.roles[rotated])} as separate numbers, which rotations do not commute with`)];
  }
  const rank = rankOf(x, node.inputs[0], facts);
  const coerced = facts.opset < 13;
  const axis = rank === undefined ? undefined : normalizeAxis(intAttribute(node, "axis", coerced ? 1 : -1), rank);
  if (rank === undefined || axis === undefined) return [unknown(node, "its axis does not fit its input's rank")];
  const axes = coerced ? Array.from({ length: rank - axis }, (_, i) => axis + i) : [axis];
  const problem = poolingProblem(x.roles, axes, group, true);
  if (problem) return [lost(node, problem)];
  const moved = axes.find((normalized) => x.roles[normalized]);
  if (node.opType === "Hardmax" && moved !== undefined) {
    return [withEffect(x, { node: node.name, reason: `ties along ${axisInWords(moved, x.roles[moved])} go to the first largest entry, which the group moves` })];
  }
  return [x];
};

export const softmaxRules: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ["Softmax", softmax],
  ["LogSoftmax", softmax],
  ["Hardmax", softmax],
]);
