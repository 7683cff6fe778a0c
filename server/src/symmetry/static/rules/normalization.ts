/**
 * Normalizations. Most compute statistics (a mean, a variance, a norm) over some axes of each
 * slice, normalize by them, then apply a learned scale and bias:
 * - Groups that move entries: the statistics are left alone when the group only permutes the
 *   entries within each slice (poolingProblem: a quarter turn needs both plane axes normalized or
 *   neither), and the scale and bias must be left alone where they meet moved axes (a
 *   LayerNormalization over tokens with a per-token scale breaks their permutations).
 * - Value groups: normalizing undoes a scaling of the input (exactly, up to the epsilon added to
 *   the variance: approximate), and keeps a sign flip (odd) unless a bias is added.
 * - Rotation groups: statistics over components, or per-component scales, do not rotate; only
 *   LpNormalization with p = 2 along a vector axis makes a unit vector.
 * BatchNormalization at inference is a fixed affine map per channel: it keeps entry moves, and
 * keeps value groups and vectors only where it shifts nothing (B = scale * mean / sqrt(var + eps)),
 * positions only where it does not scale them either.
 */
import { floatAttribute, intAttribute } from "../../../onnx/attributes";
import type { Node } from "../../../onnx/model";
import { isInvariant, lost, unknown, withEffect, type ActedState, type AxisRole, type State } from "../domain";
import type { GraphFacts } from "../facts";
import { movesEntries, type AnalysisGroup } from "../groups";
import type { Rule, RuleInput } from "../rule";
import { axisInWords, checkFixedTensor, formatNumber, isGroupOfValues, isZeroConstant, normalizeAxis, poolingProblem, rankOf, sameExponent, WEIGHT_TOLERANCE } from "./common";

/** A learned parameter: its value, and the input axis each of its axes lines up with. */
interface Parameter {
  name: string;
  axes: readonly number[];
}

/** A normalization by statistics over `axes` of each slice, then its learned parameters (a scale, a bias). */
interface Normalizing {
  input: RuleInput;
  x: ActedState;
  /** Undefined when the input's rank is not known. */
  axes: readonly number[] | undefined;
  parameters: readonly Parameter[];
  bias?: Parameter;
  /** Added to the variance: a scaled input is normalized back only approximately. */
  epsilon: number;
  /** Whether a unit vector along one rotated axis comes out (LpNormalization, p = 2). */
  makesUnitVectors?: boolean;
}

function normalize(normalizing: Normalizing): State {
  const { input, x, axes, parameters } = normalizing;
  const { node, group, facts } = input;
  const moving = parameters.find((parameter) => !isInvariant(stateOf(input, parameter.name)));
  if (moving) return unknown(node, `its parameter ${moving.name} changes with the input`);
  if (isGroupOfValues(group)) return normalizedValues(normalizing);
  if (!axes) return unknown(node, "the rank of its input is not known");
  if (!movesEntries(group.group)) return normalizedRotation(normalizing, axes);
  const problem = poolingProblem(x.roles, axes, group, true);
  if (problem) return lost(node, problem);
  return parameterProblem(node, group, facts, x, parameters) ?? x;
}

function stateOf(input: RuleInput, value: string): ActedState {
  return input.inputs[input.node.inputs.indexOf(value)];
}

/** Scales and biases must be left alone by the group where they meet moved axes. */
function parameterProblem(node: Node, group: AnalysisGroup, facts: GraphFacts, x: ActedState, parameters: readonly Parameter[]): State | undefined {
  for (const parameter of parameters) {
    const axes = parameter.axes;
    // Per-channel parameters of a group that leaves the channels alone: nothing to check (or to build).
    if (!meetsMovedAxis(x, axes)) continue;
    const check = checkFixedTensor(parameter.name, axes.map((axis) => x.roles[axis]), (k) => axisInWords(axes[k], x.roles[axes[k]]), group, facts);
    if (check.kind === "varies") return lost(node, check.reason);
    if (check.kind === "unsure") return unknown(node, check.reason);
  }
  return undefined;
}

function meetsMovedAxis(x: ActedState, axes: readonly number[]): boolean {
  for (const axis of axes) if (x.roles[axis] !== undefined) return true;
  return false;
}

/** Normalized values do not change when the input is scaled, and change sign with it; a bias spoils oddness. */
function normalizedValues({ input, x, bias, epsilon }: Normalizing): State {
  const { node, group, facts } = input;
  if (sameExponent(group, x.exponent, 0)) return { ...x, exponent: 0 };
  if (group.group.kind === "negate") {
    if (bias && !isZeroConstant(facts, bias.name)) return lost(node, `it adds the bias ${bias.name} after normalizing, so the output is not odd`);
    return x;
  }
  const unscaled: State = { ...x, exponent: 0 };
  return epsilon > 0 ? withEffect(unscaled, { node: node.name, reason: `the epsilon ${formatNumber(epsilon)} added to the variance` }) : unscaled;
}

function normalizedRotation({ input, x, makesUnitVectors }: Normalizing, axes: readonly number[]): State {
  const { node } = input;
  const rotated = x.roles.flatMap((role, axis) => (role?.kind === "geometric" ? [axis] : []));
  if (rotated.length === 0) return x;
  const [axis] = rotated;
  const role = x.roles[axis] as Extract<AxisRole, { kind: "geometric" }>;
  const unit = makesUnitVectors && rotated.length === 1 && axes.length === 1 && axes[0] === axis && (role.as === "vector" || role.as === "pseudovector");
  return unit ? x : lost(node, `it normalizes the components of ${axisInWords(axis, role)} as separate numbers, which rotations do not commute with`);
}

// ---------------------------------------------------------------------------------------------
// The ops

const allFrom = (first: number, rank: number | undefined) => (rank === undefined ? undefined : Array.from({ length: Math.max(rank - first, 0) }, (_, i) => first + i));

/** Present optional inputs as parameters lining up with the given input axes. */
function parametersAt(node: Node, indices: readonly number[], axes: readonly number[]): Parameter[] {
  const parameters: Parameter[] = [];
  for (const index of indices) if (node.inputs[index]) parameters.push({ name: node.inputs[index], axes });
  return parameters;
}

/** InstanceNormalization: statistics over the spatial axes of each sample and channel; scale and bias per channel. */
const instanceNormalization: Rule = (input) => {
  const { node, inputs, facts } = input;
  const [x] = inputs;
  const rank = rankOf(x, node.inputs[0], facts);
  const parameters = parametersAt(node, [1, 2], [1]);
  return [normalize({ input, x, axes: allFrom(2, rank), parameters, bias: parameters.find((p) => p.name === node.inputs[2]), epsilon: floatAttribute(node, "epsilon", 1e-5) })];
};

/** LayerNormalization: statistics over `axis` and every axis after it; scale and bias line up with those axes. */
const layerNormalization: Rule = (input) => {
  const { node, inputs, facts } = input;
  const [x] = inputs;
  const rank = rankOf(x, node.inputs[0], facts);
  const first = rank === undefined ? undefined : normalizeAxis(intAttribute(node, "axis", -1), rank);
  if (rank !== undefined && first === undefined) return node.outputs.map(() => unknown(node, `its axis does not fit an input of rank ${rank}`));
  const trailing = (value: string) => {
    const own = facts.shape(value)?.length;
    return own === undefined || rank === undefined ? [] : Array.from({ length: own }, (_, i) => rank - own + i);
  };
  const parameters = [1, 2].flatMap((index) => (node.inputs[index] ? [{ name: node.inputs[index], axes: trailing(node.inputs[index]) }] : []));
  const unshaped = parameters.find((parameter) => rank !== undefined && facts.shape(parameter.name) === undefined);
  if (unshaped) return node.outputs.map(() => unknown(node, `the shape of ${unshaped.name} is not known`));
  const y = normalize({ input, x, axes: first === undefined ? undefined : allFrom(first, rank), parameters, bias: parameters.find((p) => p.name === node.inputs[2]), epsilon: floatAttribute(node, "epsilon", 1e-5) });
  return [y, ...node.outputs.slice(1).map(() => unknown(node, "its Mean and InvStdDev outputs are not analysed"))];
};

/**
 * GroupNormalization: statistics over a group of channels and every spatial axis. Channels are
 * grouped by position, so a group that moves the channel axis would mix the groups: not followed.
 */
const groupNormalization: Rule = (input) => {
  const { node, inputs, facts } = input;
  const [x] = inputs;
  if (x.roles[1]) return [unknown(node, `the group moves ${axisInWords(1, x.roles[1])}, whose channels it normalizes in fixed groups`)];
  const rank = rankOf(x, node.inputs[0], facts);
  const parameters = parametersAt(node, [1, 2], [1]);
  return [normalize({ input, x, axes: allFrom(1, rank), parameters, bias: parameters.find((p) => p.name === node.inputs[2]), epsilon: floatAttribute(node, "epsilon", 1e-5) })];
};

/** LpNormalization: x / ||x||_p along one axis, with no epsilon. */
const lpNormalization: Rule = (input) => {
  const { node, inputs, facts } = input;
  const [x] = inputs;
  const rank = rankOf(x, node.inputs[0], facts);
  const axis = rank === undefined ? undefined : normalizeAxis(intAttribute(node, "axis", -1), rank);
  if (rank !== undefined && axis === undefined) return [unknown(node, `its axis does not fit an input of rank ${rank}`)];
  return [normalize({ input, x, axes: axis === undefined ? undefined : [axis], parameters: [], epsilon: 0, makesUnitVectors: intAttribute(node, "p", 2) === 2 })];
};

/**
 * BatchNormalization at inference: y = a_c * x + b_c per channel c, with a = scale / sqrt(var +
 * epsilon) and b = B - a * mean, all fixed. Training mode uses the batch's statistics: not followed.
 */
const batchNormalization: Rule = (input) => {
  const { node, group, inputs, facts } = input;
  const [x] = inputs;
  const rest = node.outputs.slice(1).map(() => unknown(node, "its running statistics outputs are not analysed"));
  if (intAttribute(node, "training_mode", 0) === 1) return [unknown(node, "in training mode it normalizes by the batch's statistics, which it does not follow"), ...rest];
  const parameters = parametersAt(node, [1, 2, 3, 4], [1]);
  const moving = parameters.find((parameter) => !isInvariant(stateOf(input, parameter.name)));
  if (moving) return [unknown(node, `its parameter ${moving.name} changes with the input`), ...rest];
  if (movesEntries(group.group)) return [parameterProblem(node, group, facts, x, parameters) ?? x, ...rest];
  const channel = x.roles[1];
  if (channel?.kind === "geometric") return [lost(node, `it scales and shifts each component of ${axisInWords(1, channel)} differently, which rotations do not commute with`), ...rest];
  const valueSensitive = isGroupOfValues(group) ? !sameExponent(group, x.exponent, 0) : x.roles.some((role) => role?.kind === "geometric");
  if (!valueSensitive) return [x, ...rest];
  const shift = largestShift(node, facts);
  if (shift === undefined) return [unknown(node, "whether it shifts its channels cannot be told: its parameters are not known constants"), ...rest];
  if (shift === 0) return [positionsScaled(node, facts, x) ?? x, ...rest];
  const spoiled = isGroupOfValues(group) ? (group.group.kind === "negate" ? "the output is not odd" : "the output does not scale with the input") : "rotations do not commute with it";
  return [lost(node, `it shifts its channels by up to ${formatNumber(shift)} (B - scale * mean / sqrt(var + epsilon)), so ${spoiled}`), ...rest];
};

/**
 * A position times a_c is no position (translating the points by t moves it by a_c t), so points
 * pass only when every a_c = scale_c / sqrt(var_c + epsilon) is 1. The failure, or undefined.
 */
function positionsScaled(node: Node, facts: GraphFacts, x: ActedState): State | undefined {
  const positions = x.roles.findIndex((role) => role?.kind === "geometric" && role.as === "point");
  if (positions < 0) return undefined;
  const [scale, variance] = [1, 4].map((index) => facts.constant(node.inputs[index] ?? "")?.values);
  const where = axisInWords(positions, x.roles[positions]);
  if (!scale || !variance) return unknown(node, `whether it scales the positions along ${where} cannot be told: its scale and variance are not known constants`);
  const epsilon = floatAttribute(node, "epsilon", 1e-5);
  const at = (values: ArrayLike<number>, c: number) => values[values.length === 1 ? 0 : c];
  let farthest = 1;
  for (let c = 0; c < Math.max(scale.length, variance.length); c++) {
    const factor = at(scale, c) / Math.sqrt(at(variance, c) + epsilon);
    if (Math.abs(factor - 1) > Math.abs(farthest - 1)) farthest = factor;
  }
  if (Math.abs(farthest - 1) <= WEIGHT_TOLERANCE) return undefined;
  return lost(node, `it scales the positions along ${where} by up to ${formatNumber(farthest)} (scale / sqrt(var + epsilon)): translating the points moves them that many times as far`);
}

/** The largest |b_c| = |B_c - scale_c * mean_c / sqrt(var_c + epsilon)|; undefined when the parameters are not known. */
function largestShift(node: Node, facts: GraphFacts): number | undefined {
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((index) => facts.constant(node.inputs[index] ?? "")?.values);
  if (bias && mean && Array.from(bias).every((b) => b === 0) && Array.from(mean).every((m) => m === 0)) return 0;
  if (!scale || !bias || !mean || !variance) return undefined;
  const epsilon = floatAttribute(node, "epsilon", 1e-5);
  const count = Math.max(scale.length, bias.length, mean.length, variance.length);
  // Parameters of one entry broadcast to every channel.
  const at = (values: ArrayLike<number>, c: number) => values[values.length === 1 ? 0 : c];
  let largest = 0;
  for (let c = 0; c < count; c++) largest = Math.max(largest, Math.abs(at(bias, c) - (at(scale, c) * at(mean, c)) / Math.sqrt(at(variance, c) + epsilon)));
  // Float32 parameters meant to cancel do so only to rounding.
  return largest <= WEIGHT_TOLERANCE * Math.max(...Array.from(bias, Math.abs), 1) ? 0 : largest;
}

export const normalizationRules: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ["BatchNormalization", batchNormalization],
  ["InstanceNormalization", instanceNormalization],
  ["LayerNormalization", layerNormalization],
  ["GroupNormalization", groupNormalization],
  ["LpNormalization", lpNormalization],
]);
