/**
 * Broadcasting binary and n-ary ops (Add, Mul, Where, comparisons...). Operands line up by numpy
 * broadcasting: trailing axes together, a missing or one-entry axis repeated.
 * - Groups that move entries: each output axis takes the role the operands give it, and they
 *   must agree. A fixed operand (a weight, a bias, an embedding) must be left alone by the group
 *   where it meets moved axes: a per-channel bias keeps shifts, a positional embedding that varies
 *   along the tokens breaks their permutations (checkFixedTensor, on its values).
 * - Value groups: sums need terms of one parity or degree (a zero bias adds nothing), products
 *   add degrees, quotients subtract them, a constant integer power multiplies them.
 * - Rotation groups: sums and differences of vectors are vectors, a difference of points is a
 *   vector, a point plus a vector a point; a vector times something constant along its axis is a
 *   vector; a product of two vectors component by component is a `product` (domain.ts), which
 *   only a sum over the axis (a dot product) makes invariant. Anything else acts on components
 *   one by one, which rotations do not commute with.
 */
import type { Dim, Node } from "../../../onnx/model";
import { intAttribute } from "../../../onnx/attributes";
import { acted, actedSharing, isInvariant, lost, mergeEffects, sameRole, unknown, type ActedState, type AxisRole, type State } from "../domain";
import { movesEntries } from "../groups";
import { followingMergedAxes, type Rule, type RuleInput } from "../rule";
import { axisInWords, checkFixedTensor, formatNumber, holdsPlaneAxis, isGroupOfValues, isZeroConstant, rankOf, sameExponent, significantDifference, trivialOnOneEntry, variationAlong } from "./common";

/** How an op combines its operands' values: what decides value groups and rotations. */
type Combination = "add" | "subtract" | "mean" | "extremum" | "multiply" | "divide" | "power" | "select" | "prelu" | "equal" | "order" | "logical" | "mod";

const COMBINATIONS: Readonly<Record<string, Combination>> = {
  Add: "add",
  Sum: "add",
  Sub: "subtract",
  Mean: "mean",
  Max: "extremum",
  Min: "extremum",
  Mul: "multiply",
  Div: "divide",
  Pow: "power",
  Where: "select",
  PRelu: "prelu",
  Equal: "equal",
  Less: "order",
  Greater: "order",
  LessOrEqual: "order",
  GreaterOrEqual: "order",
  And: "logical",
  Or: "logical",
  Xor: "logical",
  BitwiseAnd: "logical",
  BitwiseOr: "logical",
  BitwiseXor: "logical",
  BitShift: "logical",
  Mod: "mod",
};

/** `adds b`: what the op does with an operand, in messages. */
const VERBS: Readonly<Record<string, string>> = {
  add: "adds",
  subtract: "subtracts",
  mean: "averages in",
  Max: "takes the maximum with",
  Min: "takes the minimum with",
  multiply: "multiplies by",
  select: "selects",
  equal: "compares with",
  order: "compares with",
};

function verbOf(node: Node, combination: Combination): string {
  return VERBS[node.opType] ?? VERBS[combination] ?? "combines";
}

/** One input of the node, with what broadcasting needs to know of it. */
interface Operand {
  name: string;
  state: ActedState;
  /** Undefined when not known. */
  rank: number | undefined;
  /** Its shape, when known and of its rank (a stale value info of another rank says nothing about its axes). */
  shape: readonly Dim[] | undefined;
  /** Left alone by the group: weights, constants, inputs held fixed, and values computed from them only. */
  fixed: boolean;
}

type GeometricRole = Extract<AxisRole, { kind: "geometric" }>;

/** What an operand contributes to one output axis: its own axis there (if any), its role, and whether it has more than one entry along it. */
interface Part {
  axis: number | undefined;
  role: AxisRole | undefined;
  spread: boolean;
}

function broadcastRule(combination: Combination): Rule {
  return followingMergedAxes((input) => {
    const operands = input.node.inputs.map((name, i): Operand => {
      const state = input.inputs[i];
      const rank = name === "" ? 0 : rankOf(state, name, input.facts);
      const shape = name === "" ? undefined : input.facts.shape(name);
      return { name, state, rank, shape: shape?.length === rank ? shape : undefined, fixed: isInvariant(state) };
    });
    // Sum, Mean, Max and Min of one operand are that operand.
    if (operands.length === 1) return [operands[0].state];
    const group = input.group;
    const state = movesEntries(group.group) ? moveEntries(input, operands) : isGroupOfValues(group) ? scaleValues(input, operands, combination) : rotate(input, operands, combination);
    return [state];
  });
}

function outputRank(operands: readonly Operand[]): number | undefined {
  let rank = -Infinity;
  for (const operand of operands) {
    if (operand.rank === undefined) return undefined;
    rank = Math.max(rank, operand.rank);
  }
  return rank;
}

function partAt(operand: Operand, outputAxis: number, rank: number): Part {
  const axis = outputAxis - (rank - (operand.rank as number));
  return axis < 0 ? { axis: undefined, role: undefined, spread: false } : { axis, role: operand.state.roles[axis], spread: spreadsAlong(operand, outputAxis, rank) };
}

/*
 * roleAlong and spreadsAlong are partAt's role and spread without the object: moveEntries asks
 * them for every operand and axis of every Add and Mul of a network.
 */

function roleAlong(operand: Operand, outputAxis: number, rank: number): AxisRole | undefined {
  const axis = outputAxis - (rank - (operand.rank as number));
  return axis < 0 ? undefined : operand.state.roles[axis];
}

/** Whether the operand may have more than one entry along the output axis (false where it has no such axis). */
function spreadsAlong(operand: Operand, outputAxis: number, rank: number): boolean {
  const axis = outputAxis - (rank - (operand.rank as number));
  if (axis < 0) return false;
  const dim = operand.shape?.[axis];
  return dim?.kind !== "static" || dim.value !== 1;
}

function unknownRank(node: Node, operands: readonly Operand[]): State {
  const operand = operands.find((candidate) => candidate.rank === undefined) as Operand;
  return unknown(node, `the rank of ${operand.name} is not known, so how it broadcasts cannot be followed`);
}

// ---------------------------------------------------------------------------------------------
// Groups that move entries

/**
 * Every output axis takes the role of the operands that spread along it; they must agree. An
 * operand of one entry along an axis is the same all along it, which any move leaves alone.
 */
function moveEntries(input: RuleInput, operands: readonly Operand[]): State {
  const { node } = input;
  const rank = outputRank(operands);
  if (rank === undefined) return unknownRank(node, operands);
  const roles = new Array<AxisRole | undefined>(rank);
  for (let axis = 0; axis < rank; axis++) {
    const bearer = firstBearer(operands, axis, rank, 0);
    const role = bearer !== undefined ? roleAlong(operands[bearer], axis, rank) : roleOfOneEntry(input, operands, axis, rank);
    if (role === "unclear") return unknown(node, `only operands of one entry along axis ${axis} say how the group moves it`);
    const disagreeing = bearer !== undefined ? firstDisagreeing(operands, bearer, axis, rank, role) : undefined;
    if (bearer !== undefined && disagreeing !== undefined) {
      const [first, other] = [operands[bearer].name, operands[disagreeing].name];
      return lost(node, `${first} has ${axisInWords(axis, role)} where ${other} has ${axisInWords(axis, roleAlong(operands[disagreeing], axis, rank))}: the group moves them differently`);
    }
    roles[axis] = role;
  }
  for (const operand of operands) {
    const problem = operand.fixed ? fixedOperandProblem(input, operand, roles, rank) : movingOperandProblem(input, operand, roles);
    if (problem) return problem;
  }
  return actedSharing(input.inputs, roles, 0, mergeEffects(input.inputs));
}

/*
 * moveEntries runs for every Add and Mul of a network: its loop over axes calls these instead of
 * closures over the axis, and they build no arrays, which would add up.
 */

/** The first operand from `from` on that bears a role along the axis: one that moves it and has more than one entry there. */
function firstBearer(operands: readonly Operand[], axis: number, rank: number, from: number): number | undefined {
  for (let i = from; i < operands.length; i++) if (roleAlong(operands[i], axis, rank) && spreadsAlong(operands[i], axis, rank)) return i;
  return undefined;
}

/** The first bearer after `bearer` whose role along the axis is not `role`. */
function firstDisagreeing(operands: readonly Operand[], bearer: number, axis: number, rank: number, role: AxisRole | undefined): number | undefined {
  for (let i = firstBearer(operands, axis, rank, bearer + 1); i !== undefined; i = firstBearer(operands, axis, rank, i + 1)) {
    if (!sameRole(roleAlong(operands[i], axis, rank), role)) return i;
  }
  return undefined;
}

/**
 * The role of an output axis along which no operand with a role has more than one entry: the
 * role, when no operand spreads along it either (the output has one entry); none, when the roles
 * there do nothing to one entry (a shift of a single cell), so the spreading operands decide.
 */
function roleOfOneEntry(input: RuleInput, operands: readonly Operand[], axis: number, rank: number): AxisRole | undefined | "unclear" {
  let first: AxisRole | undefined;
  let spreads = false;
  for (const operand of operands) {
    first ??= roleAlong(operand, axis, rank);
    if (spreadsAlong(operand, axis, rank)) spreads = true;
  }
  if (first === undefined || !spreads) return first;
  for (const operand of operands) {
    const role = roleAlong(operand, axis, rank);
    if (role && !trivialOnOneEntry(role, input.group)) return "unclear";
  }
  return undefined;
}

/** A fixed operand must be left alone by the group where it meets moved axes. */
function fixedOperandProblem(input: RuleInput, operand: Operand, roles: readonly (AxisRole | undefined)[], rank: number): State | undefined {
  if (operand.name === "") return undefined;
  const offset = rank - (operand.rank as number);
  const check = checkFixedTensor(operand.name, roles.slice(offset), (axis) => axisInWords(axis + offset, roles[axis + offset]), input.group, input.facts);
  if (check.kind === "varies") return lost(input.node, check.reason);
  if (check.kind === "unsure") return unknown(input.node, check.reason);
  return undefined;
}

/**
 * An operand that depends on the input but does not move an axis that another moves: unless it
 * has one entry there, whether it is the same all along that axis cannot be told. Under quarter
 * turns it must also spread along both plane axes or neither (the turn swaps them).
 */
function movingOperandProblem(input: RuleInput, operand: Operand, roles: readonly (AxisRole | undefined)[]): State | undefined {
  const { node, group } = input;
  const rank = roles.length;
  // Loops and counts rather than findIndex, flatMap and filter: this runs for every Add and Mul of a network.
  for (let still = 0; still < rank; still++) {
    if (roles[still] === undefined || !spreadsAlong(operand, still, rank) || roleAlong(operand, still, rank) !== undefined) continue;
    return unknown(node, `${operand.name} does not move ${axisInWords(still, roles[still])}, which another operand moves, so whether it is the same all along it cannot be told`);
  }
  let planeAxes = 0;
  let spread = 0;
  let firstSpread = 0;
  for (let axis = 0; axis < rank; axis++) {
    if (!holdsPlaneAxis(roles[axis], group)) continue;
    planeAxes++;
    if (spreadsAlong(operand, axis, rank) && spread++ === 0) firstSpread = axis;
  }
  if (spread > 0 && spread < planeAxes) {
    return unknown(node, `${operand.name} spreads along ${axisInWords(firstSpread, roles[firstSpread])} but not along the other axis of ${group.name}'s plane`);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Value groups (negate, scale): exponents

/** The output's exponent, or the reason the op breaks the action. */
type ValueOutcome = { exponent: number } | { lost: string } | { unknown: string };

function scaleValues(input: RuleInput, operands: readonly Operand[], combination: Combination): State {
  const outcome = valueOutcome(input, operands, combination);
  if ("lost" in outcome) return lost(input.node, outcome.lost);
  if ("unknown" in outcome) return unknown(input.node, outcome.unknown);
  const rank = outputRank(operands);
  const roles = rank === undefined ? [] : Array.from({ length: rank }, () => undefined);
  return acted(roles, outcome.exponent, mergeEffects(operands.map((operand) => operand.state)));
}

function valueOutcome(input: RuleInput, operands: readonly Operand[], combination: Combination): ValueOutcome {
  const { node, group } = input;
  const negate = group.group.kind === "negate";
  const exponents = operands.map((operand) => operand.state.exponent);
  const odd = (exponent: number) => negate && !sameExponent(group, exponent, 0);
  switch (combination) {
    case "add":
    case "subtract":
    case "mean":
      return commonExponent(input, operands, combination);
    case "extremum":
      if (exponents.some(odd)) return { lost: `the ${node.opType === "Max" ? "maximum" : "minimum"} of values that change sign is not odd: max(-a, -b) = -min(a, b)` };
      return commonExponent(input, operands, combination);
    case "multiply":
      return { exponent: exponents.reduce((total, exponent) => total + exponent, 0) };
    case "divide":
      return { exponent: exponents[0] - exponents[1] };
    case "power":
      return powerExponent(input, operands);
    case "select":
      if (!sameExponent(group, exponents[0], 0)) return { lost: `its condition ${operands[0].name} changes when ${group.name} acts, so it selects other entries` };
      return commonExponent(input, operands.slice(1), combination);
    case "prelu":
      if (!sameExponent(group, exponents[1], 0)) return { lost: `its slope ${operands[1].name} changes when ${group.name} acts` };
      if (odd(exponents[0])) return { lost: "PRelu is neither odd nor even, so negating its input changes its output in no fixed way" };
      return { exponent: exponents[0] };
    case "equal":
      return comparison(commonExponent(input, operands, combination));
    case "order":
      if (exponents.some(odd)) return { lost: `negating the values it compares turns ${node.opType} around` };
      return comparison(commonExponent(input, operands, combination));
    case "logical":
      return { unknown: `${node.opType} of values that ${group.name} changes is not understood` };
    case "mod":
      // fmod=1: the remainder has the dividend's sign and ignores the divisor's, fmod(-a, ±b) = -fmod(a, b).
      // fmod=0: it has the divisor's sign, so only negating both negates it: mod(-a, -b) = -mod(a, b).
      if (negate && intAttribute(node, "fmod", 0) === 1) return { exponent: exponents[0] };
      if (negate && exponents.every(odd)) return { exponent: 1 };
      return { lost: negate ? "the remainder takes the divisor's sign (fmod=0), so negating the dividend alone does not negate it" : "the remainder does not scale with its operands" };
  }
}

/** A comparison's output is a boolean: left alone whenever the comparison is. */
function comparison(outcome: ValueOutcome): ValueOutcome {
  return "exponent" in outcome ? { exponent: 0 } : outcome;
}

/**
 * Sums, averages, maxima, selections and comparisons need every term to change the same way; a
 * constant of zeros is no term (it adds nothing, and compares with -0 the same).
 */
function commonExponent(input: RuleInput, operands: readonly Operand[], combination: Combination): ValueOutcome {
  const { group, facts } = input;
  const terms = operands.filter((operand) => !(operand.fixed && isZeroConstant(facts, operand.name)));
  if (terms.length === 0) return { exponent: 0 };
  const [first] = terms;
  const different = terms.find((term) => !sameExponent(group, term.state.exponent, first.state.exponent));
  if (!different) return { exponent: first.state.exponent };
  const negate = group.group.kind === "negate";
  const still = [first, different].find((term) => sameExponent(group, term.state.exponent, 0));
  const verb = verbOf(input.node, combination);
  if (still) {
    const how = negate ? "does not change sign with the input, so the output is not odd" : "does not scale with the input, so the output is not homogeneous";
    return { lost: `it ${verb} ${still.name}, which ${how}` };
  }
  return { lost: `it ${verb} terms of degree ${first.state.exponent} and ${different.state.exponent} in the input, so the output is not homogeneous` };
}

/** x^n with a constant n: the degree times n (for negate, the parity of integer n decides). */
function powerExponent(input: RuleInput, operands: readonly Operand[]): ValueOutcome {
  const { group, facts } = input;
  const [base, power] = operands;
  if (!power.fixed) return { lost: `its exponent ${power.name} changes when ${group.name} acts` };
  if (sameExponent(group, base.state.exponent, 0)) return { exponent: 0 };
  const values = facts.constant(power.name)?.values;
  if (!values || values.length === 0) return { unknown: `its exponent ${power.name} is not a known constant` };
  const powers = Array.from(values);
  if (group.group.kind === "negate") {
    if (!powers.every(Number.isInteger)) return { lost: `negative numbers have no real power ${powers.find((n) => !Number.isInteger(n))}` };
    const parities = new Set(powers.map((n) => Math.abs(n) % 2));
    if (parities.size > 1) return { lost: `its exponents ${power.name} are odd and even, so some entries change sign and others do not` };
    return { exponent: base.state.exponent * powers[0] };
  }
  if (powers.some((n) => n !== powers[0])) return { lost: `its exponents ${power.name} differ, so the entries scale with different degrees` };
  return { exponent: base.state.exponent * powers[0] };
}

// ---------------------------------------------------------------------------------------------
// Rotation groups: vectors, points, products

/** What one output axis becomes: a role (or none), or the state that ends the action. */
type AxisOutcome = { role: GeometricRole | undefined } | { state: State };

function rotate(input: RuleInput, operands: readonly Operand[], combination: Combination): State {
  const rank = outputRank(operands);
  if (rank === undefined) return unknownRank(input.node, operands);
  const roles: (AxisRole | undefined)[] = [];
  for (let axis = 0; axis < rank; axis++) {
    const parts = operands.map((operand) => partAt(operand, axis, rank));
    const outcome = parts.some((part) => part.role) ? rotatedAxis(input, operands, parts, axis, combination) : { role: undefined };
    if ("state" in outcome) return outcome.state;
    roles.push(outcome.role);
  }
  return acted(roles, 0, mergeEffects(operands.map((operand) => operand.state)));
}

function rotatedAxis(input: RuleInput, operands: readonly Operand[], parts: readonly Part[], axis: number, combination: Combination): AxisOutcome {
  const label = axisInWords(axis, parts.find((part) => part.role)?.role);
  switch (combination) {
    case "add":
    case "subtract":
    case "mean":
      return rotatedSum(input, operands, parts, label, combination);
    case "select":
      return rotatedSelection(input, operands, parts, label);
    case "multiply":
    case "divide":
      return rotatedProduct(input, operands, parts, label, combination);
    case "power":
      return rotatedPower(input, operands, parts, label);
    default:
      return { state: lost(input.node, `${input.node.opType} acts on each component of ${label} on its own, which rotations do not commute with`) };
  }
}

/**
 * A linear combination of vectors is a vector (pseudovectors apart: reflections treat them
 * differently). Points are rotated and translated: a combination whose point weights sum to 1
 * is a point (p + v, a mean of points), to 0 a vector (p - q); other sums move too far.
 */
function rotatedSum(input: RuleInput, operands: readonly Operand[], parts: readonly Part[], label: string, combination: Combination): AxisOutcome {
  const { node } = input;
  const verb = verbOf(node, combination);
  const stillTerm = stillTermProblem(input, operands, parts, label, verb);
  if (stillTerm) return { state: stillTerm };
  const weights = operands.map((_, i) => (combination === "mean" ? 1 / operands.length : combination === "subtract" && i === 1 ? -1 : 1));
  const terms = operands.flatMap((_, i) => (parts[i].role ? [{ role: parts[i].role as GeometricRole, weight: weights[i] }] : []));
  const kinds = new Set(terms.map((term) => term.role.as));
  if (kinds.has("product")) {
    if (kinds.size > 1) return { state: lost(node, `it ${verb} component-wise products and vectors along ${label}, whose sums rotations change`) };
    return { role: terms[0].role };
  }
  if (kinds.has("pseudovector") && kinds.size > 1) return { state: lost(node, `it ${verb} a pseudovector and a vector along ${label}, which reflections treat differently`) };
  if (!kinds.has("point")) return { role: terms[0].role };
  const pointWeight = terms.reduce((total, term) => total + (term.role.as === "point" ? term.weight : 0), 0);
  if (Math.abs(pointWeight - 1) < 1e-12) return { role: { ...terms[0].role, as: "point" } };
  if (Math.abs(pointWeight) < 1e-12) return { role: { ...terms[0].role, as: "vector" } };
  return { state: lost(node, `it combines positions along ${label} with total weight ${pointWeight}: translations move the result ${pointWeight} times as far, so it is neither a position nor a vector`) };
}

/**
 * An operand that rotations do not move along a rotated axis, added to it: only zeros keep the
 * action (a fixed offset is not rotated with the vector).
 */
function stillTermProblem(input: RuleInput, operands: readonly Operand[], parts: readonly Part[], label: string, verb: string): State | undefined {
  const { node, facts } = input;
  for (const [i, operand] of operands.entries()) {
    if (parts[i].role || operand.name === "" || (operand.fixed && isZeroConstant(facts, operand.name))) continue;
    if (!operand.fixed) return lost(node, `it ${verb} ${operand.name}, which rotations do not turn along ${label}`);
    if (facts.constant(operand.name)) return lost(node, `it ${verb} ${operand.name}, a fixed offset that rotations do not turn along ${label}`);
    return unknown(node, `it ${verb} ${operand.name} along ${label}, and whether that is zero cannot be told`);
  }
  return undefined;
}

/** Where(c, a, b) picks whole vectors only when its condition is the same for every component, and a and b move alike. */
function rotatedSelection(input: RuleInput, operands: readonly Operand[], parts: readonly Part[], label: string): AxisOutcome {
  const { node, facts } = input;
  const [condition, ...branches] = operands;
  const conditionProblem = sameAlongAxis(input, condition, parts[0], label, `its condition ${condition.name} picks components of ${label} one by one`);
  if (conditionProblem) return { state: conditionProblem };
  const role = parts.find((part) => part.role)?.role as GeometricRole;
  for (const [i, branch] of branches.entries()) {
    const part = parts[i + 1];
    const zero = branch.fixed && isZeroConstant(facts, branch.name);
    // A zero vector rotates into itself; a zero position does not translate.
    if ((zero && role.as !== "point") || sameRole(part.role, role)) continue;
    return { state: lost(node, `it selects between ${branches[0].name} and ${branches[1].name}, which rotations move differently along ${label}`) };
  }
  return { role };
}

/**
 * A vector times (or divided by) something that is the same for each of its components stays a
 * vector; two vectors multiplied component by component make a `product`. Points do not scale
 * (translations would scale too).
 */
function rotatedProduct(input: RuleInput, operands: readonly Operand[], parts: readonly Part[], label: string, combination: Combination): AxisOutcome {
  const { node, group } = input;
  if (combination === "divide" && parts[1].role) return { state: lost(node, `it divides by the components of ${label}`) };
  for (const [i, operand] of operands.entries()) {
    if (parts[i].role) continue;
    const problem = sameAlongAxis(input, operand, parts[i], label, `it multiplies the components of ${label} by different factors`);
    if (problem) return { state: problem };
  }
  const factors = parts.flatMap((part) => (part.role ? [part.role as GeometricRole] : []));
  const translations = group.group.kind === "rotation" && group.group.translations;
  if (factors.some((role) => role.as === "point") && translations) return { state: lost(node, `it scales positions along ${label}, which translations do not commute with`) };
  if (factors.length === 1) return { role: factors[0] };
  const [a, b] = factors;
  if (factors.length === 2 && a.as === b.as && (a.as === "vector" || a.as === "pseudovector")) return { role: { ...a, as: "product" } };
  return { state: lost(node, `it multiplies ${factors.map((role) => `${role.as}s`).join(" and ")} component by component along ${label}: no sum over the axis makes that invariant`) };
}

/** x^2 of a vector is the product of the vector with itself; other powers act on components one by one. */
function rotatedPower(input: RuleInput, operands: readonly Operand[], parts: readonly Part[], label: string): AxisOutcome {
  const { node, facts } = input;
  const [base, power] = parts;
  const oneByOne = lost(node, `it raises the components of ${label} to a power one by one, which rotations do not commute with`);
  if (power.role || base.role?.kind !== "geometric" || (base.role.as !== "vector" && base.role.as !== "pseudovector")) return { state: oneByOne };
  const powers = facts.constant(operands[1].name)?.values;
  if (!powers) return { state: unknown(node, `its exponent ${operands[1].name} is not a known constant`) };
  return Array.from(powers).every((n) => n === 2) ? { role: { ...base.role, as: "product" } } : { state: oneByOne };
}

/** An operand with no role along a rotated axis must be the same for each component: broadcast, or a constant equal all along it. */
function sameAlongAxis(input: RuleInput, operand: Operand, part: Part, label: string, problem: string): State | undefined {
  const { node, facts } = input;
  if (part.role) return lost(node, problem);
  if (!part.spread || operand.name === "") return undefined;
  if (!operand.fixed) return lost(node, `${problem}: ${operand.name} is not the same for each component`);
  const constant = facts.constant(operand.name);
  if (!constant) return unknown(node, `${operand.name} is not a known constant, so whether it is the same for each component of ${label} cannot be told`);
  const variation = variationAlong(constant, part.axis as number);
  return significantDifference(variation, constant) ? lost(node, `${problem}: ${operand.name} varies along it by up to ${formatNumber(variation)}`) : undefined;
}

export const binaryRules: ReadonlyMap<string, Rule> = new Map<string, Rule>(Object.entries(COMBINATIONS).map(([op, combination]) => [op, broadcastRule(combination)] as const));
