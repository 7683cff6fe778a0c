/**
 * Contractions: MatMul, Gemm and Einsum, all read as Einsum does: each operand's axes get labels,
 * the output keeps some labels and sums over the others. A kept label keeps its role (a weight
 * applied along the feature axis keeps a permutation of the tokens: DeepSets, per-element MLPs).
 * A summed label that the group moves is fine in three cases:
 * 1. every operand with the label carries the same move of its entries (attention's
 *    softmax(Q K^T) V, `adj @ x` in a graph net): the sum runs over the same products, reordered;
 * 2. the operands without the move are constant weights that the move leaves alone (rows all
 *    equal along a permuted axis; periodic along a flattened (y, x) under shifts), checked on the
 *    weights;
 * 3. two vector axes of a rotation group (u . v): a dot product is invariant.
 * Anything else loses the action, naming the weights and their largest difference. Positions (the
 * points of SE and E) kept by a contraction stay positions only when the coefficients they are
 * combined with sum to 1 (checked on the constants). Value groups: the output is multilinear in
 * the operands, so their exponents add; Gemm's bias C is added as Add does.
 */
import { floatAttribute, intAttribute, stringAttribute } from "../../../onnx/attributes";
import type { Node } from "../../../onnx/model";
import { acted, isInvariant, lost, mergeEffects, movesNoAxis, sameRole, unknown, type ActedState, type AxisRole, type State } from "../domain";
import type { GraphFacts } from "../facts";
import type { AnalysisGroup } from "../groups";
import { followingMergedAxes, type Rule, type RuleInput } from "../rule";
import { axisInWords, checkFixedTensor, formatNumber, isZeroConstant, poolingProblem, rolesOf, sameExponent, staticSize, WEIGHT_TOLERANCE } from "./common";

/** One operand of a contraction: its value, its state, one label and one role per axis. */
interface Operand {
  value: string;
  state: ActedState;
  labels: readonly string[];
  roles: readonly (AxisRole | undefined)[];
}

/** A contraction written as Einsum would: labels per operand and the output's labels. */
interface Contraction {
  operands: readonly Operand[];
  output: readonly string[];
  /** A factor on every output entry (Gemm's alpha); 1 when absent. */
  factor?: number;
}

/** The operands with their roles, or the state that says why their ranks are not known. */
function operandsOf(node: Node, inputs: readonly ActedState[], facts: GraphFacts, count: number): { value: string; state: ActedState; roles: (AxisRole | undefined)[] }[] | State {
  const operands = [];
  for (let i = 0; i < count; i++) {
    const roles = rolesOf(inputs[i], node.inputs[i], facts);
    if (!roles) return unknown(node, `the rank of ${node.inputs[i]} is not known`);
    operands.push({ value: node.inputs[i], state: inputs[i], roles });
  }
  return operands;
}

/**
 * The output's state: kept labels keep their roles, summed ones must be summed over matched
 * moves, weights the moves leave alone, or two vectors; exponents add.
 */
function contract(node: Node, group: AnalysisGroup, facts: GraphFacts, { operands, output, factor = 1 }: Contraction): State {
  const diagonal = operands.find((operand) => new Set(operand.labels).size !== operand.labels.length);
  if (diagonal) return unknown(node, `it takes a diagonal of ${diagonal.value} (a label repeated in one operand), which the static analysis does not follow`);
  const labelRoles = new Map<string, AxisRole>();
  for (const label of new Set(operands.flatMap((operand) => operand.labels))) {
    const outcome = output.includes(label) ? keptRole(node, operands, label) : summedRole(node, group, operands, label);
    if ("failure" in outcome) return outcome.failure;
    if (outcome.role) labelRoles.set(label, outcome.role);
  }
  for (const operand of operands) {
    const problem = unmovedOperandProblem(node, group, facts, operand, operands, labelRoles, output);
    if (problem) return problem;
  }
  const positions = positionsThroughContraction(node, facts, operands, output, labelRoles, factor);
  if (positions && "failure" in positions) return positions.failure;
  const exponent = operands.reduce((sum, operand) => sum + operand.state.exponent, 0);
  const roles = output.map((label) => {
    const role = labelRoles.get(label);
    return positions && role?.kind === "geometric" && role.as === "point" ? { ...role, as: positions.as } : role;
  });
  return acted(roles, exponent, mergeEffects(operands.map((operand) => operand.state)));
}

/**
 * Positions (the points of SE and E) kept by a contraction. It is linear in the operand holding
 * them: each output entry is sum_j c_j p_j, with coefficients c made of the other operands, so
 * translating the points by t moves it by (sum_j c_j) t. It is a position where every entry's
 * coefficients sum to 1 (an average), a vector where they sum to 0 (a difference), and neither
 * otherwise (`W @ pos` with any W is no position). Undefined when no kept label holds positions.
 */
function positionsThroughContraction(node: Node, facts: GraphFacts, operands: readonly Operand[], output: readonly string[], labelRoles: ReadonlyMap<string, AxisRole>, factor: number): { as: "point" | "vector" } | { failure: State } | undefined {
  const label = output.find((candidate) => {
    const role = labelRoles.get(candidate);
    return role?.kind === "geometric" && role.as === "point";
  });
  if (label === undefined) return undefined;
  const holder = movedAlong(operands, label)[0];
  const sums = coefficientSums(facts, holder, operands.filter((operand) => operand !== holder), output);
  if (typeof sums === "string") return { failure: unknown(node, `it combines the positions along ${whereIn(holder, label)} with coefficients from ${sums}, so whether they sum to 1 (as positions need) cannot be told`) };
  const scaled = sums.map(({ sum, magnitude }) => ({ sum: sum * factor, tolerance: WEIGHT_TOLERANCE * Math.max(1, Math.abs(factor) * magnitude) }));
  if (scaled.every(({ sum, tolerance }) => Math.abs(sum - 1) <= tolerance)) return { as: "point" };
  if (scaled.every(({ sum, tolerance }) => Math.abs(sum) <= tolerance)) return { as: "vector" };
  const off = scaled.find(({ sum, tolerance }) => Math.abs(sum - 1) > tolerance && Math.abs(sum) > tolerance) ?? scaled[0];
  return { failure: lost(node, `it combines the positions along ${whereIn(holder, label)} with coefficients that sum to ${formatNumber(off.sum)}: translations move the result ${formatNumber(off.sum)} times as far, so it is neither a position nor a vector`) };
}

/** How many products the coefficient sums may take (a few milliseconds). */
const COEFFICIENT_BUDGET = 1e6;

/**
 * For each output entry, the sum of the coefficients that the other operands give the holder's
 * entries (and the sum of their absolute values, for the tolerance): the contraction with the
 * holder replaced by ones. The other operands must be known constants; a string says which is
 * not (or that the sums would take too long).
 */
function coefficientSums(facts: GraphFacts, holder: Operand, others: readonly Operand[], output: readonly string[]): { sum: number; magnitude: number }[] | string {
  const constants = others.map((operand) => facts.constant(operand.value));
  const missing = others.find((_, i) => constants[i] === undefined);
  if (missing) return `${missing.value}, which is not a known constant`;
  const sizes = new Map<string, number>();
  others.forEach((operand, i) => operand.labels.forEach((label, axis) => sizes.set(label, Math.max(sizes.get(label) ?? 1, constants[i]!.dims[axis]))));
  // Output entries differ only along the labels of the constants; the holder's summed labels each add a factor of their size.
  const free = output.filter((label) => sizes.has(label));
  for (const [axis, label] of holder.labels.entries()) {
    if (output.includes(label) || sizes.has(label)) continue;
    const size = staticSize(facts, holder.value, axis);
    if (size === undefined) return `the sum over ${whereIn(holder, label)}, whose size is not known`;
    sizes.set(label, size);
  }
  const summed = [...sizes.keys()].filter((label) => !output.includes(label));
  const labels = [...free, ...summed];
  const count = labels.reduce((product, label) => product * sizes.get(label)!, 1);
  if (count > COEFFICIENT_BUDGET) return `constants too large to sum over (${count} products)`;
  const entries = free.reduce((product, label) => product * sizes.get(label)!, 1);
  const sums = Array.from({ length: entries }, () => ({ sum: 0, magnitude: 0 }));
  const at = new Map<string, number>();
  for (let index = 0; index < count; index++) {
    let rest = index;
    for (let k = labels.length - 1; k >= 0; k--) {
      at.set(labels[k], rest % sizes.get(labels[k])!);
      rest = Math.floor(rest / sizes.get(labels[k])!);
    }
    let coefficient = 1;
    others.forEach((operand, i) => {
      const { dims, values } = constants[i]!;
      // A constant of one entry along a label is broadcast along it.
      const offset = operand.labels.reduce((flat, label, axis) => flat * dims[axis] + (dims[axis] === 1 ? 0 : at.get(label)!), 0);
      coefficient *= values[offset];
    });
    const entry = free.reduce((flat, label) => flat * sizes.get(label)! + at.get(label)!, 0);
    sums[entry].sum += coefficient;
    sums[entry].magnitude += Math.abs(coefficient);
  }
  return sums;
}

/** Where a label sits in an operand, in words: `axis 1 (token) of q`. */
function whereIn(operand: Operand, label: string): string {
  const axis = operand.labels.indexOf(label);
  return `${axisInWords(axis, operand.roles[axis])} of ${operand.value}`;
}

/** The operands that have the label and a role on it. */
function movedAlong(operands: readonly Operand[], label: string): Operand[] {
  return operands.filter((operand) => operand.labels.includes(label) && operand.roles[operand.labels.indexOf(label)] !== undefined);
}

function roleAt(operand: Operand, label: string): AxisRole {
  return operand.roles[operand.labels.indexOf(label)]!;
}

/**
 * A label the output keeps: the entries along it are multiplied elementwise across operands, so
 * the operands that move it must move it alike, and two vectors multiplied component by
 * component are not a vector any more.
 */
/** What a label comes to: the role its moved operands agree on (none: nothing moves it), or why they cannot. */
type LabelOutcome = { role: AxisRole | undefined } | { failure: State };

function keptRole(node: Node, operands: readonly Operand[], label: string): LabelOutcome {
  const moved = movedAlong(operands, label);
  if (moved.length === 0) return { role: undefined };
  const reference = roleAt(moved[0], label);
  const other = moved.find((operand) => !sameRole(roleAt(operand, label), reference));
  if (other) return { failure: lost(node, `it multiplies ${whereIn(moved[0], label)} with ${whereIn(other, label)}, which the group moves differently`) };
  if (reference.kind === "geometric" && moved.length > 1) {
    return { failure: lost(node, `it multiplies ${whereIn(moved[0], label)} and ${whereIn(moved[1], label)} component by component, which rotations do not commute with`) };
  }
  return { role: reference };
}

/**
 * A label summed over: cases 1 and 3 of the file's comment here (case 2, the weights, in
 * unmovedOperandProblem). The role stays attached to the label so that the weights are checked.
 */
function summedRole(node: Node, group: AnalysisGroup, operands: readonly Operand[], label: string): LabelOutcome {
  const moved = movedAlong(operands, label);
  if (moved.length === 0) return { role: undefined };
  const reference = roleAt(moved[0], label);
  if (reference.kind === "geometric") {
    const failure = dotProduct(node, group, operands, label);
    return failure ? { failure } : { role: undefined };
  }
  const other = moved.find((operand) => !sameRole(roleAt(operand, label), reference));
  if (other) return { failure: lost(node, `it contracts ${whereIn(moved[0], label)} with ${whereIn(other, label)}, which the group moves differently`) };
  for (const operand of moved) {
    // The sum must run over whole orbits of the group's moves: not one plane axis of a turn without the other, no circular padding.
    const problem = poolingProblem(operand.roles, [operand.labels.indexOf(label)], group, true);
    if (problem) return { failure: unknown(node, `${problem.replace(/^it pools over/, "it contracts")} (in ${operand.value})`) };
  }
  return { role: reference };
}

/**
 * u . v over a vector axis of a rotation group: rotations keep dot products; a reflection flips
 * the sign of a pseudovector's; a translation moves points, so points must not be dotted then.
 */
function dotProduct(node: Node, group: AnalysisGroup, operands: readonly Operand[], label: string): State | undefined {
  const having = operands.filter((operand) => operand.labels.includes(label));
  const moved = movedAlong(operands, label);
  const vector = whereIn(moved[0], label);
  if (having.length !== 2 || moved.length !== 2) {
    const weight = having.find((operand) => !moved.includes(operand));
    return lost(node, `it contracts ${vector} with ${weight ? weight.value : "more than one other operand"}: a weight matrix applied along a vector axis does not commute with rotations`);
  }
  const [a, b] = moved.map((operand) => roleAt(operand, label));
  if (a.kind !== "geometric" || b.kind !== "geometric" || a.groupAxis !== b.groupAxis) return lost(node, `it contracts ${vector} with ${whereIn(moved[1], label)}, which the group moves differently`);
  // A component-wise product (domain.ts) is made invariant by a plain sum over its axis only.
  if (a.as === "product" || b.as === "product") return lost(node, `it contracts a component-wise product of vectors along ${vector} with another tensor: only a plain sum over that axis is invariant`);
  const rotation = group.group.kind === "rotation" ? group.group : undefined;
  if (rotation?.translations && (a.as === "point" || b.as === "point")) return lost(node, `it takes the dot product of ${vector} and ${whereIn(moved[1], label)}, which changes when points are translated`);
  if (rotation?.reflections && (a.as === "pseudovector") !== (b.as === "pseudovector")) return lost(node, `it takes the dot product of a vector and a pseudovector, which changes sign under reflections`);
  return undefined;
}

/**
 * An operand that the group does not move along a label where the others are moved (or summed
 * over): where it has one entry it is broadcast, which is fine; otherwise it must be a constant
 * (weights) that the group's moves of those labels leave alone, checked on its values.
 */
function unmovedOperandProblem(node: Node, group: AnalysisGroup, facts: GraphFacts, operand: Operand, operands: readonly Operand[], labelRoles: ReadonlyMap<string, AxisRole>, output: readonly string[]): State | undefined {
  const missing = operand.labels.findIndex((label, axis) => labelRoles.has(label) && operand.roles[axis] === undefined && staticSize(facts, operand.value, axis) !== 1);
  if (missing < 0) return undefined;
  const label = operand.labels[missing];
  const mover = movedAlong(operands, label)[0];
  const summed = !output.includes(label);
  const meeting = summed ? `it contracts ${whereIn(mover, label)} with ${operand.value}` : `it multiplies ${whereIn(mover, label)} with ${operand.value}`;
  if (!isInvariant(operand.state)) {
    // Of unknown size, it may be broadcast (one entry) there: then nothing is wrong.
    const broadcastable = staticSize(facts, operand.value, missing) === undefined;
    return (broadcastable ? unknown : lost)(node, `${meeting}, which the group does not move along it`);
  }
  const check = checkFixedTensor(operand.value, operand.labels.map((other) => labelRoles.get(other)), (axis) => `axis ${axis}`, group, facts);
  if (check.kind === "varies") return lost(node, `${meeting}, which ${group.name} does not leave alone: ${check.reason}`);
  return check.kind === "unsure" ? unknown(node, `${meeting}: ${check.reason}`) : undefined;
}

// ---------------------------------------------------------------------------------------------
// MatMul, Gemm, Einsum as labelled contractions

/**
 * numpy's matmul: [..., n, k] x [..., k, m] -> [..., n, m], batch axes broadcast from the right;
 * a 1-D operand is a vector (its axis is k; n or m is then left out of the output).
 */
export function matmulLabels(rankA: number, rankB: number): { a: string[]; b: string[]; output: string[] } {
  const batch = Math.max(rankA - 2, rankB - 2, 0);
  const batchLabels = (rank: number) => Array.from({ length: Math.max(rank - 2, 0) }, (_, i) => `batch${batch - (rank - 2) + i}`);
  const a = rankA === 1 ? ["k"] : [...batchLabels(rankA), "n", "k"];
  const b = rankB === 1 ? ["k"] : [...batchLabels(rankB), "k", "m"];
  const output = [...Array.from({ length: batch }, (_, i) => `batch${i}`), ...(rankA > 1 ? ["n"] : []), ...(rankB > 1 ? ["m"] : [])];
  return { a, b, output };
}

/** The product alone, for MatMul and Gemm: value groups only need the exponents to add. */
function product(node: Node, group: AnalysisGroup, facts: GraphFacts, inputs: readonly ActedState[], labels: (ranks: number[]) => { a: string[]; b: string[]; output: string[] } | string, factor = 1): State {
  const [a, b] = inputs;
  if (movesNoAxis(a) && movesNoAxis(b)) return acted([], a.exponent + b.exponent, mergeEffects([a, b]));
  const operands = operandsOf(node, inputs, facts, 2);
  if (!Array.isArray(operands)) return operands;
  const labelled = labels(operands.map((operand) => operand.roles.length));
  if (typeof labelled === "string") return unknown(node, labelled);
  return contract(node, group, facts, {
    operands: [
      { ...operands[0], labels: labelled.a },
      { ...operands[1], labels: labelled.b },
    ],
    output: labelled.output,
    factor,
  });
}

const matmul: Rule = ({ node, group, inputs, facts }) => [product(node, group, facts, inputs, ([rankA, rankB]) => (rankA === 0 || rankB === 0 ? "an operand of MatMul is a scalar" : matmulLabels(rankA, rankB)))];

/**
 * Gemm: alpha * A' B' + beta * C with A' = A or A^T, B' = B or B^T (2-D). C is broadcast to the
 * output and added: like Add, it must be moved as the product is (or not vary where the product
 * is moved) and be changed by value groups as the product is, unless it is zero or beta is 0.
 */
const gemm: Rule = ({ node, group, inputs, facts }) => {
  const transA = intAttribute(node, "transA", 0) === 1;
  const transB = intAttribute(node, "transB", 0) === 1;
  const labels = ([rankA, rankB]: number[]) =>
    rankA !== 2 || rankB !== 2 ? `Gemm takes 2-D operands, and these have ranks ${rankA} and ${rankB}` : { a: transA ? ["k", "n"] : ["n", "k"], b: transB ? ["m", "k"] : ["k", "m"], output: ["n", "m"] };
  // alpha scales the coefficients that positions are combined with.
  const productState = product(node, group, facts, inputs, labels, floatAttribute(node, "alpha", 1));
  const bias = inputs[2];
  if (productState.kind !== "acted" || !bias || !node.inputs[2] || floatAttribute(node, "beta", 1) === 0) return [productState];
  return [addBias(node, group, facts, productState, node.inputs[2], bias)];
};

/** The product plus the bias C (broadcast from the right to the product's two axes). */
function addBias(node: Node, group: AnalysisGroup, facts: GraphFacts, productState: ActedState, biasValue: string, bias: ActedState): State {
  if (!sameExponent(group, productState.exponent, bias.exponent) && !isZeroConstant(facts, biasValue)) {
    return lost(node, `it adds the bias ${biasValue}, which ${group.name} does not change as it changes the product`);
  }
  const effects = mergeEffects([productState, bias]);
  if (movesNoAxis(productState) && movesNoAxis(bias)) return acted(productState.roles, productState.exponent, effects);
  const biasRoles = rolesOf(bias, biasValue, facts);
  if (!biasRoles || biasRoles.length > 2) return unknown(node, `the rank of the bias ${biasValue} is not known`);
  const outputRoles = productState.roles.length === 2 ? productState.roles : [undefined, undefined];
  const offset = 2 - biasRoles.length;
  for (let axis = 0; axis < 2; axis++) {
    const biasRole = axis >= offset ? biasRoles[axis - offset] : undefined;
    if (biasRole && !sameRole(biasRole, outputRoles[axis])) return lost(node, `it adds the bias ${biasValue}, which the group moves differently from the product along axis ${axis}`);
  }
  const missing = outputRoles.findIndex((role, axis) => role && axis >= offset && !biasRoles[axis - offset] && staticSize(facts, biasValue, axis - offset) !== 1);
  if (missing >= 0) {
    if (!isInvariant(bias)) {
      // Of unknown size, it may be broadcast (one entry) there: then nothing is wrong.
      const broadcastable = staticSize(facts, biasValue, missing - offset) === undefined;
      return (broadcastable ? unknown : lost)(node, `it adds the bias ${biasValue}, which the group does not move as it moves the product`);
    }
    const check = checkFixedTensor(biasValue, biasRoles.map((_, axis) => outputRoles[axis + offset]), (axis) => `axis ${axis}`, group, facts);
    if (check.kind === "varies") return lost(node, `it adds the bias ${biasValue}, which ${group.name} does not leave alone: ${check.reason}`);
    if (check.kind === "unsure") return unknown(node, check.reason);
  }
  return acted(outputRoles, productState.exponent, effects);
}

// ---------------------------------------------------------------------------------------------
// Einsum

/**
 * Reads an Einsum equation (`bij,bjk->bik`, `...qd,...kd->...qk`, implicit `ij,jk`) into labels
 * per operand and for the output, the ellipsis expanded to the operands' ranks (right-aligned, as
 * numpy broadcasts); a message when the equation does not fit the operands.
 */
export function einsumLabels(equation: string, ranks: readonly number[]): { inputs: string[][]; output: string[] } | string {
  const [left, right, extra] = equation.replace(/\s+/g, "").split("->");
  if (extra !== undefined) return `its equation "${equation}" has more than one ->`;
  const terms = left.split(",");
  if (terms.length !== ranks.length) return `its equation "${equation}" names ${terms.length} operands, and it has ${ranks.length}`;
  const termLetters = terms.map((term) => term.replace("...", ""));
  if (termLetters.some((letters) => !/^[A-Za-z]*$/.test(letters))) return `its equation "${equation}" is not one that the static analysis reads`;
  const ellipsisRanks = terms.map((term, i) => (term.includes("...") ? ranks[i] - termLetters[i].length : 0));
  if (ellipsisRanks.some((rank) => rank < 0) || terms.some((term, i) => !term.includes("...") && termLetters[i].length !== ranks[i])) {
    return `its equation "${equation}" does not fit operands of ranks ${ranks.join(", ")}`;
  }
  const broadcast = Math.max(0, ...ellipsisRanks);
  const ellipsis = (rank: number) => Array.from({ length: rank }, (_, i) => `...${broadcast - rank + i}`);
  const expand = (term: string, rank: number) => {
    const [before, after = ""] = term.split("...");
    return term.includes("...") ? [...before, ...ellipsis(rank), ...after] : [...term];
  };
  const inputs = terms.map((term, i) => expand(term, ellipsisRanks[i]));
  if (right !== undefined) return { inputs, output: expand(right, broadcast) };
  // Implicit output: the broadcast axes, then the letters that appear once, in alphabetical order.
  const letters = termLetters.join("");
  const once = [...new Set(letters)].filter((letter) => letters.indexOf(letter) === letters.lastIndexOf(letter)).sort();
  return { inputs, output: [...ellipsis(broadcast), ...once] };
}

const einsum: Rule = ({ node, group, inputs, facts }) => {
  if (inputs.every(movesNoAxis)) return [acted([], inputs.reduce((sum, state) => sum + state.exponent, 0), mergeEffects(inputs))];
  const operands = operandsOf(node, inputs, facts, inputs.length);
  if (!Array.isArray(operands)) return [operands];
  const equation = stringAttribute(node, "equation");
  if (equation === undefined) return [unknown(node, "it has no equation")];
  const labelled = einsumLabels(
    equation,
    operands.map((operand) => operand.roles.length),
  );
  if (typeof labelled === "string") return [unknown(node, labelled)];
  return [contract(node, group, facts, { operands: operands.map((operand, i) => ({ ...operand, labels: labelled.inputs[i] })), output: labelled.output })];
};

const RULES: [string, (input: RuleInput) => State[]][] = [
  ["MatMul", matmul],
  ["Gemm", gemm],
  ["Einsum", einsum],
];

/** Contractions keep a merged axis only as a kept label, sum over it only with matched moves or checked weights. */
export const matmulRules: ReadonlyMap<string, Rule> = new Map(RULES.map(([op, rule]) => [op, followingMergedAxes(rule)]));
