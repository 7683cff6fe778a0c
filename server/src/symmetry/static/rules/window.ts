/**
 * Sliding windows (Conv and the pools): their geometry along each spatial axis, and how a window
 * moves the roles of the input's spatial axes.
 * - Shifts: a window commutes with cyclic shifts when it reads its input circularly (a halo of
 *   wrap padding at least as wide as the window needs, no padding of its own); otherwise the
 *   borders differ (an approximation effect). A stride s keeps only shifts by multiples of s:
 *   the output axis moves by 1/s of the input's shift, and a `translate` whose step does not
 *   make that a whole number of cells is broken at the strided node.
 * - Flips and quarter turns: the windows must be placed symmetrically about the axis' centre
 *   (and, for turns, be the same on both axes of the plane); the weights are checked elsewhere.
 * - Permutations, rotations of vector axes and regular representations only pass through
 *   windows of one cell, which do not mix neighbouring entries.
 */
import { intsAttribute, stringAttribute } from "../../../onnx/attributes";
import type { Node } from "../../../onnx/model";
import { lost, NO_EFFECTS, ratio, timesRatio, unknown, withMoreEffects, type AxisRole, type Effect, type Ratio, type State } from "../domain";
import type { AnalysisGroup } from "../groups";
import { windowsAlong } from "../inference/spatial";
import { planeOf } from "./common";

export interface Pads {
  begin: number;
  end: number;
}

/** One spatial axis of a sliding window. */
export interface Window {
  kernel: number;
  stride: number;
  dilation: number;
  /** Undefined when auto_pad SAME needs the input's size and it is not known. */
  pads: Pads | undefined;
}

/** How far the last tap of a window is from its first. */
export function windowSpan(window: Window): number {
  return window.dilation * (window.kernel - 1);
}

/** A window of one cell, stride 1 and no padding: it treats each entry of the axis on its own. */
export function isPointwise(window: Window): boolean {
  return windowSpan(window) === 0 && window.stride === 1 && window.pads?.begin === 0 && window.pads.end === 0;
}

/**
 * The windows of a node from its attributes (strides, dilations, pads, auto_pad), given the
 * kernel's spatial sizes and the input's (undefined where not known); a string says what is wrong.
 */
export function readWindows(node: Node, kernel: readonly number[], sizes: readonly (number | undefined)[]): Window[] | string {
  const rank = kernel.length;
  // Absent attributes are their defaults (strides and dilations 1, pads 0), read as such below.
  const strides = intsAttribute(node, "strides");
  const dilations = intsAttribute(node, "dilations");
  const pads = intsAttribute(node, "pads");
  const autoPad = stringAttribute(node, "auto_pad", "NOTSET");
  if ((strides && strides.length !== rank) || (dilations && dilations.length !== rank) || (pads && pads.length !== 2 * rank)) {
    return `its strides, dilations or pads do not have one entry per spatial axis (${rank})`;
  }
  if ((strides && !allPositiveIntegers(strides)) || (dilations && !allPositiveIntegers(dilations)) || !allPositiveIntegers(kernel)) return "its kernel shape, strides or dilations are not positive";
  if (!AUTO_PADS.has(autoPad)) return `its auto_pad ${autoPad} is not one ONNX defines`;
  // A plain loop, objects written out rather than spread: this runs for every Conv and pool of a network.
  const windows = new Array<Window>(rank);
  for (let axis = 0; axis < rank; axis++) {
    const stride = strides?.[axis] ?? 1;
    const dilation = dilations?.[axis] ?? 1;
    const axisPads = autoPad === "NOTSET" ? { begin: pads?.[axis] ?? 0, end: pads?.[axis + rank] ?? 0 } : autoPad === "VALID" ? { begin: 0, end: 0 } : samePads({ kernel: kernel[axis], stride, dilation }, sizes[axis], autoPad === "SAME_LOWER");
    windows[axis] = { kernel: kernel[axis], stride, dilation, pads: axisPads };
  }
  return windows;
}

const AUTO_PADS = new Set(["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"]);

function allPositiveIntegers(values: readonly number[]): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isInteger(values[i]) || values[i] < 1) return false;
  return true;
}

/** auto_pad SAME: enough padding for ceil(n / stride) outputs, the odd cell at the end (UPPER) or the beginning (LOWER). */
function samePads(window: Omit<Window, "pads">, size: number | undefined, lower: boolean): Pads | undefined {
  const needed = window.dilation * (window.kernel - 1) + 1;
  // With stride 1 the total is the window's span whatever the size.
  const total = window.stride === 1 ? needed - 1 : size === undefined ? undefined : Math.max(0, (Math.ceil(size / window.stride) - 1) * window.stride + needed - size);
  if (total === undefined) return undefined;
  const small = Math.floor(total / 2);
  return lower ? { begin: total - small, end: small } : { begin: small, end: total - small };
}

/** The number of windows along an axis of `size` cells (see windowsAlong: the one count of the analysis). */
export function windowCount(window: Window, pads: Pads, size: number, ceilMode: boolean): number {
  return windowsAlong(size, pads.begin, pads.end, windowSpan(window), window.stride, ceilMode);
}

/** What a node does at the borders, in the words of its approximation effects. */
export interface BorderWords {
  /** "zero padding at the borders" */
  padding: string;
  /** "the grid shrinks (valid convolution)" */
  shrinking: string;
}

export interface SlideContext {
  node: Node;
  group: AnalysisGroup;
  borders: BorderWords;
  ceilMode: boolean;
}

/** One axis' output role and effects, or the state that ends the analysis there. */
type AxisOutcome = { role: AxisRole | undefined; effects: readonly Effect[] } | { failure: State };

export type SlideOutcome = { roles: (AxisRole | undefined)[]; effects: readonly Effect[] } | { failure: State };

/**
 * The roles of the output's spatial axes from the input's (`roles`, `sizes` and `windows` all
 * list the spatial axes only), with the effects that make them approximate.
 */
export function slideSpatialRoles(roles: readonly (AxisRole | undefined)[], windows: readonly Window[], sizes: readonly (number | undefined)[], context: SlideContext): SlideOutcome {
  const plane = planeProblem(roles, context, (axis) => windowFacets(windows[axis], sizes[axis]));
  if (plane) return { failure: plane };
  const outRoles = new Array<AxisRole | undefined>(roles.length);
  let effects = NO_EFFECTS;
  for (let axis = 0; axis < roles.length; axis++) {
    const outcome = slideAxis(roles[axis], windows[axis], sizes[axis], context);
    if ("failure" in outcome) return outcome;
    outRoles[axis] = outcome.role;
    // Zero padding met on two axes is one effect, reported once.
    effects = withMoreEffects(effects, outcome.effects);
  }
  return { roles: outRoles, effects };
}

function slideAxis(role: AxisRole | undefined, window: Window, size: number | undefined, context: SlideContext): AxisOutcome {
  const { node, group } = context;
  if (!role) return { role, effects: NO_EFFECTS };
  if (role.kind === "grid") {
    switch (group.group.kind) {
      case "translate":
        return shiftThroughWindow(role, window, size, context);
      case "flip":
      case "rotate90":
      case "dihedral":
        return mirrorThroughWindow(role, window, size, context);
      default:
        return isPointwise(window) ? { role, effects: NO_EFFECTS } : { failure: lost(node, `it mixes neighbouring entries of ${role.groupAxis}, which permutations of ${role.groupAxis} do not preserve`) };
    }
  }
  if (role.kind === "permutation") {
    // A window of one cell treats each entry on its own, so it commutes with permuting them.
    return isPointwise(window) ? { role, effects: NO_EFFECTS } : { failure: unknown(node, "it slides a window along an axis that the group permutes (a regular representation), which is not analysed") };
  }
  if (role.kind === "geometric") {
    // Even a window of one cell applies its weights and bias to each component: not followed.
    return { failure: isPointwise(window) ? unknown(node, `it treats the components of the vector axis ${role.groupAxis} as cells`) : lost(node, `it slides a window along the vector axis ${role.groupAxis}, mixing its components`) };
  }
  return { failure: unknown(node, "one of its spatial axes merges several axes, which it does not follow") };
}

type GridRole = Extract<AxisRole, { kind: "grid" }>;

/** Cyclic shifts through a window: exact when it reads its input circularly, else approximate at the borders. */
function shiftThroughWindow(role: GridRole, window: Window, size: number | undefined, context: SlideContext): AxisOutcome {
  const { node, borders } = context;
  const stride = window.stride;
  const haloBefore = role.halo?.before ?? 0;
  const haloTotal = haloBefore + (role.halo?.after ?? 0);
  const core = size === undefined ? undefined : size - haloTotal;
  let reason: string | undefined;
  let halo: GridRole["halo"];
  if (!window.pads || window.pads.begin + window.pads.end > 0) {
    reason = borders.padding;
  } else if (haloTotal < windowSpan(window) + 1 - stride) {
    // Fewer windows than cells / stride: the ones that would wrap around are missing.
    reason = borders.shrinking;
  } else if (stride > 1 && (core === undefined || core % stride !== 0)) {
    reason = `the stride ${stride} ${core === undefined ? "may not divide the size of" : `does not divide the size ${core} of`} ${role.groupAxis}, so the wrap-around seam moves`;
  } else if (context.ceilMode && size !== undefined && windowCount(window, window.pads, size, true) !== windowCount(window, window.pads, size, false)) {
    reason = `ceil_mode adds a partial window at the end of ${role.groupAxis}`;
  } else {
    // The window reads the input circularly: the windows past core / stride repeat the first ones.
    const extra = stride === 1 ? haloTotal - windowSpan(window) : windowCount(window, window.pads, size!, false) - core! / stride;
    const before = Math.min(Math.floor(haloBefore / stride), extra);
    if (extra > 0) halo = { before, after: extra - before };
  }
  const effects = reason === undefined ? NO_EFFECTS : [{ node: node.name, reason }];
  // A window of stride 1 without circular padding on either side keeps the role as it is: shared, not copied.
  if (stride === 1 && !halo && !role.halo) return { role, effects };
  const scale = timesRatio(role.scale, ratio(1, stride));
  const broken = stride > 1 ? strideBreaksStep(role.groupAxis, stride, scale, context) : undefined;
  if (broken) return { failure: broken };
  return { role: { kind: "grid", groupAxis: role.groupAxis, scale, ...(halo ? { halo } : {}) }, effects };
}

/**
 * A `translate` with step k shifts this axis by k * scale cells; when that is not a whole number,
 * the strided node samples other cells of the shifted input, and the action is lost there.
 */
export function strideBreaksStep(axis: string, stride: number, scale: Ratio, context: Pick<SlideContext, "node" | "group">): State | undefined {
  const group = context.group.group;
  if (group.kind !== "translate" || (group.step * scale.num) % scale.den === 0) return undefined;
  const total = scale.num === 1 ? scale.den : undefined;
  const totalWords = total === stride ? "" : total !== undefined ? ` (total stride ${total} from the input)` : ` (the axis is at ${scale.num}/${scale.den} of the input's resolution)`;
  const step = lcm(group.step, scale.den);
  const options = [`step=${step}`, ...(group.margin > 0 ? [`margin=${group.margin}`] : [])];
  const suggestion = `translate(${[...group.axes, ...options].join(", ")})`;
  return lost(context.node, `it has stride ${stride} along ${axis}${totalWords}, so shifts by ${group.step} are not preserved: use ${suggestion}`);
}

function lcm(a: number, b: number): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a / gcd(a, b)) * b;
}

/** Flips and turns through a window: exact when the windows sit symmetrically about the axis' centre. */
function mirrorThroughWindow(role: GridRole, window: Window, size: number | undefined, context: SlideContext): AxisOutcome {
  const { node } = context;
  const axis = role.groupAxis;
  if (role.halo) return { failure: unknown(node, `${axis} still carries circular padding, which ${movesInWords(context.group)} are not analysed with`) };
  if (!window.pads) return { failure: unknown(node, `its auto_pad pads ${axis} by an amount that depends on its size, which is not known`) };
  const placement = windowPlacement(axis, window, window.pads, size, context.ceilMode);
  if (placement === "unknown size") return { failure: unknown(node, `the size of ${axis} is not known, so whether its windows with stride ${window.stride} sit symmetrically is not known`) };
  if (placement !== "symmetric") return { failure: lost(node, `${placement}, so ${movesInWords(context.group)} do not commute with it`) };
  if (window.stride === 1) return { role, effects: NO_EFFECTS };
  return { role: { kind: "grid", groupAxis: axis, scale: timesRatio(role.scale, ratio(1, window.stride)) }, effects: NO_EFFECTS };
}

/**
 * Whether the cells the windows read along `axis` (from the first tap of the first window to the
 * last tap of the last) sit symmetrically about its centre, as reversing the axis needs:
 * "symmetric", "unknown size", or what is off, in words.
 */
function windowPlacement(axis: string, window: Window, pads: Pads, size: number | undefined, ceilMode: boolean): string {
  if (size === undefined) {
    if (window.stride !== 1) return "unknown size";
    return pads.begin === pads.end ? "symmetric" : `it pads ${axis} by ${pads.begin} before and ${pads.end} after`;
  }
  const first = -pads.begin;
  const last = (windowCount(window, pads, size, ceilMode) - 1) * window.stride + windowSpan(window) - pads.begin;
  if (first + last === size - 1 && last <= size - 1 + pads.end) return "symmetric";
  return `its windows along ${axis} (kernel ${window.kernel}, stride ${window.stride}, pads ${pads.begin} and ${pads.end}) read cells ${first} to ${last} of 0 to ${size - 1}, not symmetric about the centre`;
}

/** `flips of x`, `quarter turns of the (y, x) plane`: the moves of a finite spatial group, in words. */
export function movesInWords(analysis: AnalysisGroup): string {
  const group = analysis.group;
  if (group.kind === "flip") return `flips of ${group.axis}`;
  if (group.kind === "rotate90") return `quarter turns of the (${group.axes.join(", ")}) plane`;
  if (group.kind === "dihedral") return `turns and flips of the (${group.axes.join(", ")}) plane`;
  return `the moves of ${analysis.name}`;
}

/** The spatial positions of the two plane axes of a turn group (undefined where absent). */
export function planeAxes(roles: readonly (AxisRole | undefined)[], analysis: AnalysisGroup): { a?: number; b?: number } {
  const plane = planeOf(analysis);
  if (!plane) return {};
  const find = (name: string) => {
    const index = roles.findIndex((role) => role?.kind === "grid" && role.groupAxis === name);
    return index < 0 ? undefined : index;
  };
  return { a: find(plane[0]), b: find(plane[1]) };
}

/** One property of a window along one axis, for comparing the two axes of a plane: [what, value]. */
export type WindowFacet = [what: string, value: string | number | undefined];

/** The facets of a sliding window that quarter turns need equal on both axes of the plane. */
function windowFacets(window: Window, size: number | undefined): WindowFacet[] {
  return [
    ["kernel sizes", window.kernel],
    ["strides", window.stride],
    ["dilations", window.dilation],
    ["pads", window.pads ? `${window.pads.begin}+${window.pads.end}` : undefined],
    ["sizes", size],
  ];
}

/**
 * For quarter turns, a window must look the same along both axes of the plane (a 3x5 kernel
 * turned is 5x3), and both axes must be there: why not, or undefined. Facets not known on
 * one axis (undefined) are not compared: the binder already makes declared plane axes equal.
 */
export function planeProblem(roles: readonly (AxisRole | undefined)[], context: Pick<SlideContext, "node" | "group">, facets: (axis: number) => WindowFacet[]): State | undefined {
  const plane = planeOf(context.group);
  if (!plane) return undefined;
  const { a, b } = planeAxes(roles, context.group);
  if (a === undefined && b === undefined) return undefined;
  if (a === undefined || b === undefined) {
    return unknown(context.node, `its input has ${plane[a === undefined ? 1 : 0]} but not ${plane[a === undefined ? 0 : 1]} among its spatial axes, so quarter turns are not followed`);
  }
  const [onA, onB] = [facets(a), facets(b)];
  const different = onA.find(([, value], index) => value !== undefined && onB[index][1] !== undefined && value !== onB[index][1]);
  if (!different) return undefined;
  const [what, valueOnA] = different;
  return lost(context.node, `it has ${what} ${valueOnA} and ${onB[onA.indexOf(different)][1]} on ${plane[0]} and ${plane[1]}, so ${movesInWords(context.group)} do not commute with it`);
}
