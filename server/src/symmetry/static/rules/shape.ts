/**
 * Shape ops: they move entries to other places without changing them, so what matters is where
 * each axis that the group moves ends up (a value group's exponent passes through untouched).
 * Reshape and Flatten track which input axes make each output axis: an axis alone keeps its role;
 * axes the group moves merged with others make a `merged` axis (domain.ts) that later rules may
 * reduce, contract against weights, or split back; an axis split in two keeps a permutation that
 * acts blockwise (a group convolution's [4 * C] channels become [4, C], the turn on the 4).
 * Cropping, picking or concatenating along an axis the group moves loses the action.
 */
import { intAttribute, intsAttribute } from "../../../onnx/attributes";
import type { Node } from "../../../onnx/model";
import { acted, isInvariant, lost, mergeEffects, movesNoAxis, ratio, sameRole, timesRatio, unknown, type ActedState, type AxisRole, type MergedRole, type State } from "../domain";
import type { GraphFacts } from "../facts";
import type { AnalysisGroup } from "../groups";
import { followingMergedAxes, type Rule, type RuleInput } from "../rule";
import { axisInWords, checkFixedTensor, intList, normalizeAxis, rolesOf, sameExponent, staticSize, trivialOnOneEntry } from "./common";

/** The same values, moving no axis: what a shape op makes of a tensor the group only scales or negates. */
function unmoved(x: ActedState): State {
  return acted([], x.exponent, x.approx);
}

/** A shape input (Reshape's target, Expand's shape, Slice's starts...) must not change with the group. */
function parametersMove(node: Node, inputs: readonly ActedState[]): State | undefined {
  const moving = inputs.findIndex((state, i) => i > 0 && !isInvariant(state));
  return moving < 0 ? undefined : unknown(node, `its parameter ${node.inputs[moving]} changes with the input, so where entries go depends on it`);
}

// ---------------------------------------------------------------------------------------------
// Transpose, Squeeze, Unsqueeze: axes move, appear or vanish whole

const transpose: Rule = ({ node, inputs }) => {
  const [x] = inputs;
  if (movesNoAxis(x)) return [x];
  const rank = x.roles.length;
  const perm = intsAttribute(node, "perm") ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const isPermutation = perm.length === rank && perm.every((axis, i) => axis >= 0 && axis < rank && perm.indexOf(axis) === i);
  if (!isPermutation) return [unknown(node, `its perm (${perm.join(" ")}) is not an order of the input's ${rank} axes`)];
  return [{ ...x, roles: perm.map((axis) => x.roles[axis]) }];
};

const unsqueeze: Rule = ({ node, inputs, facts }) => {
  const [x] = inputs;
  if (movesNoAxis(x)) return [unmoved(x)];
  const axes = intList(node, facts, "axes", 1, 13);
  if (axes.kind !== "known") return [unknown(node, "its axes are not a known constant")];
  const outputRank = x.roles.length + axes.values.length;
  const inserted = axes.values.map((axis) => normalizeAxis(axis, outputRank));
  if (inserted.some((axis) => axis === undefined) || new Set(inserted).size !== inserted.length) {
    return [unknown(node, `its axes (${axes.values.join(" ")}) do not fit an output of rank ${outputRank}`)];
  }
  const roles: (AxisRole | undefined)[] = [];
  let next = 0;
  for (let axis = 0; axis < outputRank; axis++) roles.push(inserted.includes(axis) ? undefined : x.roles[next++]);
  return [{ ...x, roles }];
};

const squeeze: Rule = ({ node, group, inputs, facts }) => {
  const [x] = inputs;
  if (movesNoAxis(x)) return [unmoved(x)];
  const rank = x.roles.length;
  const axes = intList(node, facts, "axes", 1, 13);
  if (axes.kind === "unknown") return [unknown(node, "its axes are not a known constant")];
  let removed: number[];
  if (axes.kind === "known") {
    const normalized = axes.values.map((axis) => normalizeAxis(axis, rank));
    if (normalized.some((axis) => axis === undefined)) return [unknown(node, `its axes (${axes.values.join(" ")}) do not fit an input of rank ${rank}`)];
    removed = normalized as number[];
  } else {
    // Without axes, Squeeze removes every axis of size 1: the sizes must be known.
    const sizes = x.roles.map((_, axis) => staticSize(facts, node.inputs[0], axis));
    if (sizes.some((size) => size === undefined)) return [unknown(node, "it removes every axis of size 1, and the input's sizes are not all known")];
    removed = sizes.flatMap((size, axis) => (size === 1 ? [axis] : []));
  }
  const blocking = removed.find((axis) => x.roles[axis] && !trivialOnOneEntry(x.roles[axis]!, group));
  if (blocking !== undefined) return [unknown(node, `it removes ${axisInWords(blocking, x.roles[blocking])}, of size 1, which ${group.name} moves together with other axes`)];
  return [{ ...x, roles: x.roles.filter((_, axis) => !removed.includes(axis)) }];
};

// ---------------------------------------------------------------------------------------------
// Reshape and Flatten: which input axes make each output axis

/**
 * A dimension for matching shapes: a size, or a symbol (a named dimension such as `batch`, or an
 * unknown one named after its place) that equals only itself.
 */
type Extent = number | string;

/** One input axis, or one part of a merged input axis, as the reshape sees it (row-major order). */
interface Atom {
  role: AxisRole | undefined;
  extent: Extent;
  /** The input axis it belongs to. */
  axis: number;
}

/** Input atoms `from` (indices into the atom list) make the output axes `to`, with equal products. */
interface Block {
  from: number[];
  to: number[];
}

function atomsOf(roles: readonly (AxisRole | undefined)[], extents: readonly Extent[]): Atom[] {
  return roles.flatMap((role, axis): Atom[] =>
    role?.kind === "merged" ? role.parts.map((part, i) => ({ role: part, extent: role.sizes[i], axis })) : [{ role, extent: extents[axis], axis }],
  );
}

/** The input's extents: its shape, else what the roles tell (a permutation's length, a merged axis' sizes). */
function inputExtents(facts: GraphFacts, value: string, roles: readonly (AxisRole | undefined)[]): Extent[] {
  const shape = facts.shape(value);
  return roles.map((role, axis) => {
    if (role?.kind === "merged") return role.sizes.reduce((product, size) => product * size, 1);
    const dim = shape?.length === roles.length ? shape[axis] : undefined;
    if (dim?.kind === "static") return dim.value;
    if (dim?.kind === "symbolic") return dim.name;
    return role?.kind === "permutation" ? role.perms[0]?.length ?? `?${axis}` : `?${axis}`;
  });
}

/**
 * Matches input atoms to output axes in order, in the smallest blocks of equal size: [N, 4, 8, 8]
 * -> [N, 256] gives {N -> N}, {4, 8, 8 -> 256}. Axes of size 1 form blocks of their own (added or
 * removed). Symbols match only themselves. Undefined when the shapes cannot be matched.
 */
function matchExtents(atoms: readonly Extent[], outputs: readonly Extent[]): Block[] | undefined {
  const blocks: Block[] = [];
  let i = 0;
  let j = 0;
  while (i < atoms.length || j < outputs.length) {
    if (i < atoms.length && atoms[i] === 1) blocks.push({ from: [i++], to: [] });
    else if (j < outputs.length && outputs[j] === 1) blocks.push({ from: [], to: [j++] });
    else if (i >= atoms.length || j >= outputs.length) return undefined;
    else if (typeof atoms[i] === "string" || typeof outputs[j] === "string") {
      if (atoms[i] !== outputs[j]) return undefined;
      blocks.push({ from: [i++], to: [j++] });
    } else {
      const block: Block = { from: [i], to: [j] };
      let inProduct = atoms[i++] as number;
      let outProduct = outputs[j++] as number;
      while (inProduct !== outProduct) {
        const next = inProduct < outProduct ? atoms[i] : outputs[j];
        if (typeof next !== "number") return undefined;
        if (inProduct < outProduct) {
          inProduct *= next;
          block.from.push(i++);
        } else {
          outProduct *= next;
          block.to.push(j++);
        }
      }
      blocks.push(block);
    }
  }
  return blocks;
}

/** The output's roles after regrouping, or the state that says why they cannot be followed. */
function regroup(node: Node, group: AnalysisGroup, x: ActedState, atoms: readonly Atom[], blocks: readonly Block[], outputExtents: readonly Extent[]): State {
  const roles: (AxisRole | undefined)[] = outputExtents.map(() => undefined);
  for (const block of blocks) {
    const blockAtoms = block.from.map((index) => atoms[index]);
    const stuck = blockAtoms.find((atom) => atom.extent === 1 && atom.role && !trivialOnOneEntry(atom.role, group));
    if (stuck) return unknown(node, `it moves ${axisInWords(stuck.axis, stuck.role)}, of size 1, which ${group.name} moves together with other axes`);
    // Axes of size 1 carry nothing the group does: only the others decide.
    const from = blockAtoms.filter((atom) => atom.extent !== 1);
    const to = block.to.filter((axis) => outputExtents[axis] !== 1);
    if (from.every((atom) => atom.role === undefined)) continue;
    const outcome = blockRoles(node, group, x, from, to.map((axis) => outputExtents[axis]));
    if (!Array.isArray(outcome)) return outcome;
    to.forEach((axis, i) => (roles[axis] = outcome[i]));
  }
  return { ...x, roles };
}

/** The roles of a block's output axes (`extents`) made of the input atoms `from`, at least one of which the group moves. */
function blockRoles(node: Node, group: AnalysisGroup, x: ActedState, from: readonly Atom[], extents: readonly Extent[]): (AxisRole | undefined)[] | State {
  if (from.length === 1 && extents.length === 1) return [from[0].role];
  if (from.length === 1) return splitAxis(node, group, from[0], extents);
  if (extents.length === 1) return merge(node, group, x, from);
  return lost(node, `it regroups ${listAtoms(from)} into other axes, which mixes entries that ${group.name} moves`);
}

function listAtoms(atoms: readonly Atom[]): string {
  return [...new Set(atoms.map((atom) => axisInWords(atom.axis, atom.role)))].join(", ");
}

/**
 * Several axes into one. Entry moves along the parts are still moves of the merged axis' entries,
 * so the action survives as a `merged` role; a vector axis mixed with others is not rotated as a
 * whole any more: lost. An axis that was already merged and passes whole keeps its marker.
 * One exception is exact: a shifted axis followed by axes the group does not move (PixelShuffle's
 * [y, r] -> y * r) is still shifted cyclically, r cells per cell: a grid role of r times the scale.
 */
function merge(node: Node, group: AnalysisGroup, x: ActedState, from: readonly Atom[]): [AxisRole] | State {
  const vector = from.find((atom) => atom.role?.kind === "geometric");
  if (vector) return lost(node, `it merges ${axisInWords(vector.axis, vector.role)} with other axes, so its components are no longer rotated as one vector`);
  const sizes = from.map((atom) => atom.extent);
  if (!sizes.every((size): size is number => typeof size === "number")) return unknown(node, `it merges ${listAtoms(from)} and not all of their sizes are known`);
  const [outer, ...inner] = from;
  if (group.group.kind === "translate" && outer.role?.kind === "grid" && !outer.role.halo && inner.every((atom) => atom.role === undefined)) {
    const cells = sizes.slice(1).reduce((product, size) => product * size, 1);
    return [{ ...outer.role, scale: timesRatio(outer.role.scale, ratio(cells, 1)) }];
  }
  const merged: MergedRole = { kind: "merged", parts: from.map((atom) => atom.role), sizes, via: { node: node.name, opType: node.opType } };
  const same = x.roles.find((role) => role?.kind === "merged" && sameRole(role, merged));
  return [same ?? merged];
}

/**
 * One axis into several. A permutation of the axis that acts on each part of the row-major
 * multi-index separately (pi(k * C + c) = pi'(k) * C + c) becomes permutation roles of the parts;
 * any other move of entries now spans several axes: lost.
 */
function splitAxis(node: Node, group: AnalysisGroup, atom: Atom, extents: readonly Extent[]): (AxisRole | undefined)[] | State {
  const role = atom.role!;
  const sizes = extents.filter((extent): extent is number => typeof extent === "number");
  const described = axisInWords(atom.axis, role);
  if (role.kind !== "permutation") return lost(node, `it splits ${described} into ${extents.length} axes, so ${group.name} no longer moves each of them on its own`);
  if (sizes.length !== extents.length) return unknown(node, `it splits ${described} into axes whose sizes are not all known`);
  const factors = role.perms.map((perm) => factorPermutation(perm, sizes));
  if (factors.some((factor) => factor === undefined)) return lost(node, `it splits ${described} into axes of sizes ${sizes.join(" and ")}, but ${group.name} permutes entries across them`);
  return sizes.map((_, part) => {
    const perms = factors.map((factor) => factor![part]);
    return perms.every((perm) => perm.every((to, from) => to === from)) ? undefined : { kind: "permutation", perms };
  });
}

/**
 * Per-part permutations when `perm`, over the entries of a row-major [sizes...] block, moves each
 * part of the multi-index on its own; undefined when it does not.
 */
export function factorPermutation(perm: readonly number[], sizes: readonly number[]): number[][] | undefined {
  const strides = sizes.map((_, part) => sizes.slice(part + 1).reduce((product, size) => product * size, 1));
  if (perm.length !== sizes.reduce((product, size) => product * size, 1)) return undefined;
  const digit = (index: number, part: number) => Math.floor(index / strides[part]) % sizes[part];
  const parts = sizes.map((size, part) => Array.from({ length: size }, (_, i) => digit(perm[i * strides[part]], part)));
  for (let index = 0; index < perm.length; index++) {
    const expected = parts.reduce((sum, partPerm, part) => sum + partPerm[digit(index, part)] * strides[part], 0);
    if (perm[index] !== expected) return undefined;
  }
  return parts;
}

/**
 * The output's extents from Reshape's target (a constant, or a shape vector with symbolic entries
 * such as PyTorch's flatten computes: `[batch, -1]`): 0 copies the input's dimension (unless
 * allowzero), one -1 or unknown entry takes what remains. Else the output's shape as inferred.
 */
function reshapeExtents(node: Node, facts: GraphFacts, inputs: readonly Extent[]): Extent[] | undefined {
  const target = facts.constant(node.inputs[1])?.values ?? facts.shapeVector(node.inputs[1]);
  return (target && targetExtents(Array.from(target), intAttribute(node, "allowzero", 0) === 1, inputs)) ?? outputExtents(facts, node.outputs[0]);
}

function targetExtents(target: readonly (number | string | undefined)[], allowZero: boolean, inputs: readonly Extent[]): Extent[] | undefined {
  const entries = target.map((value, axis): Extent | undefined => (value === 0 && !allowZero ? inputs[axis] : value === -1 ? undefined : value));
  const missing = entries.flatMap((entry, axis) => (entry === undefined ? [axis] : []));
  if (missing.length > 1) return undefined;
  if (missing.length === 1) {
    const rest = remainder(inputs, entries.filter((entry): entry is Extent => entry !== undefined));
    if (rest === undefined) return undefined;
    entries[missing[0]] = rest;
  }
  return entries as Extent[];
}

function outputExtents(facts: GraphFacts, value: string): Extent[] | undefined {
  return facts.shape(value)?.map((dim, axis) => (dim.kind === "static" ? dim.value : dim.kind === "symbolic" ? dim.name : `?out${axis}`));
}

/** What the input's extents leave for one more output dimension: a size, a symbol, or undefined when not known. */
function remainder(inputs: readonly Extent[], outputs: readonly Extent[]): Extent | undefined {
  const symbols = inputs.filter((extent): extent is string => typeof extent === "string");
  for (const symbol of outputs.filter((extent): extent is string => typeof extent === "string")) {
    const at = symbols.indexOf(symbol);
    if (at < 0) return undefined;
    symbols.splice(at, 1);
  }
  const product = (extents: readonly Extent[]) => extents.reduce<number>((p, extent) => (typeof extent === "number" ? p * extent : p), 1);
  const ratio = product(inputs) / product(outputs);
  if (!Number.isInteger(ratio)) return undefined;
  if (symbols.length === 0) return ratio;
  return symbols.length === 1 && ratio === 1 ? symbols[0] : undefined;
}

const reshape: Rule = ({ node, group, inputs, facts }) => {
  const [x] = inputs;
  const moving = parametersMove(node, inputs);
  if (moving) return [moving];
  if (movesNoAxis(x)) return [unmoved(x)];
  const extents = inputExtents(facts, node.inputs[0], x.roles);
  const outputs = reshapeExtents(node, facts, extents);
  if (!outputs) return [unknown(node, "its target shape is not known well enough to tell where the axes go")];
  const atoms = atomsOf(x.roles, extents);
  const blocks = matchExtents(
    atoms.map((atom) => atom.extent),
    outputs,
  );
  if (!blocks) return [unknown(node, `its input's shape (${extents.join(", ")}) and its output's (${outputs.join(", ")}) cannot be matched axis by axis`)];
  return [regroup(node, group, x, atoms, blocks, outputs)];
};

/** Flatten(axis = a): [d0 ... d(a-1)] make output axis 0, [da ... ] output axis 1. */
const flatten: Rule = ({ node, group, inputs, facts }) => {
  const [x] = inputs;
  if (movesNoAxis(x)) return [unmoved(x)];
  const rank = x.roles.length;
  const attribute = intAttribute(node, "axis", 1);
  const axis = attribute < 0 ? attribute + rank : attribute;
  if (axis < 0 || axis > rank) return [unknown(node, `its axis ${attribute} does not fit an input of rank ${rank}`)];
  const extents = inputExtents(facts, node.inputs[0], x.roles);
  const atoms = atomsOf(x.roles, extents);
  const outerAtoms = atoms.flatMap((atom, index) => (atom.axis < axis ? [index] : []));
  const innerAtoms = atoms.flatMap((atom, index) => (atom.axis >= axis ? [index] : []));
  const product = (indices: number[]): Extent => {
    const sizes = indices.map((index) => atoms[index].extent);
    return sizes.every((size) => typeof size === "number") ? sizes.reduce<number>((p, size) => p * (size as number), 1) : `?flat`;
  };
  const blocks = [
    { from: outerAtoms, to: [0] },
    { from: innerAtoms, to: [1] },
  ];
  return [regroup(node, group, x, atoms, blocks, [product(outerAtoms), product(innerAtoms)])];
};

// ---------------------------------------------------------------------------------------------
// Expand and Tile: copies of entries

/** Expand broadcasts axes of size 1 (and adds leading ones); an axis of another size stays as it is. */
const expand: Rule = ({ node, group, inputs, facts }) => {
  const [x] = inputs;
  const moving = parametersMove(node, inputs);
  if (moving) return [moving];
  if (movesNoAxis(x)) return [unmoved(x)];
  const target = facts.constant(node.inputs[1])?.values ?? facts.shapeVector(node.inputs[1]);
  if (!target) return [unknown(node, "the rank of its target shape is not known")];
  const rank = x.roles.length;
  const roles: (AxisRole | undefined)[] = Array.from({ length: Math.max(target.length - rank, 0) }, () => undefined);
  for (let axis = 0; axis < rank; axis++) {
    const role = x.roles[axis];
    // Shapes align from the right; a target entry that is not known may broadcast the axis.
    const entry = axis + target.length - rank >= 0 ? target[axis + target.length - rank] : 1;
    const broadcast = staticSize(facts, node.inputs[0], axis) === 1 && entry !== 1;
    if (role && broadcast && !trivialOnOneEntry(role, group)) return [unknown(node, `it copies ${axisInWords(axis, role)}, of size 1, which ${group.name} moves together with other axes`)];
    roles.push(broadcast ? undefined : role);
  }
  return [{ ...x, roles }];
};

/**
 * Tile repeats the whole axis. A cyclic shift or a flip of each copy is a cyclic shift or a flip
 * of the tiled axis (tile(x)[i] = x[i mod n], and n divides the new size), so grid roles of
 * translate and flip stay exact; any other move of a tiled axis is lost.
 */
const tile: Rule = ({ node, group, inputs, facts }) => {
  const [x] = inputs;
  const moving = parametersMove(node, inputs);
  if (moving) return [moving];
  if (movesNoAxis(x)) return [unmoved(x)];
  const repeats = facts.opset >= 6 ? facts.constant(node.inputs[1])?.values : undefined;
  for (let axis = 0; axis < x.roles.length; axis++) {
    const role = x.roles[axis];
    if (!role) continue;
    if (!repeats) return [unknown(node, "its repeats are not a known constant")];
    const copies = repeats[axis];
    const cyclic = role.kind === "grid" && !role.halo && (group.group.kind === "translate" || group.group.kind === "flip");
    if (copies !== 1 && !cyclic) return [lost(node, `it tiles ${axisInWords(axis, role)} ${copies} times, and ${group.name} does not move the copies as one axis`)];
  }
  return [x];
};

// ---------------------------------------------------------------------------------------------
// Concat, Split, Slice, Gather: parts of axes

/**
 * Concat along an axis that no operand's action moves: every other axis must be moved the same way
 * in every operand, and an operand the group does not move must be left alone by the group's
 * moves of those axes (the same all along them); concatenating along a moved axis puts entries
 * where the group does not send them.
 */
const concat: Rule = ({ node, group, inputs, facts }) => {
  const exponent = inputs[0].exponent;
  const mismatched = inputs.findIndex((state) => !sameExponent(group, state.exponent, exponent));
  if (mismatched >= 0) return [lost(node, `it concatenates ${node.inputs[0]} and ${node.inputs[mismatched]}, which ${group.name} changes differently`)];
  if (inputs.every(movesNoAxis)) return [acted([], exponent, mergeEffects(inputs))];
  const operandRoles = inputs.map((state, i) => rolesOf(state, node.inputs[i], facts));
  const rank = operandRoles.find((roles) => roles !== undefined)!.length;
  const axis = normalizeAxis(intAttribute(node, "axis", 0), rank);
  if (axis === undefined) return [unknown(node, `its axis does not fit inputs of rank ${rank}`)];
  const roles: (AxisRole | undefined)[] = [];
  for (let k = 0; k < rank; k++) {
    const moved = operandRoles.flatMap((operand) => (operand?.[k] ? [operand[k]] : []));
    const reference = moved[0];
    if (moved.some((role) => !sameRole(role, reference))) return [lost(node, `its inputs are moved differently along ${axisInWords(k, reference)}`)];
    if (reference && k === axis) return [lost(node, `it concatenates along ${axisInWords(k, reference)}, which ${group.name} moves, so entries end up where the group does not send them`)];
    roles.push(reference);
  }
  for (const [i, operand] of operandRoles.entries()) {
    const missing = roles.findIndex((role, k) => role !== undefined && operand?.[k] === undefined);
    if (missing < 0) continue;
    const problem = besideMovedAxes(node, group, facts, node.inputs[i], inputs[i], roles, missing);
    if (problem) return [problem];
  }
  return [acted(roles, exponent, mergeEffects(inputs))];
};

/** Why an operand that the group does not move along axis `missing` cannot sit beside operands it moves there. */
function besideMovedAxes(node: Node, group: AnalysisGroup, facts: GraphFacts, value: string, state: ActedState, roles: readonly (AxisRole | undefined)[], missing: number): State | undefined {
  const where = axisInWords(missing, roles[missing]);
  if (roles[missing]?.kind === "geometric") return lost(node, `it puts ${value}, which is not rotated, beside ${where}`);
  if (!isInvariant(state)) return lost(node, `${value} is not moved along ${where} like the other inputs`);
  const check = checkFixedTensor(value, roles, (axis) => axisInWords(axis, roles[axis]), group, facts);
  if (check.kind === "varies") return lost(node, check.reason);
  return check.kind === "unsure" ? unknown(node, check.reason) : undefined;
}

const split: Rule = ({ node, group, inputs }) => {
  const [x] = inputs;
  const moving = parametersMove(node, inputs);
  if (moving) return node.outputs.map(() => moving);
  if (movesNoAxis(x)) return node.outputs.map(() => unmoved(x));
  const axis = normalizeAxis(intAttribute(node, "axis", 0), x.roles.length);
  if (axis === undefined) return node.outputs.map(() => unknown(node, `its axis does not fit an input of rank ${x.roles.length}`));
  const role = x.roles[axis];
  if (role && node.outputs.length > 1) return node.outputs.map(() => lost(node, `it splits ${axisInWords(axis, role)}, which ${group.name} moves, into parts`));
  return node.outputs.map(() => x);
};

/** Large enough to mean "to the end" in Slice's ends (exporters write INT_MAX or INT64_MAX). */
const TO_THE_END = 2 ** 31 - 1;

/** What a slice keeps of an axis of `size` entries (undefined size: only the usual whole-axis forms are recognized). */
function sliceExtent(start: number, end: number, step: number, size: number | undefined): "whole" | "reversed" | "part" | undefined {
  if (size === undefined) {
    if (step === 1 && start === 0 && end >= TO_THE_END) return "whole";
    if (step === -1 && (start === -1 || start >= TO_THE_END) && end <= -TO_THE_END) return "reversed";
    return undefined;
  }
  const clamp = (value: number, low: number, high: number) => Math.min(Math.max(value < 0 ? value + size : value, low), high);
  if (step > 0) return clamp(start, 0, size) === 0 && clamp(end, 0, size) === size && step === 1 ? "whole" : "part";
  return clamp(start, 0, size - 1) === size - 1 && clamp(end, -1, size - 1) === -1 && step === -1 ? "reversed" : "part";
}

/**
 * Slice: an axis the group moves must be kept whole; reversed whole, it still commutes with flips.
 * Anything else is a crop, and the group moves entries in and out of it.
 */
const slice: Rule = ({ node, group, inputs, facts }) => {
  const [x] = inputs;
  const moving = parametersMove(node, inputs);
  if (moving) return [moving];
  if (movesNoAxis(x)) return [unmoved(x)];
  const rank = x.roles.length;
  const starts = intList(node, facts, "starts", 1, 10);
  const ends = intList(node, facts, "ends", 2, 10);
  const axes = intList(node, facts, "axes", 3, 10);
  const steps = facts.opset >= 10 && node.inputs[4] ? facts.constant(node.inputs[4])?.values : [];
  if (starts.kind !== "known" || ends.kind !== "known" || axes.kind === "unknown" || !steps) return [unknown(node, "its starts, ends, axes or steps are not known constants")];
  for (let i = 0; i < starts.values.length; i++) {
    const axis = normalizeAxis(axes.kind === "known" ? axes.values[i] : i, rank);
    if (axis === undefined) return [unknown(node, `its axes do not fit an input of rank ${rank}`)];
    const role = x.roles[axis];
    if (!role) continue;
    const kept = sliceExtent(starts.values[i], ends.values[i], steps[i] ?? 1, staticSize(facts, node.inputs[0], axis));
    if (kept === undefined) return [unknown(node, `the size of ${axisInWords(axis, role)} is not known, so it cannot tell whether the slice keeps all of it`)];
    if (kept === "reversed" && !(role.kind === "grid" && group.group.kind === "flip")) return [lost(node, `it reverses ${axisInWords(axis, role)}, which ${group.name} then moves the other way`)];
    if (kept === "part") return [lost(node, `it crops ${axisInWords(axis, role)} (from ${starts.values[i]} to ${ends.values[i]}), and ${group.name} moves entries in and out of the crop`)];
  }
  return [x];
};

/**
 * Gather along an axis the group does not move keeps the other roles, and the indices' axes take
 * its place: an embedding lookup of token ids moves with the tokens. Along a moved axis only
 * gathering every index in order is harmless.
 */
const gather: Rule = ({ node, group, inputs, facts }) => {
  const [data, indices] = inputs;
  if (indices.exponent !== 0) return [lost(node, `its indices ${node.inputs[1]} change with the input (${group.name} scales or negates them)`)];
  if (indices.roles.some((role) => role?.kind === "geometric")) return [lost(node, `its indices ${node.inputs[1]} are rotated as a vector`)];
  const dataRoles = rolesOf(data, node.inputs[0], facts);
  const indexRoles = rolesOf(indices, node.inputs[1], facts);
  if (!dataRoles || !indexRoles) {
    if (movesNoAxis(indices) && movesNoAxis(data)) return [unmoved(data)];
    return [unknown(node, "the ranks of its data and indices are not known")];
  }
  const axis = normalizeAxis(intAttribute(node, "axis", 0), dataRoles.length);
  if (axis === undefined) return [unknown(node, `its axis does not fit data of rank ${dataRoles.length}`)];
  const role = dataRoles[axis];
  if (role) {
    if (!movesNoAxis(indices)) return [unknown(node, `it gathers along ${axisInWords(axis, role)} at indices that the group moves too`)];
    const constant = facts.constant(node.inputs[1]);
    const size = staticSize(facts, node.inputs[0], axis);
    if (!constant || size === undefined) return [unknown(node, `it gathers along ${axisInWords(axis, role)}, which ${group.name} moves, at indices it cannot read`)];
    const picked = Array.from(constant.values, (index) => (index < 0 ? index + size : index));
    const everyIndexInOrder = constant.dims.length === 1 && picked.length === size && picked.every((index, i) => index === i);
    if (!everyIndexInOrder) return [lost(node, `it picks entries ${describeIndices(picked)} of ${axisInWords(axis, role)}, which ${group.name} moves`)];
  }
  const roles = [...dataRoles.slice(0, axis), ...(role ? [role] : indexRoles), ...dataRoles.slice(axis + 1)];
  return [acted(roles, data.exponent, mergeEffects(inputs))];
};

function describeIndices(indices: readonly number[]): string {
  return indices.length <= 6 ? `(${indices.join(" ")})` : `(${indices.slice(0, 6).join(" ")} ...)`;
}

// ---------------------------------------------------------------------------------------------
// ConstantOfShape and Range: values made from other values

/** The engine gives their outputs for invariant inputs; from inputs the group changes, nothing is known. */
const madeFromValues: Rule = ({ node }) => [unknown(node, `its output is made from the values of ${node.inputs.filter(Boolean).join(" and ")}, which change with the input`)];

const RULES: [string, (input: RuleInput) => State[]][] = [
  ["Transpose", transpose],
  ["Squeeze", squeeze],
  ["Unsqueeze", unsqueeze],
  ["Reshape", reshape],
  ["Flatten", flatten],
  ["Expand", expand],
  ["Tile", tile],
  ["Concat", concat],
  ["Split", split],
  ["Slice", slice],
  ["Gather", gather],
  ["ConstantOfShape", madeFromValues],
  ["Range", madeFromValues],
];

/** Every rule here keeps a merged axis only where it moves it whole, so they all follow merged axes. */
export const shapeRules: ReadonlyMap<string, Rule> = new Map(RULES.map(([op, rule]) => [op, followingMergedAxes(rule)]));
