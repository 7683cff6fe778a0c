/**
 * Pooling on [N, C, spatial...]: MaxPool, AveragePool and LpPool slide a window over the spatial
 * axes (window.ts: strides, pads, dilations, ceil_mode), like a convolution whose kernel every
 * flip and turn leaves alone and which treats each channel on its own. The global pools reduce
 * every spatial axis to one cell (as reduce.ts's reductions do), which leaves them invariant
 * under whatever moves those cells.
 * - Batch and channel axes pass through, except vector axes under the nonlinear pools (a maximum
 *   or a norm of each component separately does not rotate with the vector).
 * - Value groups: an average is linear; a maximum is positively homogeneous but not odd; an Lp
 *   norm is homogeneous and even.
 * - MaxPool's Indices number the input's cells (batch and channel included): any move of an
 *   axis changes them.
 */
import { intAttribute, intsAttribute, stringAttribute } from "../../../onnx/attributes";
import type { Node } from "../../../onnx/model";
import { acted, actedSharing, lost, movesNoAxis, unknown, type ActedState, type State } from "../domain";
import type { AnalysisGroup } from "../groups";
import type { Rule, RuleInput } from "../rule";
import { poolingProblem, sameExponent, staticSizes, withEffects } from "./common";
import { readWindows, slideSpatialRoles } from "./window";

/** How a pool combines the cells of a window, for value groups and vector axes. */
type Combination = "average" | "maximum" | "norm";

const POOL_BORDERS = { padding: "padding at the borders", shrinking: "the grid shrinks (valid pooling)" };

/** A sliding pool: the windows come from kernel_shape and the attributes window.ts reads. */
function slidingPool(combination: Combination): Rule {
  return (input) => {
    const { node, inputs, facts } = input;
    const [x] = inputs;
    const kept = keptAxes(input, combination);
    if ("failure" in kept) return node.outputs.map(() => kept.failure);
    if (movesNoAxis(x)) return withIndices(node, x, acted(x.roles.map(() => undefined), kept.exponent, x.approx));
    const kernel = intsAttribute(node, "kernel_shape");
    if (kernel?.length !== x.roles.length - 2) return node.outputs.map(() => unknown(node, "its kernel_shape does not have one entry per spatial axis"));
    const sizes = staticSizes(facts, node.inputs[0], 2, kernel.length);
    const windows = readWindows(node, kernel, sizes);
    if (typeof windows === "string") return node.outputs.map(() => unknown(node, windows));
    const spatial = slideSpatialRoles(x.roles.slice(2), windows, sizes, { node, group: input.group, borders: POOL_BORDERS, ceilMode: intAttribute(node, "ceil_mode", 0) === 1 });
    if ("failure" in spatial) return node.outputs.map(() => spatial.failure);
    const pooled = withEffects(actedSharing([x], [x.roles[0], x.roles[1], ...spatial.roles], kept.exponent, x.approx), spatial.effects);
    return withIndices(node, x, pooled);
  };
}

/**
 * Global pools: every spatial axis becomes one cell, so moves of those cells leave the output
 * alone; circular padding still on a spatial axis counts some cells twice (a maximum does not mind).
 */
function globalPool(combination: Combination): Rule {
  return (input) => {
    const { node, group, inputs } = input;
    const [x] = inputs;
    const kept = keptAxes(input, combination);
    if ("failure" in kept) return [kept.failure];
    const spatial = x.roles.map((_, axis) => axis).filter((axis) => axis >= 2);
    const vector = spatial.map((axis) => x.roles[axis]).find((role) => role?.kind === "geometric");
    if (vector?.kind === "geometric") return [lost(node, `it pools the components of the vector axis ${vector.groupAxis} together`)];
    const problem = poolingProblem(x.roles, spatial, group, combination !== "maximum");
    if (problem) return [lost(node, problem)];
    return [acted(x.roles.map((role, axis) => (axis < 2 ? role : undefined)), kept.exponent, x.approx)];
  };
}

/**
 * What happens to the batch and channel axes and to a value group's factor: the exponent of the
 * output, or the failure (a vector axis under a nonlinear pool, a negated maximum).
 */
function keptAxes({ node, group, inputs }: RuleInput, combination: Combination): { exponent: number } | { failure: State } {
  const [x] = inputs;
  for (const role of x.roles.slice(0, 2)) {
    if (role?.kind === "merged") return { failure: unknown(node, "its batch or channel axis merges several axes, which it does not follow") };
    if (role?.kind !== "geometric") continue;
    if (combination !== "average") return { failure: lost(node, `it pools each component of the vector axis ${role.groupAxis} separately, which rotations do not commute with`) };
    if (role.as === "point" && countsPadding(node)) return { failure: lost(node, `it averages padding with the points of ${role.groupAxis}, so translating them does not translate the average`) };
  }
  return valuesThroughPool(node, group, x, combination);
}

/** AveragePool with count_include_pad and some padding: its weights do not sum to one at the borders. */
function countsPadding(node: Node): boolean {
  if (node.opType !== "AveragePool" || intAttribute(node, "count_include_pad", 0) !== 1) return false;
  return (intsAttribute(node, "pads") ?? []).some((pad) => pad !== 0) || stringAttribute(node, "auto_pad", "NOTSET").startsWith("SAME");
}

function valuesThroughPool(node: Node, analysis: AnalysisGroup, x: ActedState, combination: Combination): { exponent: number } | { failure: State } {
  if (analysis.group.kind !== "negate" || sameExponent(analysis, x.exponent, 0)) return { exponent: x.exponent };
  if (combination === "average") return { exponent: x.exponent };
  if (combination === "norm") return { exponent: 0 };
  return { failure: lost(node, "the maximum of negated values is minus their minimum, not minus their maximum") };
}

/**
 * MaxPool's second output, Indices: flat positions of the maxima in the input. Scaling by s > 0
 * keeps the maxima where they are (negating them fails earlier, at the values).
 */
function withIndices(node: Node, x: ActedState, pooled: State): State[] {
  if (node.outputs.length < 2) return [pooled];
  if (pooled.kind !== "acted") return [pooled, pooled];
  const indices = movesNoAxis(x) ? acted([], 0, x.approx) : lost(node, "its Indices output numbers the input's cells, which the group moves");
  return [pooled, indices];
}

export const poolRules: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ["MaxPool", slidingPool("maximum")],
  ["AveragePool", slidingPool("average")],
  ["LpPool", slidingPool("norm")],
  ["GlobalMaxPool", globalPool("maximum")],
  ["GlobalAveragePool", globalPool("average")],
  ["GlobalLpPool", globalPool("norm")],
]);
