/**
 * Reductions (ReduceSum, ReduceMean, ReduceMax, ReduceL2...) and the ops that pick entries along
 * an axis (ArgMax, ArgMin, TopK). (Global pools are pooling: pool.ts.)
 * - Groups that move entries: a reduction is a symmetric function of the entries it reduces, so
 *   reducing the axes the group moves leaves the result alone there, and the other axes keep
 *   their roles. A quarter turn swaps its plane axes: reducing only one of them loses it.
 *   Circular padding still on a reduced axis counts the border entries twice: sums change.
 * - Value groups: sums and means keep the exponent; norms are even and keep the degree; maxima
 *   keep the degree (s > 0) but are not odd; sums of squares double the degree.
 * - Rotation groups: the norm (L2, sum of squares) over a vector axis is invariant, and so is the
 *   sum over a `product` axis (a dot product); sums and means over other axes keep vectors (a
 *   mean of points is a point). Anything else treats the components one by one.
 * - ArgMax, ArgMin and TopK's indices say where entries are: they change when the group moves
 *   that axis. TopK's values over a moved axis are sorted, so they are left alone.
 */
import { intAttribute } from "../../../onnx/attributes";
import type { Node } from "../../../onnx/model";
import { acted, lost, unknown, type ActedState, type AxisRole, type State } from "../domain";
import type { GraphFacts } from "../facts";
import { movesEntries, type AnalysisGroup } from "../groups";
import { normalizeAxes } from "../inference/dims";
import { followingMergedAxes, type Rule } from "../rule";
import { axisInWords, intList, isGroupOfValues, poolingProblem, rankOf, sameExponent, staticSize } from "./common";

type Reduction = "sum" | "mean" | "max" | "min" | "prod" | "l1" | "l2" | "logsumexp" | "logsum" | "sumsquare";

interface ReductionFacts {
  /** Sums and means: linear, so vectors along other axes stay vectors. */
  linear?: boolean;
  /** Max and min ignore repeated entries (circular padding's copies); the others count them. */
  countsRepeats: boolean;
  /** The output's exponent for an input of exponent e reduced over `count` entries; undefined when the group's action is lost. */
  negate(e: number, count: number): number | undefined;
  scale(e: number, count: number): number | undefined;
  /** What a reduction over a rotated axis can make invariant: the norm of a vector, or the sum of a product (a dot product). */
  overRotated?: "norm" | "sum";
}

// How a reduction changes the exponent: keeps it, makes it even, or loses the action (undefined).
const keep = (e: number) => e;
const even = () => 0;
const notOdd = (e: number) => (e % 2 === 0 ? 0 : undefined);
const unscaled = (e: number) => (e === 0 ? 0 : undefined);

const REDUCTIONS: Readonly<Record<Reduction, ReductionFacts>> = {
  sum: { linear: true, countsRepeats: true, negate: keep, scale: keep, overRotated: "sum" },
  mean: { linear: true, countsRepeats: true, negate: keep, scale: keep, overRotated: "sum" },
  max: { countsRepeats: false, negate: notOdd, scale: keep },
  min: { countsRepeats: false, negate: notOdd, scale: keep },
  prod: { countsRepeats: true, negate: (e, count) => e * count, scale: (e, count) => e * count },
  l1: { countsRepeats: true, negate: even, scale: keep },
  l2: { countsRepeats: true, negate: even, scale: keep, overRotated: "norm" },
  sumsquare: { countsRepeats: true, negate: even, scale: (e) => 2 * e, overRotated: "norm" },
  logsumexp: { countsRepeats: true, negate: notOdd, scale: unscaled },
  logsum: { countsRepeats: true, negate: notOdd, scale: unscaled },
};

/** Reduce ops by type, with the opset from which their axes are an input instead of an attribute. */
const REDUCE_OPS: Readonly<Record<string, [Reduction, number]>> = {
  ReduceSum: ["sum", 13],
  ReduceMean: ["mean", 18],
  ReduceMax: ["max", 18],
  ReduceMin: ["min", 18],
  ReduceProd: ["prod", 18],
  ReduceL1: ["l1", 18],
  ReduceL2: ["l2", 18],
  ReduceLogSumExp: ["logsumexp", 18],
  ReduceLogSum: ["logsum", 18],
  ReduceSumSquare: ["sumsquare", 18],
};

/** What a reduction needs to know of its node and input. */
interface Reducing {
  node: Node;
  group: AnalysisGroup;
  facts: GraphFacts;
  x: ActedState;
  /** The reduced axes; undefined for all of them when the rank is not known. */
  axes: readonly number[] | undefined;
  keepDims: boolean;
  reduction: Reduction;
}

function reduceRule(reduction: Reduction, axesInputSince: number): Rule {
  return followingMergedAxes(({ node, group, inputs, facts }) => {
    const [x] = inputs;
    const listed = intList(node, facts, "axes", 1, axesInputSince);
    if (listed.kind === "unknown") return [unknown(node, "its axes are not a known constant")];
    const axes = listed.kind === "known" ? listed.values : [];
    // ONNX: no axes reduce every axis, unless noop_with_empty_axes makes the op the identity.
    if (axes.length === 0 && intAttribute(node, "noop_with_empty_axes", 0) === 1) return [x];
    const rank = rankOf(x, node.inputs[0], facts);
    const reduced = rank === undefined ? undefined : axes.length === 0 ? allAxes(rank) : normalizeAxes(axes, rank);
    if (rank !== undefined && !reduced) return [unknown(node, `its axes (${axes.join(" ")}) do not fit an input of rank ${rank}`)];
    return [reduce({ node, group, facts, x, axes: reduced, keepDims: intAttribute(node, "keepdims", 1) === 1, reduction })];
  });
}

function allAxes(rank: number): number[] {
  return Array.from({ length: rank }, (_, axis) => axis);
}

function reduce(reducing: Reducing): State {
  const { group, axes } = reducing;
  if (isGroupOfValues(group)) return reducedValues(reducing);
  if (!axes) return unknown(reducing.node, "the rank of its input is not known");
  return movesEntries(group.group) ? reducedEntries(reducing, axes) : reducedRotation(reducing, axes);
}

/** The roles left once `axes` are reduced: gone, or left with one entry and no role (keepdims). */
function remainingRoles(roles: readonly (AxisRole | undefined)[], axes: readonly number[], keepDims: boolean): (AxisRole | undefined)[] {
  return roles.flatMap((role, axis) => (!axes.includes(axis) ? [role] : keepDims ? [undefined] : []));
}

function reducedEntries({ node, group, x, keepDims, reduction }: Reducing, axes: readonly number[]): State {
  const problem = poolingProblem(x.roles, axes, group, REDUCTIONS[reduction].countsRepeats);
  if (problem) return lost(node, problem);
  return { ...x, roles: remainingRoles(x.roles, axes, keepDims) };
}

function reducedValues({ node, group, facts, x, axes, keepDims, reduction }: Reducing): State {
  const roles = axes ? remainingRoles(x.roles, axes, keepDims) : [];
  if (sameExponent(group, x.exponent, 0)) return { ...x, roles, exponent: 0 };
  // A product's degree counts its factors.
  const sizes = axes?.map((axis) => staticSize(facts, node.inputs[0], axis));
  const count = sizes?.every((size) => size !== undefined) ? (sizes as number[]).reduce((total, size) => total * size, 1) : undefined;
  if (reduction === "prod" && count === undefined) return unknown(node, "how many entries it multiplies is not known, so neither is the degree of the product");
  const properties = REDUCTIONS[reduction];
  const negate = group.group.kind === "negate";
  const exponent = negate ? properties.negate(x.exponent, count ?? 1) : properties.scale(x.exponent, count ?? 1);
  if (exponent === undefined) return lost(node, `${node.opType} of values that ${negate ? "change sign is neither odd nor even" : "scale does not scale with them"}`);
  return { ...x, roles, exponent };
}

/**
 * Rotations: only a norm over vector axes, or a sum over product axes (a dot product), makes a
 * rotated axis invariant; the axes kept must then be rotated by nothing else than linearly.
 */
function reducedRotation({ node, group, x, keepDims, reduction }: Reducing, axes: readonly number[]): State {
  const properties = REDUCTIONS[reduction];
  const kindOf = (axis: number) => (x.roles[axis]?.kind === "geometric" ? (x.roles[axis] as Extract<AxisRole, { kind: "geometric" }>).as : undefined);
  const reducedAxes = axes.filter((axis) => kindOf(axis));
  const keptAxes = x.roles.flatMap((_, axis) => (kindOf(axis) && !axes.includes(axis) ? [axis] : []));
  for (const axis of reducedAxes) {
    const [label, as] = [axisInWords(axis, x.roles[axis]), kindOf(axis)];
    if (properties.overRotated === "norm" && as === "point") return lost(node, `the norm of positions along ${label} changes when they are translated`);
    if (properties.overRotated === "norm" && (as === "vector" || as === "pseudovector")) {
      if (keptAxes.length > 0) return lost(node, `it takes norms over ${label} of a tensor whose ${axisInWords(keptAxes[0], x.roles[keptAxes[0]])} is rotated too`);
    } else if (properties.overRotated === "sum") {
      if (as !== "product") return lost(node, `the sum of the components of ${label} (a ${as}) changes under rotations`);
    } else {
      return lost(node, `${node.opType} over ${label} treats the components of the ${as} one by one, which rotations do not commute with`);
    }
  }
  const translations = group.group.kind === "rotation" && group.group.translations;
  for (const axis of keptAxes) {
    const label = axisInWords(axis, x.roles[axis]);
    if (!properties.linear) return lost(node, `${node.opType} treats each component of ${label} on its own, which rotations do not commute with`);
    if (kindOf(axis) === "point" && translations && reduction === "sum") return lost(node, `a sum of positions along ${label} moves several times as far as a translation`);
  }
  return acted(remainingRoles(x.roles, axes, keepDims), 0, x.approx);
}

// ---------------------------------------------------------------------------------------------
// ArgMax, ArgMin, TopK

/** ArgMax and ArgMin: where the extreme entry is along an axis. */
const argExtreme: Rule = ({ node, group, inputs, facts }) => {
  const [x] = inputs;
  const keepDims = intAttribute(node, "keepdims", 1) === 1;
  const rank = rankOf(x, node.inputs[0], facts);
  if (isGroupOfValues(group)) {
    if (group.group.kind === "negate" && !sameExponent(group, x.exponent, 0)) return [lost(node, `negating the input turns the largest entry into the smallest, so ${node.opType} points elsewhere`)];
    return [acted([], 0, x.approx)];
  }
  const axis = rank === undefined ? undefined : normalizeAxes([intAttribute(node, "axis", 0)], rank)?.[0];
  if (axis === undefined) return [unknown(node, "its axis does not fit its input's rank")];
  const problem = positionalProblem(node, group, x, axis, "index of the extreme entry");
  return [problem ?? acted(remainingRoles(x.roles, [axis], keepDims), 0, x.approx)];
};

/** TopK: the k largest (or smallest) values along an axis, sorted, and their indices. */
const topK: Rule = ({ node, group, inputs, facts }) => {
  const [x, k] = inputs;
  if (k && (k.roles.some((role) => role) || k.exponent !== 0)) return [unknown(node, "its k changes with the input"), unknown(node, "its k changes with the input")];
  if (isGroupOfValues(group)) {
    if (group.group.kind === "negate" && !sameExponent(group, x.exponent, 0)) {
      const broken = lost(node, "negating the input turns its largest entries into its smallest");
      return [broken, broken];
    }
    return [x, acted([], 0, x.approx)];
  }
  const rank = rankOf(x, node.inputs[0], facts);
  const axis = rank === undefined ? undefined : normalizeAxes([intAttribute(node, "axis", -1)], rank)?.[0];
  if (axis === undefined) {
    const failed = unknown(node, "its axis does not fit its input's rank");
    return [failed, failed];
  }
  const indices = positionalProblem(node, group, x, axis, "indices of the top entries") ?? acted(x.roles, 0, x.approx);
  return [topValues(node, group, x, axis), indices];
};

/** Sorted values along a moved axis do not depend on the order the group puts them in. */
function topValues(node: Node, group: AnalysisGroup, x: ActedState, axis: number): State {
  if (x.roles.some((role) => role?.kind === "geometric")) return lost(node, "TopK treats the components of a vector one by one, which rotations do not commute with");
  if (!x.roles[axis]) return x;
  if (intAttribute(node, "sorted", 1) !== 1) return unknown(node, "with sorted=0 the order of its values is left open");
  const problem = poolingProblem(x.roles, [axis], group, true);
  return problem ? lost(node, problem) : { ...x, roles: x.roles.map((role, i) => (i === axis ? undefined : role)) };
}

/** An output that says where entries are along `axis`: the group must not move that axis (nor rotate anything). */
function positionalProblem(node: Node, group: AnalysisGroup, x: ActedState, axis: number, what: string): State | undefined {
  if (x.roles.some((role) => role?.kind === "geometric")) return lost(node, `${node.opType} treats the components of a vector one by one, which rotations do not commute with`);
  const role = x.roles[axis];
  return role ? lost(node, `the ${what} along ${axisInWords(axis, role)} changes when ${group.name} moves that axis`) : undefined;
}

export const reduceRules: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ...Object.entries(REDUCE_OPS).map(([op, [reduction, since]]) => [op, reduceRule(reduction, since)] as const),
  ["ArgMax", argExtreme],
  ["ArgMin", argExtreme],
  ["TopK", topK],
]);
