/**
 * Resize and Upsample (nearest, linear, cubic), DepthToSpace and SpaceToDepth.
 *
 * Resampling is linear and acts on each axis alone, so value groups and the roles of axes it
 * leaves alone pass through. On a resized axis only whole upsampling factors k are followed, by
 * where each output cell reads the input (its coordinate transformation and nearest rounding):
 * - a copy of each cell k times (nearest with half_pixel, or asymmetric with floor as Upsample
 *   does): shifts by t move the output by k t exactly (a halo grows k times), flips and turns too;
 * - a sampling that repeats every k cells but clamps at the ends (linear, cubic, other nearest
 *   roundings): shifts hold up to the borders; flips and turns hold when the sampling is
 *   symmetric about the centre (half_pixel, align_corners without rounding ties), else are lost;
 * - align_corners stretches the grid: shifts are not followed.
 * DepthToSpace and SpaceToDepth move entries between the channels and the grid: followed only
 * when the group moves neither.
 */
import { intsAttribute, stringAttribute } from "../../../onnx/attributes";
import type { Node } from "../../../onnx/model";
import { acted, isInvariant, lost, ratio, timesRatio, unknown, type ActedState, type AxisRole, type Effect, type State } from "../domain";
import type { AnalysisGroup } from "../groups";
import type { Rule, RuleInput } from "../rule";
import { normalizeAxis, planeOf, staticSize, withEffects } from "./common";
import { movesInWords, planeAxes } from "./window";

/** How a resampling op reads its input: the interpolation and where output cell i sits in the input. */
interface Sampling {
  mode: "nearest" | "linear" | "cubic";
  coordinates: string;
  /** For nearest: how a coordinate between two cells rounds. */
  rounding: string;
}

const resize: Rule = (input) => {
  const { node, facts } = input;
  const opset10 = node.opType === "Upsample" || facts.opset < 11;
  // Upsample and Resize-10 read the input at i / k and take the cell below (for upsampling).
  const sampling: Sampling = {
    mode: interpolationOf(stringAttribute(node, "mode", "nearest")),
    coordinates: opset10 ? "asymmetric" : stringAttribute(node, "coordinate_transformation_mode", "half_pixel"),
    rounding: opset10 ? "floor" : stringAttribute(node, "nearest_mode", "round_prefer_floor"),
  };
  return [resampled(input, sampling)];
};

function interpolationOf(mode: string): Sampling["mode"] {
  return mode === "linear" || mode === "bilinear" ? "linear" : mode === "cubic" ? "cubic" : "nearest";
}

function resampled(input: RuleInput, sampling: Sampling): State {
  const { node, group, inputs } = input;
  const [x, ...parameters] = inputs;
  if (!parameters.every(isInvariant)) return unknown(node, "its scales or sizes change with the model's input, which is not analysed");
  if (sampling.coordinates === "tf_crop_and_resize") return unknown(node, "tf_crop_and_resize reads a region of interest and fills outside it, which is not analysed");
  if (x.roles.every((role) => role === undefined)) return x;
  const factors = upsamplingFactors(input, x.roles.length);
  const plane = planeMismatch(node, group, x, factors);
  if (plane) return plane;
  const roles: (AxisRole | undefined)[] = [];
  const effects: Effect[] = [];
  for (const [axis, role] of x.roles.entries()) {
    const outcome = role ? resampleAxis(role, factors[axis], staticSize(input.facts, node.inputs[0], axis), sampling, node, group) : { role, effects: [] };
    if ("failure" in outcome) return outcome.failure;
    roles.push(outcome.role);
    effects.push(...outcome.effects);
  }
  return withEffects(acted(roles, x.exponent, x.approx), effects);
}

/**
 * The factor of each axis (output size / input size), undefined where not known: from the
 * scales, else from the sizes and the input's shape, else from the output's and input's shapes.
 */
function upsamplingFactors({ node, facts }: RuleInput, rank: number): (number | undefined)[] {
  const fromShapes = (axis: number) => {
    const before = staticSize(facts, node.inputs[0], axis);
    const after = staticSize(facts, node.outputs[0], axis);
    return before && after !== undefined ? after / before : undefined;
  };
  const scalesInput = node.opType === "Resize" && facts.opset >= 11 ? node.inputs[2] : node.inputs[1];
  const scales = node.opType === "Upsample" && facts.opset < 9 ? floatsOf(node, "scales") : scalesInput ? facts.constant(scalesInput)?.values : undefined;
  const sizes = node.opType === "Resize" && node.inputs[3] ? facts.constant(node.inputs[3])?.values : undefined;
  // Since opset 18, scales and sizes may list some axes only; the others keep their size.
  const listed = (intsAttribute(node, "axes") ?? Array.from({ length: rank }, (_, axis) => axis)).map((axis) => normalizeAxis(axis, rank));
  const stretch = stringAttribute(node, "keep_aspect_ratio_policy", "stretch") === "stretch";
  return Array.from({ length: rank }, (_, axis) => {
    const k = listed.indexOf(axis);
    if (k < 0) return 1;
    if (scales && scales.length > 0) return scales.length === listed.length ? scales[k] : undefined;
    const before = staticSize(facts, node.inputs[0], axis);
    if (sizes && sizes.length === listed.length && stretch && before) return sizes[k] / before;
    return fromShapes(axis);
  });
}

function floatsOf(node: Node, name: string): number[] | undefined {
  const attribute = node.attributes.get(name);
  return attribute?.type === "floats" ? attribute.value : undefined;
}

/** Quarter turns need both axes of the plane resampled alike. */
function planeMismatch(node: Node, analysis: AnalysisGroup, x: ActedState, factors: readonly (number | undefined)[]): State | undefined {
  const plane = planeOf(analysis);
  const { a, b } = planeAxes(x.roles, analysis);
  if (!plane || a === undefined || b === undefined || factors[a] === factors[b]) return undefined;
  return lost(node, `it resizes ${plane[0]} by ${factors[a] ?? "?"} and ${plane[1]} by ${factors[b] ?? "?"}, so ${movesInWords(analysis)} do not commute with it`);
}

type AxisOutcome = { role: AxisRole | undefined; effects: Effect[] } | { failure: State };

function resampleAxis(role: AxisRole, factor: number | undefined, size: number | undefined, sampling: Sampling, node: Node, analysis: AnalysisGroup): AxisOutcome {
  const name = role.kind === "grid" || role.kind === "geometric" ? role.groupAxis : "an axis the group permutes";
  if (factor === undefined) return { failure: unknown(node, `its resize factor along ${name} is not known`) };
  if (!Number.isInteger(factor) || factor < 1) return { failure: unknown(node, `it resizes ${name} by ${factor}: only whole upsampling factors are followed`) };
  // Where the cells are read, for the actual size or, when not known, a size with a middle cell and two ends.
  const alignCorners = sampling.coordinates === "align_corners";
  if (size === undefined && alignCorners && factor > 1) return { failure: unknown(node, `the size of ${name} is not known, so where align_corners reads it is not known`) };
  const pattern = samplingPattern(sampling, size ?? 3, factor);
  if (pattern === undefined) return { failure: unknown(node, `its coordinate_transformation_mode ${sampling.coordinates} or nearest_mode ${sampling.rounding} is not one ONNX defines`) };
  if (pattern.copies) return copiedAxis(role, factor, node, analysis);
  if (role.kind !== "grid") return { failure: lost(node, `it interpolates between neighbouring entries of ${name}`) };
  const kind = analysis.group.kind;
  const scaled: AxisRole = { kind: "grid", groupAxis: role.groupAxis, scale: timesRatio(role.scale, ratio(factor, 1)) };
  if (kind === "translate") {
    if (!pattern.periodic) return { failure: unknown(node, `${sampling.coordinates} resampling stretches ${role.groupAxis}, which shifts are not followed through`) };
    return { role: scaled, effects: [{ node: node.name, reason: `${sampling.mode} resampling at the borders` }] };
  }
  if (kind === "flip" || kind === "rotate90" || kind === "dihedral") {
    if (role.halo) return { failure: unknown(node, `${role.groupAxis} still carries circular padding, which ${movesInWords(analysis)} are not analysed with`) };
    if (pattern.symmetric) return { role: scaled, effects: [] };
    const how = `${sampling.coordinates} coordinates${sampling.mode === "nearest" ? ` and ${sampling.rounding} rounding` : ""}`;
    const verdict = `it resamples ${role.groupAxis} with ${how}, which reads the input off its centre, so ${movesInWords(analysis)} do not commute with it`;
    return { failure: size === undefined ? unknown(node, `${verdict} (for some sizes of ${role.groupAxis}; its size is not known)`) : lost(node, verdict) };
  }
  return { failure: lost(node, `it interpolates between neighbouring entries of ${role.groupAxis}, which permutations of ${role.groupAxis} do not preserve`) };
}

/** An axis whose every cell is copied `factor` times: each role follows, a factor of 1 changes nothing. */
function copiedAxis(role: AxisRole, factor: number, node: Node, analysis: AnalysisGroup): AxisOutcome {
  if (factor === 1) return { role, effects: [] };
  if (role.kind !== "grid" || analysis.group.kind === "permute") {
    const name = role.kind === "grid" || role.kind === "geometric" ? role.groupAxis : "an axis the group permutes";
    return { failure: lost(node, `it repeats each entry of ${name} ${factor} times, which the group does not move alike`) };
  }
  const halo = role.halo && { before: role.halo.before * factor, after: role.halo.after * factor };
  return { role: { kind: "grid", groupAxis: role.groupAxis, scale: timesRatio(role.scale, ratio(factor, 1)), ...(halo ? { halo } : {}) }, effects: [] };
}

/**
 * Where output cell i of `size * factor` reads the input, as an exact fraction num/den (ONNX's
 * coordinate transformations with scale = factor), undefined for a mode ONNX does not define.
 */
function sourceCoordinate(coordinates: string, i: number, size: number, factor: number): { num: number; den: number } | undefined {
  switch (coordinates) {
    case "half_pixel":
    case "half_pixel_symmetric": // the same as half_pixel for whole factors
    case "pytorch_half_pixel": // the same as half_pixel for outputs of more than one cell
      return { num: 2 * i + 1 - factor, den: 2 * factor };
    case "asymmetric":
      return { num: i, den: factor };
    case "tf_half_pixel_for_nn":
      return { num: 2 * i + 1, den: 2 * factor };
    case "align_corners":
      return size * factor === 1 ? { num: 0, den: 1 } : { num: i * (size - 1), den: size * factor - 1 };
    default:
      return undefined;
  }
}

/** The input cell that nearest interpolation takes for a coordinate num/den (before clamping). */
function nearestCell(num: number, den: number, rounding: string): number | undefined {
  const below = Math.floor(num / den);
  const twiceRest = 2 * (num - below * den);
  switch (rounding) {
    case "floor":
      return below;
    case "ceil":
      return num === below * den ? below : below + 1;
    case "round_prefer_floor":
      return twiceRest <= den ? below : below + 1;
    case "round_prefer_ceil":
      return twiceRest < den ? below : below + 1;
    default:
      return undefined;
  }
}

/**
 * What the sampling of `size` cells upsampled `factor` times does: `copies` each cell factor times
 * (in order), is `symmetric` about the centre, is `periodic` (moves one cell per factor output
 * cells, up to clamping at the ends).
 */
function samplingPattern(sampling: Sampling, size: number, factor: number): { copies: boolean; symmetric: boolean; periodic: boolean } | undefined {
  const count = size * factor;
  const coordinates: { num: number; den: number }[] = [];
  for (let i = 0; i < count; i++) {
    const coordinate = sourceCoordinate(sampling.coordinates, i, size, factor);
    if (!coordinate) return undefined;
    coordinates.push(coordinate);
  }
  const den = coordinates[0].den;
  if (sampling.mode !== "nearest") {
    return {
      copies: factor === 1 && coordinates.every((c, i) => c.num === i * den),
      symmetric: coordinates.every((c, i) => c.num + coordinates[count - 1 - i].num === (size - 1) * den),
      periodic: coordinates.every((c, i) => i + factor >= count || coordinates[i + factor].num - c.num === den),
    };
  }
  const unclamped = coordinates.map((c) => nearestCell(c.num, c.den, sampling.rounding));
  if (unclamped.some((cell) => cell === undefined)) return undefined;
  const cells = unclamped.map((cell) => Math.min(size - 1, Math.max(0, cell!)));
  return {
    copies: cells.every((cell, i) => cell === Math.floor(i / factor)),
    symmetric: cells.every((cell, i) => cell + cells[count - 1 - i] === size - 1),
    periodic: unclamped.every((cell, i) => i + factor >= count || unclamped[i + factor]! - cell! === 1),
  };
}

/** DepthToSpace / SpaceToDepth on [N, C, H, W]: followed only when the group moves the batch axis alone. */
const depthSpace: Rule = ({ node, inputs }) => {
  const [x] = inputs;
  if (x.roles.slice(1).some((role) => role !== undefined)) return [unknown(node, `${node.opType} moves entries between the channels and the grid, which is not followed for the group's moves of them`)];
  return [x];
};

export const resizeRules: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ["Resize", resize],
  ["Upsample", resize],
  ["DepthToSpace", depthSpace],
  ["SpaceToDepth", depthSpace],
]);
