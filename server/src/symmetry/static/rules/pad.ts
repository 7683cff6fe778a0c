/**
 * Pad (modes constant, reflect, edge, wrap; pads an attribute before opset 11 and an input since,
 * with the axes input since opset 18; negative pads crop).
 * - Shifts: wrap padding extends an axis circularly, which the shifted axis' role records as a
 *   `halo` (exact: a convolution that consumes it is circular); other modes differ from a cyclic
 *   shift at the borders (approximate). Cropping a halo keeps it exact.
 * - Flips and turns: padding the same on both ends keeps any mode exact (the padded array of a
 *   flipped input is the flipped padded array); padding the ends differently moves the centre.
 *   Turns need both axes of the plane padded alike.
 * - Permutations and vector axes: padding their axis adds entries the group does not know.
 * - Values: constant padding with c != 0 is not negated or scaled with the input, nor rotated
 *   with a vector (nor translated with a point, for c = 0 too); the other modes copy entries.
 */
import { floatAttribute, intsAttribute, stringAttribute } from "../../../onnx/attributes";
import type { Node } from "../../../onnx/model";
import { acted, isInvariant, lost, movesNoAxis, unknown, type ActedState, type AxisRole, type Effect, type State } from "../domain";
import type { AnalysisGroup } from "../groups";
import type { Rule, RuleInput } from "../rule";
import { formatNumber, intList, normalizeAxis, sameExponent, withEffects } from "./common";
import { movesInWords, planeAxes } from "./window";

const pad: Rule = (input) => {
  const { node, group, inputs } = input;
  const [x, ...parameters] = inputs;
  if (!parameters.every(isInvariant)) return [unknown(node, "its pads or padding value change with the model's input, which is not analysed")];
  const mode = stringAttribute(node, "mode", "constant");
  if (!["constant", "reflect", "edge", "wrap"].includes(mode)) return [unknown(node, `its mode ${mode} is not one ONNX defines`)];
  const value = mode === "constant" ? paddingValue(input) : 0;
  const values = valuesThroughPadding(node, group, x, mode, value);
  if (values) return [values];
  if (movesNoAxis(x)) return [x];
  const pads = padsPerAxis(input, x.roles.length);
  if (typeof pads === "string") return [unknown(node, pads)];
  const plane = planeMismatch(node, group, x.roles, pads);
  if (plane) return [plane];
  const roles: (AxisRole | undefined)[] = [];
  const effects: Effect[] = [];
  for (const [axis, role] of x.roles.entries()) {
    const [before, after] = pads[axis];
    if (!role || (before === 0 && after === 0)) {
      roles.push(role);
      continue;
    }
    const outcome = padAxis(role, before, after, mode, input);
    if ("failure" in outcome) return [outcome.failure];
    roles.push(outcome.role);
    effects.push(...outcome.effects);
  }
  return [withEffects(acted(roles, x.exponent, x.approx), effects)];
};

/** The constant that mode `constant` pads with (attribute `value` before opset 11, input 2 since), if known. */
function paddingValue({ node, facts }: RuleInput): number | undefined {
  if (facts.opset < 11) return floatAttribute(node, "value", 0);
  const input = node.inputs[2];
  if (!input) return 0;
  return facts.constant(input)?.values[0];
}

/**
 * Padded entries hold `value` whatever the input: a value group's factor and rotations of vector
 * axes (translations of points) must leave `value` alone. The failure, or undefined.
 */
function valuesThroughPadding(node: Node, analysis: AnalysisGroup, x: ActedState, mode: string, value: number | undefined): State | undefined {
  if (mode !== "constant") return undefined;
  const kind = analysis.group.kind;
  const moved = !sameExponent(analysis, x.exponent, 0);
  const geometric = x.roles.find((role) => role?.kind === "geometric");
  if (!moved && !geometric) return undefined;
  if (value === undefined) return unknown(node, "its padding value is not a known constant");
  const translated = geometric?.kind === "geometric" && geometric.as === "point" && analysis.group.kind === "rotation" && analysis.group.translations;
  if (value === 0 && !translated) return undefined;
  if (geometric?.kind === "geometric") return lost(node, `its padded entries hold ${formatNumber(value)} in every component of ${geometric.groupAxis}, which ${translated ? "translations move" : "rotations change"}`);
  const verb = kind === "negate" ? "negat" : "scal";
  return lost(node, `it pads with ${formatNumber(value)}, so ${verb}ing its input does not ${verb}e its output`);
}

/**
 * [before, after] for every axis, from the pads (all begins, then all ends) and the axes they
 * apply to (opset 18; all axes without them), or why they are not known.
 */
function padsPerAxis({ node, facts }: RuleInput, rank: number): [number, number][] | string {
  const listed = intList(node, facts, "pads", 1, 11);
  // Opset 1 called the attribute `paddings`.
  const pads = listed.kind === "known" ? listed.values : listed.kind === "absent" ? intsAttribute(node, "paddings") : undefined;
  if (!pads) return "its pads are not a known constant";
  const axesList = intList(node, facts, "axes", 3, 18);
  if (axesList.kind === "unknown") return "its axes are not a known constant";
  const axes = axesList.kind === "known" ? axesList.values.map((axis) => normalizeAxis(axis, rank)) : Array.from({ length: rank }, (_, axis) => axis);
  if (axes.some((axis) => axis === undefined) || pads.length !== 2 * axes.length) return `its pads do not give a begin and an end for each of its ${axes.length} axes`;
  const perAxis: [number, number][] = Array.from({ length: rank }, () => [0, 0]);
  axes.forEach((axis, k) => (perAxis[axis!] = [pads[k], pads[k + axes.length]]));
  return perAxis;
}

/** Quarter turns need both axes of the plane padded alike, or they stop being the same size. */
function planeMismatch(node: Node, analysis: AnalysisGroup, roles: readonly (AxisRole | undefined)[], pads: readonly [number, number][]): State | undefined {
  const { a, b } = planeAxes(roles, analysis);
  if (a === undefined || b === undefined || (pads[a][0] === pads[b][0] && pads[a][1] === pads[b][1])) return undefined;
  const name = (axis: number) => (roles[axis] as Extract<AxisRole, { kind: "grid" }>).groupAxis;
  return lost(node, `it pads ${name(a)} by ${pads[a].join("+")} and ${name(b)} by ${pads[b].join("+")}, so ${movesInWords(analysis)} do not commute with it`);
}

type AxisOutcome = { role: AxisRole | undefined; effects: Effect[] } | { failure: State };

function padAxis(role: AxisRole, before: number, after: number, mode: string, { node, group }: RuleInput): AxisOutcome {
  if (role.kind === "permutation") return { failure: lost(node, "it adds entries to an axis that the group permutes (a regular representation)") };
  if (role.kind === "geometric") return { failure: lost(node, `it adds entries to the vector axis ${role.groupAxis}`) };
  if (role.kind === "merged") return { failure: unknown(node, "it pads an axis that merges several axes, which it does not follow") };
  const axis = role.groupAxis;
  switch (group.group.kind) {
    case "translate":
      return padShiftedAxis(role, before, after, mode, node);
    case "flip":
    case "rotate90":
    case "dihedral":
      if (before !== after) return { failure: lost(node, `it pads ${axis} by ${before} before and ${after} after, which ${movesInWords(group)} do not preserve`) };
      return { role, effects: [] };
    default:
      return { failure: lost(node, `it adds entries to ${axis}, which permutations of ${axis} do not move`) };
  }
}

type GridRole = Extract<AxisRole, { kind: "grid" }>;

/** Shifts: wrap padding becomes (or cropping trims) a halo exactly; anything else is off at the borders. */
function padShiftedAxis(role: GridRole, before: number, after: number, mode: string, node: Node): AxisOutcome {
  const halo = { before: (role.halo?.before ?? 0) + before, after: (role.halo?.after ?? 0) + after };
  const withHalo = (next: typeof halo): GridRole => {
    const plain: GridRole = { kind: "grid", groupAxis: role.groupAxis, scale: role.scale };
    return next.before === 0 && next.after === 0 ? plain : { ...plain, halo: next };
  };
  const growing = before >= 0 && after >= 0;
  if (growing && mode === "wrap") {
    // Wrapping an axis that already has a halo repeats the halo too: its period is no longer the shifted core's.
    if (role.halo) return { failure: unknown(node, `it wraps ${role.groupAxis}, which already carries circular padding`) };
    return { role: withHalo(halo), effects: [] };
  }
  if (!growing && before <= 0 && after <= 0 && halo.before >= 0 && halo.after >= 0) return { role: withHalo(halo), effects: [] };
  const reason = growing ? `${mode} padding at the borders` : "cropping at the borders";
  return { role: withHalo({ before: 0, after: 0 }), effects: [{ node: node.name, reason }] };
}

export const padRules: ReadonlyMap<string, Rule> = new Map<string, Rule>([["Pad", pad]]);
