/**
 * Conv and ConvTranspose (1-D, 2-D, 3-D; layout [N, C, spatial...]).
 * - The batch axis passes through: the same convolution runs on every item.
 * - Spatial axes follow the sliding-window rules (window.ts): shifts with strides and padding,
 *   flips and turns with symmetric windows. A transposed convolution upsamples: shifts move its
 *   output s times as far, and its borders make them approximate.
 * - Flips and turns also need the kernels to commute with them (kernels.ts): the output's
 *   channels are then left alone (symmetric kernels) or permuted (turned copies of kernels, as
 *   in group convolutions), which the output channel axis' `permutation` role records.
 * - The channel axis is mixed by the weights: a group axis used as channels is lost.
 * - Value groups: a convolution is linear, so a factor on its input passes to its output unless
 *   a bias is added.
 */
import { intAttribute, intsAttribute, stringAttribute } from "../../../onnx/attributes";
import type { Node } from "../../../onnx/model";
import { acted, actedSharing, isInvariant, lost, mergeEffects, movesNoAxis, ratio, timesRatio, unknown, type ActedState, type AxisRole, type Effect, type State } from "../domain";
import type { GraphFacts } from "../facts";
import type { AnalysisGroup, Generator } from "../groups";
import { flipCells, identityCells, inverseTurnCells, kernelBank, matchChannels, type KernelBank } from "../kernels";
import type { Rule, RuleInput } from "../rule";
import { formatNumber, isZeroConstant, sameExponent, staticSizes, withEffects } from "./common";
import { movesInWords, planeAxes, planeProblem, readWindows, slideSpatialRoles, type SlideOutcome } from "./window";

const conv: Rule = (input) => {
  const { node, facts } = input;
  const prepared = prepare(input);
  if ("done" in prepared) return [prepared.done];
  const { kernel, spatialRoles } = prepared;
  const sizes = staticSizes(facts, node.inputs[0], 2, spatialRoles.length);
  const windows = readWindows(node, kernel, sizes);
  if (typeof windows === "string") return [unknown(node, windows)];
  const spatial = slideSpatialRoles(spatialRoles, windows, sizes, { node, group: input.group, borders: CONV_BORDERS, ceilMode: false });
  return [convolved(input, prepared, spatial, "conv")];
};

/**
 * ConvTranspose: y[o * s + k * d - pads_begin] += W[k] x[o], cropped by the pads and grown by
 * output_padding at the end. It reverses exactly when pads_begin = pads_end - output_padding
 * (the output's cells then pair up around its centre as the input's do); it moves by s per shift.
 */
const convTranspose: Rule = (input) => {
  const prepared = prepare(input);
  if ("done" in prepared) return [prepared.done];
  const geometry = transposedGeometry(input.node, prepared.kernel);
  if (typeof geometry === "string") return [unknown(input.node, geometry)];
  const spatial = transposedSpatialRoles(prepared.spatialRoles, geometry, input);
  return [convolved(input, prepared, spatial, "transposed")];
};

const CONV_BORDERS = { padding: "zero padding at the borders", shrinking: "the grid shrinks (valid convolution)" };

interface Prepared {
  kernel: number[];
  batch: AxisRole | undefined;
  channel: AxisRole | undefined;
  spatialRoles: (AxisRole | undefined)[];
}

/**
 * What both rules settle first: fixed weights, a value group's bias, an input whose axes the
 * group does not move (done then), a known kernel, and the batch and channel axes' roles.
 */
function prepare({ node, group, inputs, facts }: RuleInput): Prepared | { done: State } {
  const x = inputs[0];
  for (let i = 1; i < inputs.length; i++) if (!isInvariant(inputs[i])) return { done: unknown(node, "its weights or bias change with the model's input, which is not analysed") };
  const values = biasBreaksValues(node, group, x, facts);
  if (values) return { done: values };
  if (movesNoAxis(x)) return { done: acted(x.roles.map(() => undefined), x.exponent, mergeEffects(inputs)) };
  const kernel = intsAttribute(node, "kernel_shape") ?? facts.shape(node.inputs[1])?.slice(2).map((dim) => (dim.kind === "static" ? dim.value : undefined));
  if (!kernel || kernel.some((size) => size === undefined)) return { done: unknown(node, "the shape of its kernel is not known") };
  if (kernel.length !== x.roles.length - 2) return { done: unknown(node, `its kernel has ${kernel.length} spatial axes for an input of rank ${x.roles.length}`) };
  const [batch, channel] = x.roles;
  if (batch?.kind === "geometric" || batch?.kind === "merged") return { done: unknown(node, "the group moves its batch axis in a way that a convolution's bias is not checked against") };
  if (channel?.kind === "grid") return { done: lost(node, `it mixes the channels of its input with its weights, and the group moves them as ${channel.groupAxis}`) };
  if (channel?.kind === "geometric") return { done: lost(node, `it mixes the components of the vector axis ${channel.groupAxis} (its input's channels) with its weights`) };
  if (channel?.kind === "merged") return { done: unknown(node, "its channel axis merges several axes, which it does not follow") };
  return { kernel: kernel as number[], batch, channel, spatialRoles: x.roles.slice(2) };
}

/** The output state of a convolution from the spatial outcome and the kernel check. */
function convolved(input: RuleInput, prepared: Prepared, spatial: SlideOutcome, layout: "conv" | "transposed"): State {
  if ("failure" in spatial) return spatial.failure;
  const channel = channelRole(input, prepared, layout);
  if ("failure" in channel) return channel.failure;
  const x = input.inputs[0];
  return withEffects(actedSharing([x], [prepared.batch, channel.role, ...spatial.roles], x.exponent, mergeEffects(input.inputs)), spatial.effects);
}

/**
 * A convolution is linear: it keeps a value group's factor on its input unless it adds a bias
 * (conv(-x) + b is not -(conv(x) + b)). The failure, or undefined when the values pass.
 */
function biasBreaksValues(node: Node, analysis: AnalysisGroup, x: ActedState, facts: GraphFacts): State | undefined {
  const biasName = node.inputs[2];
  if (sameExponent(analysis, x.exponent, 0) || !biasName || isZeroConstant(facts, biasName)) return undefined;
  const verb = analysis.group.kind === "negate" ? "negat" : "scal";
  if (!facts.constant(biasName)) return unknown(node, `its bias ${biasName} is not a known constant, so whether ${verb}ing its input ${verb}es its output is not known`);
  return lost(node, `it adds a bias, so ${verb}ing its input does not ${verb}e its output`);
}

/**
 * The output channel axis' role: for flips and turns, the permutations pi of the output channels
 * with T^-1 W[o, sigma^-1(j)] = W[pi(o), j] (no role when every pi is the identity); for the other
 * groups the input channels are not moved (prepare made sure), nor are the output's.
 */
function channelRole(input: RuleInput, prepared: Prepared, layout: "conv" | "transposed"): { role: AxisRole | undefined } | { failure: State } {
  const { node, group, facts } = input;
  const sigma = prepared.channel?.kind === "permutation" ? prepared.channel.perms : undefined;
  const kernel = prepared.kernel;
  const transforms = group.generators.map((generator) => kernelTransform(generator, group, prepared));
  if (transforms.every((cells) => cells === undefined) && !sigma) return CHANNELS_LEFT_ALONE;
  const weights = facts.constant(node.inputs[1]);
  if (!weights) return { failure: unknown(node, `its weights ${node.inputs[1]} are not a known constant, so whether they commute with ${movesInWords(group)} is not known`) };
  const bank = kernelBank(weights, intAttribute(node, "group", 1), layout);
  if (typeof bank === "string") return { failure: unknown(node, bank) };
  if (bank.dims.join() !== kernel.join()) return { failure: unknown(node, `its weights' kernels (${bank.dims.join("x")}) do not have its kernel_shape (${kernel.join("x")})`) };
  if (sigma && sigma.some((perm) => perm.length !== bank.inputs)) return { failure: unknown(node, `its input's permuted channel axis does not have the ${bank.inputs} channels its weights expect`) };
  const biasName = node.inputs[2];
  const bias = biasName ? facts.constant(biasName)?.values : undefined;
  if (biasName && bias?.length !== bank.outputs) return { failure: unknown(node, `its bias ${biasName} is not a known constant of ${bank.outputs} entries, so whether it commutes with ${movesInWords(group)} is not known`) };
  const perms: number[][] = [];
  for (const [g, generator] of group.generators.entries()) {
    const cells = transforms[g] ?? identityCells(kernel);
    const match = matchChannels(bank, cells, sigma?.[g], bias);
    if (match.kind !== "matched") return { failure: lost(node, kernelMismatch(node, bank, match, generatorInWords(generator, group))) };
    perms.push(match.perm);
  }
  const identity = perms.every((perm) => perm.every((target, o) => target === o));
  return { role: identity ? undefined : { kind: "permutation", perms } };
}

const CHANNELS_LEFT_ALONE = { role: undefined };

/** Where T^-1 W reads W for one generator, on this convolution's spatial axes; undefined when T moves none of them. */
function kernelTransform(generator: Generator, analysis: AnalysisGroup, prepared: Prepared): number[] | undefined {
  const roles = prepared.spatialRoles;
  if (generator === "turn") {
    const { a, b } = planeAxes(roles, analysis);
    return a === undefined || b === undefined ? undefined : inverseTurnCells(prepared.kernel, a, b);
  }
  const group = analysis.group;
  const flipped = group.kind === "flip" ? group.axis : group.kind === "dihedral" ? group.axes[1] : undefined;
  const axis = roles.findIndex((role) => role?.kind === "grid" && role.groupAxis === flipped);
  return axis < 0 ? undefined : flipCells(prepared.kernel, axis);
}

function generatorInWords(generator: Generator, analysis: AnalysisGroup): string {
  const group = analysis.group;
  if (generator === "turn") return "quarter turns";
  return `flips of ${group.kind === "flip" ? group.axis : group.kind === "dihedral" ? group.axes[1] : "?"}`;
}

function kernelMismatch(node: Node, bank: KernelBank, match: Exclude<ReturnType<typeof matchChannels>, { kind: "matched" }>, moves: string): string {
  switch (match.kind) {
    case "asymmetric": {
      const permuted = bank.outputs > 1 ? ", even allowing a permutation of its output channels" : "";
      return `kernel of ${node.name} is not symmetric under ${moves}: largest difference ${formatNumber(match.largest)} (relative ${formatNumber(match.relative)})${permuted}`;
    }
    case "bias":
      return `its kernels under ${moves} match those of other output channels, but its bias differs between the channels they pair`;
    case "not one-to-one":
      return `its kernels under ${moves} each match some output channel's, but no permutation of its output channels pairs them one to one`;
  }
}

interface TransposedAxis {
  kernel: number;
  stride: number;
  dilation: number;
  padBegin: number;
  padEnd: number;
  outputPadding: number;
}

/** The per-axis geometry of a ConvTranspose, or why it is not followed. */
function transposedGeometry(node: Node, kernel: readonly number[]): TransposedAxis[] | string {
  const rank = kernel.length;
  const autoPad = stringAttribute(node, "auto_pad", "NOTSET");
  if (autoPad !== "NOTSET" && autoPad !== "VALID") return `its auto_pad ${autoPad} sets pads from the output shape, which is not analysed`;
  if (node.attributes.has("output_shape")) return "its output_shape attribute sets the pads, which is not analysed";
  const strides = intsAttribute(node, "strides") ?? kernel.map(() => 1);
  const dilations = intsAttribute(node, "dilations") ?? kernel.map(() => 1);
  const pads = autoPad === "VALID" ? undefined : intsAttribute(node, "pads");
  const outputPadding = intsAttribute(node, "output_padding") ?? kernel.map(() => 0);
  const padList = pads ?? new Array<number>(2 * rank).fill(0);
  if (strides.length !== rank || dilations.length !== rank || padList.length !== 2 * rank || outputPadding.length !== rank) {
    return `its strides, dilations, pads or output_padding do not have one entry per spatial axis (${rank})`;
  }
  return kernel.map((size, axis) => ({
    kernel: size,
    stride: strides[axis],
    dilation: dilations[axis],
    padBegin: padList[axis],
    padEnd: padList[axis + rank],
    outputPadding: outputPadding[axis],
  }));
}

/** The output's spatial roles of a ConvTranspose: upsampled shifts (approximate at the borders), symmetric flips and turns. */
function transposedSpatialRoles(roles: readonly (AxisRole | undefined)[], geometry: readonly TransposedAxis[], { node, group }: RuleInput): SlideOutcome {
  const plane = planeProblem(roles, { node, group }, (axis) => {
    const g = geometry[axis];
    return [
      ["kernel sizes", g.kernel],
      ["strides", g.stride],
      ["dilations", g.dilation],
      ["pads", `${g.padBegin}+${g.padEnd}`],
      ["output paddings", g.outputPadding],
    ];
  });
  if (plane) return { failure: plane };
  const outRoles: (AxisRole | undefined)[] = [];
  const effects: Effect[] = [];
  for (const [axis, role] of roles.entries()) {
    const g = geometry[axis];
    const pointwise = g.kernel === 1 && g.stride === 1 && g.padBegin === 0 && g.padEnd === 0 && g.outputPadding === 0;
    if (!role) {
      outRoles.push(undefined);
    } else if (role.kind !== "grid") {
      if (role.kind !== "permutation" || !pointwise) return { failure: unknown(node, "the group moves one of its spatial axes in a way a transposed convolution is not followed in") };
      outRoles.push(role);
    } else if (pointwise) {
      // One cell, stride 1, no padding: each entry on its own, whatever the group does to the axis.
      outRoles.push(role);
    } else if (group.group.kind === "translate") {
      outRoles.push({ kind: "grid", groupAxis: role.groupAxis, scale: timesRatio(role.scale, ratio(g.stride, 1)) });
      effects.push({ node: node.name, reason: "the borders of the transposed convolution" });
    } else if (group.group.kind === "permute") {
      return { failure: lost(node, `it spreads each entry of ${role.groupAxis} over its neighbours, which permutations of ${role.groupAxis} do not preserve`) };
    } else {
      if (role.halo) return { failure: unknown(node, `${role.groupAxis} still carries circular padding, which ${movesInWords(group)} are not analysed with`) };
      if (g.padBegin !== g.padEnd - g.outputPadding) {
        return { failure: lost(node, `it crops ${role.groupAxis} by ${g.padBegin} before and ${g.padEnd} after, with output_padding ${g.outputPadding} at the end: not symmetric, so ${movesInWords(group)} do not commute with it`) };
      }
      outRoles.push({ kind: "grid", groupAxis: role.groupAxis, scale: timesRatio(role.scale, ratio(g.stride, 1)) });
    }
  }
  return { roles: outRoles, effects };
}

export const convRules: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ["Conv", conv],
  ["ConvTranspose", convTranspose],
]);
