/**
 * The abstract values of the static analysis. For one symmetry, every tensor of the graph gets a
 * State that says how the group acts on it as a function of the model's inputs:
 * t(g.x) = g.t(x), with g acting on t as its roles say (exactly, or only approximately with the
 * reasons), or that the action is lost at a named node, or that an op was not understood.
 *
 * Soundness is the rule: a role is only ever attached to an axis when every op on the way is
 * known to carry it. Anything in doubt becomes `unknown`.
 */
import { listInWords } from "../../common/suggest";
import type { Node } from "../../onnx/model";

/** An exact fraction: how far a tensor axis moves per unit shift of the input's axis (1/2 after a stride of 2). */
export interface Ratio {
  num: number;
  den: number;
}

export const ONE: Ratio = { num: 1, den: 1 };

export function ratio(num: number, den: number): Ratio {
  const divisor = gcd(Math.abs(num), Math.abs(den));
  return { num: num / divisor, den: den / divisor };
}

export function timesRatio(a: Ratio, b: Ratio): Ratio {
  return ratio(a.num * b.num, a.den * b.den);
}

export function sameRatio(a: Ratio, b: Ratio): boolean {
  return a.num === b.num && a.den === b.den;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * How the group moves one axis of a tensor.
 * - `grid`: the axis is the group axis `groupAxis` of a spatial or set group (translate, flip,
 *   rotate90, dihedral, permute), sampled at `scale` cells per cell of the input. A `halo` is
 *   circular padding (mode wrap) still on the axis: `before` and `after` extra cells.
 * - `permutation`: a finite group's generators each permute the axis' entries (the regular
 *   representation of a group convolution's orientation axis, or a channel axis whose kernels
 *   are rotated copies of each other): (g.t)[i] = t[perms[g][i]] (then the spatial part).
 * - `geometric`: the 2- or 3-component axis `groupAxis` of a rotation group, rotated as a
 *   vector, a pseudovector, or a point (rotated and translated); or `product`: a sum of
 *   component-wise products u * v of two vectors (or two pseudovectors) along the axis, such as
 *   `Mul(d, d)`. Such a tensor is no vector, but its sum over the axis is a dot product, which
 *   rotations leave alone: only a sum (or mean) over the axis, a multiple by something constant
 *   along it, or a sum with another product keep it meaningful; everything else loses it.
 */
export type AxisRole =
  | { kind: "grid"; groupAxis: string; scale: Ratio; halo?: { before: number; after: number } }
  | { kind: "permutation"; perms: readonly (readonly number[])[] }
  | { kind: "geometric"; groupAxis: string; as: "vector" | "pseudovector" | "point" | "product" }
  | MergedRole;

/**
 * An axis that a Reshape or Flatten made by merging axes the group moves with others (`y` and `x`
 * with `channel` into one feature axis): `parts` are the merged axes' roles, outermost first,
 * with their `sizes` (entry `i` of the merged axis is the multi-index of `i` in `sizes`, row-major).
 * The group still moves its entries (parts are only `grid` or `permutation` roles, never
 * `geometric` or `merged`), so ops applied to each entry commute with it; but what it does to the
 * axis is no single role, and only rules that say they follow merged axes (rule.ts) may meet it:
 * a full reduction over it, a contraction that checks its weights, a reshape that splits it back.
 * Before any other rule, the engine loses the action, naming `via`, the node that merged the axes.
 */
export interface MergedRole {
  kind: "merged";
  parts: readonly (AxisRole | undefined)[];
  sizes: readonly number[];
  via: { node: string; opType: string };
}

/** A known effect that makes a symmetry hold only approximately, at a node. */
export interface Effect {
  node: string;
  reason: string;
}

/** Why an action was lost or not understood: the node, its op, and the reason in words. */
export interface Cause {
  node: string;
  opType: string;
  reason: string;
}

/**
 * - `acted`: t(g.x) = g.t(x) where g moves the axes with a role (one entry per axis, `undefined`
 *   where g does not move it) and multiplies the values by chi(g)^exponent (value groups: the
 *   sign for `negate`, s^exponent for `scale`; 0 elsewhere). A tensor with no role and exponent 0
 *   is invariant; its rank may then be unknown (`roles` empty). `approx` lists the effects that
 *   make the equation hold only approximately: each once, at most MAX_EFFECTS (acted, withEffect
 *   and mergeEffects keep it so).
 * - `lost`: a node provably breaks the action (the claim downstream is violated).
 * - `unknown`: an op on the way is not understood; the numeric check can decide.
 *
 * States, and the arrays and roles in them, are never modified once made: a state that an op
 * leaves as it is, is passed on itself rather than copied (see actedSharing).
 */
export type State =
  | { kind: "acted"; roles: readonly (AxisRole | undefined)[]; exponent: number; approx: readonly Effect[] }
  | { kind: "lost"; cause: Cause }
  | { kind: "unknown"; cause: Cause };

export type ActedState = Extract<State, { kind: "acted" }>;

/** The roles of a tensor whose rank is not known, and the effects of an exact action: shared, not made anew each time. */
const NO_ROLES: readonly (AxisRole | undefined)[] = [];
export const NO_EFFECTS: readonly Effect[] = [];

export const INVARIANT: State = { kind: "acted", roles: NO_ROLES, exponent: 0, approx: NO_EFFECTS };

export function isInvariant(state: State): boolean {
  return state.kind === "acted" && state.exponent === 0 && movesNoAxis(state);
}

export function acted(roles: readonly (AxisRole | undefined)[], exponent = 0, approx: readonly Effect[] = NO_EFFECTS): State {
  return { kind: "acted", roles: roles.length === 0 ? NO_ROLES : roles, exponent, approx: approx.length === 0 ? NO_EFFECTS : approx };
}

/**
 * The acted state with these roles, exponent and effects, sharing what the inputs already have:
 * the first of `inputs` that is exactly that state is returned itself, and else the first roles
 * equal to these are reused. Most ops of a network pass their input's action on unchanged, so a
 * deep network's walk then makes few new states. Roles count as equal only when they are the
 * same objects (sameRole ignores what a message names, such as the node that merged an axis).
 */
export function actedSharing(inputs: readonly State[], roles: readonly (AxisRole | undefined)[], exponent = 0, approx: readonly Effect[] = NO_EFFECTS): State {
  let sharedRoles: readonly (AxisRole | undefined)[] | undefined;
  for (const input of inputs) {
    if (input.kind !== "acted" || !identicalRoles(input.roles, roles)) continue;
    if (input.exponent === exponent && sameEffects(input.approx, approx)) return input;
    sharedRoles ??= input.roles;
  }
  return acted(sharedRoles ?? roles, exponent, approx);
}

function identicalRoles(a: readonly (AxisRole | undefined)[], b: readonly (AxisRole | undefined)[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let axis = 0; axis < a.length; axis++) if (a[axis] !== b[axis]) return false;
  return true;
}

function sameEffects(a: readonly Effect[], b: readonly Effect[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameEffect(a[i], b[i])) return false;
  return true;
}

export function lost(node: Node, reason: string): State {
  return { kind: "lost", cause: { node: node.name, opType: node.opType, reason } };
}

export function unknown(node: Node, reason: string): State {
  return { kind: "unknown", cause: { node: node.name, opType: node.opType, reason } };
}

/**
 * How many approximation effects a state keeps. One is enough to make a verdict approximate; a
 * few name the causes. Keeping all of them would make a deep network with zero padding in every
 * layer quadratic to analyse (each state would copy the list of every layer before it).
 */
export const MAX_EFFECTS = 6;

function sameEffect(a: Effect, b: Effect): boolean {
  return a.node === b.node && a.reason === b.reason;
}

/** The same state with one more approximation effect (no change to lost or unknown states). */
export function withEffect(state: State, effect: Effect): State {
  if (state.kind !== "acted" || state.approx.length >= MAX_EFFECTS || hasEffect(state.approx, effect)) return state;
  return acted(state.roles, state.exponent, [...state.approx, effect]);
}

export function sameRole(a: AxisRole | undefined, b: AxisRole | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind === "grid" && b.kind === "grid") {
    return a.groupAxis === b.groupAxis && sameRatio(a.scale, b.scale) && (a.halo?.before ?? 0) === (b.halo?.before ?? 0) && (a.halo?.after ?? 0) === (b.halo?.after ?? 0);
  }
  if (a.kind === "permutation" && b.kind === "permutation") {
    return a.perms.length === b.perms.length && a.perms.every((perm, g) => perm.length === b.perms[g].length && perm.every((v, i) => v === b.perms[g][i]));
  }
  if (a.kind === "geometric" && b.kind === "geometric") return a.groupAxis === b.groupAxis && a.as === b.as;
  if (a.kind === "merged" && b.kind === "merged") {
    return a.sizes.length === b.sizes.length && a.sizes.every((size, i) => size === b.sizes[i] && sameRole(a.parts[i], b.parts[i]));
  }
  return false;
}

/** The first merged axis among the states' roles, if any. */
export function firstMergedRole(states: readonly State[]): MergedRole | undefined {
  for (const state of states) {
    if (state.kind !== "acted") continue;
    for (const role of state.roles) if (role?.kind === "merged") return role;
  }
  return undefined;
}

/** `y and x with other axes`: what a merged axis is made of, in words. */
export function mergedPartsInWords(role: MergedRole): string {
  const names = [...new Set(role.parts.flatMap((part) => (part?.kind === "grid" ? [part.groupAxis] : part ? ["a permuted axis"] : [])))];
  const listed = listInWords(names, "and");
  return role.parts.some((part) => part === undefined) ? `${listed} with other axes` : listed;
}

/** The action lost at the node that merged the axes: an op that does not follow merged axes met one. */
export function lostAtMerge(role: MergedRole, reader: Node): State {
  const reason = `${role.via.node} merges ${mergedPartsInWords(role)} into one axis, which ${reader.name} (${reader.opType}) does not follow`;
  return { kind: "lost", cause: { node: role.via.node, opType: role.via.opType, reason } };
}

/** Whether every axis of the state has no role (ignoring the value exponent). */
export function movesNoAxis(state: ActedState): boolean {
  // A loop, not `every`: this runs for every input of every node.
  for (const role of state.roles) if (role !== undefined) return false;
  return true;
}

/**
 * The approximation effects of several states, in order, without repeats, at most MAX_EFFECTS.
 * Usually one state has effects and the others none or the same ones: that state's list (which
 * has no repeats either) is then the result itself, not a copy.
 */
export function mergeEffects(states: readonly ActedState[]): readonly Effect[] {
  let merged = NO_EFFECTS;
  for (const state of states) merged = merged.length === 0 ? state.approx : withMoreEffects(merged, state.approx);
  return merged;
}

/** The effects followed by those of `more` that they lack, up to MAX_EFFECTS: `effects` itself when none is added. */
export function withMoreEffects(effects: readonly Effect[], more: readonly Effect[]): readonly Effect[] {
  let extended: Effect[] | undefined;
  for (const effect of more) {
    const current = extended ?? effects;
    if (current.length >= MAX_EFFECTS) break;
    if (hasEffect(current, effect)) continue;
    extended ??= [...effects];
    extended.push(effect);
  }
  return extended ?? effects;
}

/** Loops rather than `some` and `find` with closures: these run for every node of the graph. */
function hasEffect(effects: readonly Effect[], effect: Effect): boolean {
  for (const e of effects) if (sameEffect(e, effect)) return true;
  return false;
}

/** The first input state that is lost or unknown (lost first: a known break is the stronger news). */
export function firstFailure(states: readonly State[]): Exclude<State, ActedState> | undefined {
  let firstUnknown: Exclude<State, ActedState> | undefined;
  for (const state of states) {
    if (state.kind === "lost") return state;
    if (state.kind === "unknown") firstUnknown ??= state;
  }
  return firstUnknown;
}
