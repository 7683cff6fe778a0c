/**
 * A seeded generator of small random ONNX graphs with a spec, for the soundness cross-check of
 * the static analysis (soundness.test.ts). Each case is a model (a handful of ops on small
 * shapes, opsets 11 to 21), its declared inputs and output, one to four symmetries and a claim
 * for each.
 *
 * Graphs come from four templates: images [batch, channel, y, x] (Conv, Pad, pools, group
 * convolutions, flattening heads...), sequences [batch, token, feature] (attention, positional
 * embeddings, 1-D convolutions...), point clouds [batch, atom, xyz] (differences, norms, dot
 * products...) and graphs (an adjacency and node features). Weights, biases and embeddings are
 * often made symmetric under the case's first symmetry (kernels averaged over turns, embeddings
 * periodic with the step, weights constant along a permuted axis), so that many claims hold and
 * the analysis has something to prove; the others are random, so that many do not.
 *
 * The generator tracks, for every value, which declared axis each of its axes came from (its
 * label), only to declare the output's axes sensibly: whether a claim holds is decided by running
 * the model, never by these labels.
 */
import type { ActedTensor, ActingSymmetry } from "../../server/src/binding/actions";
import type { AxisKind, Group } from "../../server/src/binding/bound";
import { actOn } from "../../server/src/symmetry/numeric/actions";
import type { Dense } from "../../server/src/symmetry/numeric/dense";
import { finiteElement } from "../../server/src/symmetry/numeric/elements";
import { groupOrder } from "../../server/src/symmetry/static/groups";
import { GraphBuilder, floatTensor, int64Tensor, randomFloats, seededRandom } from "../support/onnxBuilder";

export type Template = "image" | "sequence" | "points" | "graph";

/** A symmetry of a case: a name and the group as the binder would read it from the spec. */
export type Symmetry = ActingSymmetry;

export interface DeclaredAxis {
  /** The axis name as declared; `_` for an axis no group acts on. */
  name: string;
  kind?: "vector" | "pseudovector" | "point";
  /** For an axis declared `NAME: SYMMETRY`: the finite symmetry whose regular representation it carries. */
  regularOf?: string;
}

export interface DeclaredTensor {
  name: string;
  /** The concrete shape the model runs with. */
  shape: readonly number[];
  axes: readonly DeclaredAxis[];
}

/** The tensor as the group actions read a declaration: a kind on every axis, as the binder gives one. */
export function actedTensor(tensor: DeclaredTensor): ActedTensor {
  const kindOf = (axis: DeclaredAxis): AxisKind => (axis.regularOf !== undefined ? "regular" : (axis.kind ?? "plain"));
  return { name: tensor.name, axes: tensor.axes.map((axis) => ({ name: axis.name, kind: kindOf(axis), regularOf: axis.regularOf })) };
}

const shift = (axes: string[], step: number): Group => ({ kind: "translate", axes, step, margin: 0 });

const rigid = (constructor: "SO" | "O" | "SE" | "E"): Group => ({
  kind: "rotation",
  constructor,
  axis: "xyz",
  reflections: constructor === "O" || constructor === "E",
  translations: constructor === "SE" || constructor === "E",
});

export interface Claim {
  kind: "invariant" | "equivariant";
  symmetry: string;
}

export interface RandomCase {
  seed: number;
  template: Template;
  /** What was built, step by step: for messages. */
  steps: string[];
  opset: number;
  model: GraphBuilder;
  inputs: DeclaredTensor[];
  output: DeclaredTensor;
  symmetries: Symmetry[];
  /** One per (claim, symmetry) pair, in the spec's order (the order of the static checks). */
  claims: Claim[];
  spec: string;
}

/** How a rotation group moves an axis of a value: tracked for the points template. */
type Geometry = "point" | "vector" | "product";

/** A value of the graph being built: its shape (batch 2) and the declared axis each of its axes came from. */
interface Value {
  name: string;
  shape: number[];
  labels: (string | undefined)[];
  geometry?: Geometry;
}

/** The label of a group convolution's orientation axis, which carries the regular representation. */
const ORIENT = "@orient";
/** The label of a channel axis of orientations times channels, orientation-major (a group convolution's flat output). */
const ORIENT_CHANNELS = "@orient-channels";
const BATCH = 2;
/** Each symmetry the template offers besides the first is claimed with this probability, up to MAX_SYMMETRIES in all. */
const OTHER_SYMMETRY = 0.4;
const MAX_SYMMETRIES = 4;

export function randomCase(seed: number): RandomCase {
  return new Generator(seed).build();
}

class Generator {
  readonly random: () => number;
  readonly graph = new GraphBuilder("random");
  readonly steps: string[] = [];
  readonly opset: number;
  readonly template: Template;
  readonly inputs: { value: Value; declared: DeclaredTensor }[] = [];
  /** Sizes of the declared axes, by name. */
  readonly sizes = new Map<string, number>();
  readonly symbolicBatch: boolean;
  symmetries: Symmetry[] = [];
  private count = 0;

  constructor(readonly seed: number) {
    this.random = seededRandom(seed * 7919 + 17);
    this.opset = this.pick([11, 13, 17, 19, 19, 21]);
    this.template = this.weighted<Template>([
      ["image", 5],
      ["sequence", 2],
      ["points", 3],
      ["graph", 1],
    ]);
    this.symbolicBatch = this.chance(0.5);
  }

  // -------------------------------------------------------------------------------------------
  // Randomness

  chance(p: number): boolean {
    return this.random() < p;
  }

  int(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  weighted<T>(items: readonly [T, number][]): T {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    let r = this.random() * total;
    for (const [item, weight] of items) if ((r -= weight) < 0) return item;
    return items[items.length - 1][0];
  }

  shuffled<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Graph building

  node(opType: string, inputs: string[], attributes: Parameters<GraphBuilder["node"]>[3] = {}): string {
    const name = `${opType.toLowerCase()}${this.count++}`;
    this.graph.node(opType, inputs, [name], attributes, { name });
    return name;
  }

  floats(dims: number[], values: ArrayLike<number>): string {
    const name = `w${this.count++}`;
    this.graph.initializer(name, floatTensor(dims, values));
    return name;
  }

  ints(values: (number | bigint)[]): string {
    const name = `i${this.count++}`;
    this.graph.initializer(name, int64Tensor([values.length], values));
    return name;
  }

  /** Random weights of about unit gain for `fanIn` inputs. */
  weights(count: number, fanIn: number): number[] {
    return randomFloats(count, this.random, Math.sqrt(3 / Math.max(fanIn, 1)));
  }

  input(name: string, shape: number[], labels: string[], axes: DeclaredAxis[], geometry?: Geometry): Value {
    const dims = shape.map((size, axis) => (axis === 0 && this.symbolicBatch ? "batch" : size));
    this.graph.input(name, "float", dims);
    labels.forEach((label, axis) => this.sizes.set(label, shape[axis]));
    const value: Value = { name, shape, labels, geometry };
    this.inputs.push({ value, declared: { name, shape, axes } });
    return value;
  }

  // -------------------------------------------------------------------------------------------
  // Ops whose form changed with the opset

  reduce(opType: string, x: Value, axes: number[], keepDims: boolean): Value {
    const axesAsInput = opType === "ReduceSum" ? this.opset >= 13 : this.opset >= 18;
    const keepdims = keepDims ? 1 : 0;
    const name = axesAsInput ? this.node(opType, [x.name, this.ints(axes)], { keepdims }) : this.node(opType, [x.name], { axes, keepdims });
    const kept = (axis: number) => !axes.includes(axis);
    return {
      name,
      shape: x.shape.flatMap((size, axis) => (kept(axis) ? [size] : keepDims ? [1] : [])),
      labels: x.labels.flatMap((label, axis) => (kept(axis) ? [label] : keepDims ? [undefined] : [])),
      geometry: x.geometry,
    };
  }

  unsqueeze(x: Value, axes: number[]): Value {
    const name = this.opset >= 13 ? this.node("Unsqueeze", [x.name, this.ints(axes)]) : this.node("Unsqueeze", [x.name], { axes });
    const shape = [...x.shape];
    const labels = [...x.labels];
    for (const axis of [...axes].sort((a, b) => a - b)) {
      shape.splice(axis, 0, 1);
      labels.splice(axis, 0, undefined);
    }
    return { name, shape, labels, geometry: x.geometry };
  }

  squeeze(x: Value, axes: number[] | undefined): Value {
    const removed = axes ?? x.shape.flatMap((size, axis) => (size === 1 ? [axis] : []));
    const name = axes === undefined ? this.node("Squeeze", [x.name]) : this.opset >= 13 ? this.node("Squeeze", [x.name, this.ints(axes)]) : this.node("Squeeze", [x.name], { axes });
    return { name, shape: x.shape.filter((_, axis) => !removed.includes(axis)), labels: x.labels.filter((_, axis) => !removed.includes(axis)), geometry: x.geometry };
  }

  transpose(x: Value, perm: number[]): Value {
    return { name: this.node("Transpose", [x.name], { perm }), shape: perm.map((axis) => x.shape[axis]), labels: perm.map((axis) => x.labels[axis]), geometry: x.geometry };
  }

  /** An elementwise op of two values, broadcast: labels where the operands agree (or only one has a size there). */
  binary(opType: string, a: Value, b: Value): Value {
    const rank = Math.max(a.shape.length, b.shape.length);
    const at = (v: Value, axis: number) => {
      const k = axis - (rank - v.shape.length);
      return k < 0 ? { size: 1, label: undefined } : { size: v.shape[k], label: v.labels[k] };
    };
    const shape: number[] = [];
    const labels: (string | undefined)[] = [];
    for (let axis = 0; axis < rank; axis++) {
      const [p, q] = [at(a, axis), at(b, axis)];
      shape.push(Math.max(p.size, q.size));
      labels.push(p.size === 1 ? q.label : q.size === 1 ? p.label : p.label === q.label ? p.label : undefined);
    }
    return { name: this.node(opType, [a.name, b.name]), shape, labels, geometry: a.geometry ?? b.geometry };
  }

  constantValue(dims: number[], values: ArrayLike<number>, labels: (string | undefined)[]): Value {
    return { name: this.floats(dims, values), shape: dims, labels };
  }

  // -------------------------------------------------------------------------------------------
  // Constants made symmetric under the first symmetry

  /**
   * The values, made invariant (with probability `p`) under the first symmetry's action on the
   * constant's axes, which carry `labels`: periodic with the step for shifts, averaged over the
   * group for flips and turns, constant along a permuted axis (or an orientation axis).
   */
  symmetrize(values: number[], dims: number[], labels: (string | undefined)[], p = 0.65): number[] {
    if (!this.chance(p)) return values;
    const group = this.symmetries[0].group;
    let dense: Dense = { shape: dims, data: Float64Array.from(values) };
    const along = (name: string) => labels.flatMap((label, axis) => (label === name && dims[axis] > 1 ? [axis] : []));
    for (const axis of [...along(ORIENT), ...along(ORIENT_CHANNELS)]) dense = constantAlong(dense, axis);
    if (group.kind === "translate") {
      for (const name of group.axes) for (const axis of along(name)) dense = periodicAlong(dense, axis, gcd(group.step, dims[axis]));
    } else if (group.kind === "permute") {
      for (const axis of along(group.axis)) dense = constantAlong(dense, axis);
    } else if (group.kind === "flip" || group.kind === "rotate90" || group.kind === "dihedral") {
      const plane = group.kind === "flip" ? [group.axis] : group.axes;
      const present = plane.map((name) => along(name));
      if (present.some((axes) => axes.length > 1)) return values;
      if (group.kind !== "flip" && present.some((axes) => axes.length === 0)) {
        // One plane axis without the other: turns move it into an axis the constant does not have.
        for (const axes of present) for (const axis of axes) dense = constantAlong(dense, axis);
      } else if (group.kind === "flip" || dims[present[0][0]] === dims[present[1][0]]) {
        dense = groupAverage(dense, labels, this.symmetries[0]);
      }
    }
    return Array.from(dense.data);
  }

  // -------------------------------------------------------------------------------------------
  // The case

  build(): RandomCase {
    const start = this.startTemplate();
    // Geometry survives few ops: point clouds get shorter chains, so that claims on them get proved (or not) often.
    const stepCount = this.template === "points" ? this.int(1, 3) : this.int(1, 5);
    let value = start;
    for (let step = 0; step < stepCount; step++) value = this.step(value);
    this.graph.node("Identity", [value.name], ["out"], {}, { name: "output" });
    const outputAxes = this.declareOutput(value);
    const dims = value.shape.map((size, axis) => (axis === 0 && this.symbolicBatch && value.labels[0] === "batch" ? "batch" : size));
    this.graph.output("out", "float", dims);
    const output: DeclaredTensor = { name: "out", shape: value.shape, axes: outputAxes };
    const claims = this.symmetries.map((symmetry) => ({ kind: this.claimKind(symmetry, output), symmetry: symmetry.name }));
    return {
      seed: this.seed,
      template: this.template,
      steps: this.steps,
      opset: this.opset,
      model: this.graph,
      inputs: this.inputs.map((input) => input.declared),
      output,
      symmetries: this.symmetries,
      claims,
      spec: this.specText(output, claims),
    };
  }

  private startTemplate(): Value {
    switch (this.template) {
      case "image":
        return this.startImage();
      case "sequence":
        return this.startSequence();
      case "points":
        return this.startPoints();
      case "graph":
        return this.startGraph();
    }
  }

  private startImage(): Value {
    const candidates: [Group, number][] = [
      [shift(["y", "x"], 1), 3],
      [shift(["y", "x"], 2), 1],
      [shift(["y", "x"], 4), 0.5],
      [shift(["x"], 1), 0.5],
      [shift(["y"], 1), 0.4],
      [{ kind: "flip", axis: "x" }, 1],
      [{ kind: "flip", axis: "y" }, 0.5],
      [{ kind: "rotate90", axes: ["y", "x"] }, 1.5],
      [{ kind: "rotate90", axes: ["x", "y"] }, 0.5],
      [{ kind: "dihedral", axes: ["y", "x"] }, 1],
      [{ kind: "dihedral", axes: ["x", "y"] }, 0.3],
      [{ kind: "permute", axis: "channel" }, 0.5],
      [{ kind: "negate", tensors: ["image"] }, 1],
      [{ kind: "scale", tensors: ["image"] }, 1],
    ];
    const first = this.weighted(candidates);
    const channels = first.kind === "permute" ? 3 : this.int(1, 3);
    const size = first.kind === "translate" && first.step === 4 ? 8 : this.pick([6, 8]);
    const image = this.input("image", [BATCH, channels, size, size], ["batch", "channel", "y", "x"], [{ name: "batch" }, { name: "channel" }, { name: "y" }, { name: "x" }]);
    this.chooseSymmetries(first, candidates);
    return image;
  }

  private startSequence(): Value {
    const candidates: [Group, number][] = [
      [{ kind: "permute", axis: "token" }, 3],
      [shift(["token"], 1), 1.5],
      [shift(["token"], 2), 0.5],
      [{ kind: "flip", axis: "token" }, 1],
      [{ kind: "permute", axis: "feature" }, 0.3],
      [{ kind: "negate", tensors: ["seq"] }, 1],
      [{ kind: "scale", tensors: ["seq"] }, 1],
    ];
    const first = this.weighted(candidates);
    const tokens = first.kind === "translate" && first.step === 2 ? 6 : this.int(4, 6);
    const seq = this.input("seq", [BATCH, tokens, this.int(3, 4)], ["batch", "token", "feature"], [{ name: "batch" }, { name: "token" }, { name: "feature" }]);
    this.chooseSymmetries(first, candidates);
    return seq;
  }

  private startPoints(): Value {
    const candidates: [Group, number][] = [
      [rigid("SO"), 1],
      [rigid("O"), 1],
      [rigid("SE"), 1],
      [rigid("E"), 1],
      [{ kind: "permute", axis: "atom" }, 1.5],
      [{ kind: "negate", tensors: ["pos"] }, 0.4],
      [{ kind: "scale", tensors: ["pos"] }, 0.4],
    ];
    const point = this.chance(0.7);
    const dimension = this.chance(0.8) ? 3 : 2;
    const atoms = this.int(3, 5);
    const pos = this.input("pos", [BATCH, atoms, dimension], ["batch", "atom", "xyz"], [{ name: "batch" }, { name: "atom" }, { name: "xyz", kind: point ? "point" : "vector" }], point ? "point" : "vector");
    if (this.chance(0.4)) this.input("charge", [BATCH, atoms], ["batch", "atom"], [{ name: "batch" }, { name: "atom" }]);
    this.chooseSymmetries(this.weighted(candidates), candidates);
    return pos;
  }

  private startGraph(): Value {
    const nodes = this.int(3, 5);
    this.input("adj", [BATCH, nodes, nodes], ["batch", "node", "node"], [{ name: "batch" }, { name: "node" }, { name: "node" }]);
    const feat = this.input("feat", [BATCH, nodes, this.int(2, 4)], ["batch", "node", "feature"], [{ name: "batch" }, { name: "node" }, { name: "feature" }]);
    const candidates: [Group, number][] = [
      [{ kind: "permute", axis: "node" }, 3],
      [{ kind: "negate", tensors: ["feat"] }, 1],
      [{ kind: "scale", tensors: ["feat"] }, 1],
      [{ kind: "scale", tensors: ["adj", "feat"] }, 0.5],
    ];
    this.chooseSymmetries(this.weighted(candidates), candidates);
    return feat;
  }

  /**
   * The first symmetry (the one constants are made symmetric for), and each other candidate with
   * probability OTHER_SYMMETRY, up to MAX_SYMMETRIES: one model, several claims. Value groups list
   * the output too, half of the time.
   */
  private chooseSymmetries(first: Group, candidates: readonly [Group, number][]): void {
    const others = candidates.map(([group]) => group).filter((group) => group !== first && this.chance(OTHER_SYMMETRY));
    const groups = [first, ...this.shuffled(others)].slice(0, MAX_SYMMETRIES);
    this.symmetries = groups.map((group, i) => {
      const listed = (group.kind === "negate" || group.kind === "scale") && this.chance(0.5) ? { ...group, tensors: [...group.tensors, "out"] } : group;
      return { name: `s${i}`, group: listed };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Steps

  private step(value: Value): Value {
    for (let attempt = 0; attempt < 20; attempt++) {
      const [name, build] = this.weighted(this.menu(value));
      const next = build(value);
      if (next) {
        this.steps.push(name);
        return next;
      }
    }
    return value;
  }

  /** The ops that may follow, with weights; each returns undefined when it does not apply to the value. */
  private menu(value: Value): [[string, (v: Value) => Value | undefined], number][] {
    const rank = value.shape.length;
    const common: [[string, (v: Value) => Value | undefined], number][] = [
      [["unary", (v) => this.unary(v)], 2],
      [["scalar", (v) => this.scalar(v)], 1],
      [["broadcast constant", (v) => this.broadcastConstant(v)], 2],
      [["reduce", (v) => this.reduceSome(v)], rank > 2 ? 1 : 0.3],
      [["softmax", (v) => this.softmax(v)], 0.7],
      [["layer norm", (v) => this.layerNorm(v)], 0.7],
      [["transpose", (v) => this.randomTranspose(v)], 0.6],
      [["residual", (v) => this.residual(v)], 0.8],
      [["concat", (v) => this.concatSelf(v)], 0.5],
      [["slice", (v) => this.slice(v)], 0.6],
      [["unsqueeze/squeeze", (v) => this.unsqueezeSqueeze(v)], 0.5],
      [["flatten + dense", (v) => this.flattenDense(v)], rank > 2 ? 0.5 : 0],
      [["reshape", (v) => this.reshapeMerge(v)], 0.5],
      [["matmul", (v) => this.matmulLast(v)], 0.8],
      [["mix axis 1", (v) => this.mixSecondAxis(v)], 0.6],
      [["einsum", (v) => this.einsum(v)], 0.4],
      [["batch norm", (v) => this.batchNorm(v)], 0.5],
      [["instance norm", (v) => this.instanceNorm(v)], 0.3],
      [["lp norm", (v) => this.lpNorm(v)], 0.3],
      [["extremum / where / clip", (v) => this.piecewise(v)], 0.8],
      [["power", (v) => this.power(v)], 0.4],
      [["gather", (v) => this.gather(v)], 0.4],
      [["split", (v) => this.split(v)], 0.3],
      [["tile / expand", (v) => this.tileOrExpand(v)], 0.4],
      [["top k / arg max", (v) => this.topOrArg(v)], 0.3],
      [["concat constant", (v) => this.concatConstant(v)], 0.4],
      [["plus own transpose", (v) => this.withOwnTranspose(v)], 0.4],
      [["gram over last axis", (v) => this.gramLast(v)], 0.3],
      [["root / reciprocal", (v) => this.rootOrReciprocal(v)], 0.4],
    ];
    const specific: [[string, (v: Value) => Value | undefined], number][] =
      this.template === "image"
        ? [
            [["conv", (v) => this.conv(v)], 4],
            [["pad", (v) => this.pad(v)], 1.5],
            [["pool", (v) => this.pool(v)], 1.2],
            [["global pool", (v) => this.globalPool(v)], 0.6],
            [["group conv", (v) => this.groupLift(v)], 1.5],
            [["group conv on orientations", (v) => this.groupConv(v)], 4],
            [["circular conv", (v) => this.circularConv(v)], 1.5],
            [["conv transpose", (v) => this.convTranspose(v)], 0.6],
            [["resize", (v) => this.resize(v)], 0.6],
          ]
        : this.template === "sequence"
          ? [
              [["attention", (v) => this.attention(v)], 2],
              [["conv1d", (v) => this.conv1d(v)], 1.5],
              [["pad", (v) => this.pad(v)], 0.3],
            ]
          : this.template === "points"
            ? [
                [["centroid", (v) => this.centroid(v)], 1.5],
                [["pairwise differences", (v) => this.pairwise(v)], 2],
                [["squared norm", (v) => this.squaredNorm(v)], 2],
                [["scaled vector", (v) => this.scaledVector(v)], 1.5],
                [["gram", (v) => this.gram(v)], 1],
                [["linear on xyz", (v) => this.linearOnAxis(v)], 0.8],
                [["times charge", (v) => this.timesCharge(v)], 0.8],
                [["mix atoms", (v) => this.mixSecondAxis(v)], 1.5],
              ]
            : [
                [["propagate", (v) => this.propagate(v)], 3],
                [["attention", (v) => this.attention(v)], 1],
              ];
    // Point clouds keep their geometry only through a few ops: weigh those more.
    const damping = this.template === "points" ? 0.35 : 1;
    return [...common.map(([entry, weight]): [[string, (v: Value) => Value | undefined], number] => [entry, weight * damping]), ...specific];
  }

  private nonBatchAxes(v: Value): number[] {
    return v.shape.map((_, axis) => axis).filter((axis) => axis > 0);
  }

  // --- elementwise ---------------------------------------------------------------------------

  private unary(v: Value): Value {
    // Vectors and points pass only linear ops: try those more often on them.
    const op = this.pick(v.geometry ? ["Neg", "Neg", "Identity", "Relu", "Tanh", "Abs"] : ["Relu", "Tanh", "Sigmoid", "Abs", "Neg"]);
    return { ...v, name: this.node(op, [v.name]) };
  }

  private scalar(v: Value): Value {
    const op = this.pick(["Add", "Mul", "Sub", "Sub"]);
    const c = this.chance(0.15) && op !== "Mul" ? 0 : (this.chance(0.5) ? 1 : -1) * (0.3 + this.random());
    const constant = this.constantValue(this.chance(0.5) ? [] : [1], [c], []);
    return this.chance(0.5) || op !== "Sub" ? { ...this.binary(op, v, constant), labels: v.labels } : { ...this.binary(op, constant, v), labels: v.labels };
  }

  /** Add, Mul, Sub or Div with a constant over some trailing axes: a bias per channel, a positional embedding... */
  private broadcastConstant(v: Value): Value | undefined {
    const rank = v.shape.length;
    if (rank < 2) return undefined;
    const constantRank = this.int(1, rank);
    const offset = rank - constantRank;
    const dims = v.shape.slice(offset).map((size, k): number => (offset + k === 0 ? 1 : this.chance(0.6) ? size : 1));
    if (dims.every((size) => size <= 1)) dims[dims.length - 1] = v.shape[rank - 1];
    const labels = v.labels.slice(offset).map((label, k) => (dims[k] > 1 ? label : undefined));
    const op = this.weighted([
      ["Add", 5],
      ["Mul", 3],
      ["Sub", 1],
      ["Div", 1],
    ] as [string, number][]);
    const count = dims.reduce((p, d) => p * d, 1);
    let values = this.symmetrize(randomFloats(count, this.random), dims, labels);
    if (op === "Div" || op === "Mul") values = values.map((value) => (op === "Div" ? 0.5 + Math.abs(value) : value));
    const constant = this.constantValue(dims, values, labels);
    const out = op === "Sub" && this.chance(0.5) ? this.binary(op, constant, v) : this.binary(op, v, constant);
    return { ...out, labels: v.labels };
  }

  // --- reductions and normalizations ---------------------------------------------------------

  private reduceSome(v: Value): Value | undefined {
    const candidates = this.nonBatchAxes(v);
    if (candidates.length === 0) return undefined;
    const axes = this.shuffled(candidates).slice(0, this.int(1, candidates.length)).sort((a, b) => a - b);
    const op = this.weighted<string>([
      ["ReduceSum", 3],
      ["ReduceMean", 3],
      ["ReduceMax", 3],
      ["ReduceMin", 0.5],
      ["ReduceL1", 0.5],
      ["ReduceL2", 0.5],
      ["ReduceSumSquare", 0.5],
      ["ReduceLogSumExp", 0.5],
      ["ReduceProd", 0.3],
    ]);
    return this.reduce(op, v, axes, this.chance(0.5));
  }

  private softmax(v: Value): Value | undefined {
    const axes = this.nonBatchAxes(v);
    if (axes.length === 0) return undefined;
    const axis = this.pick(axes);
    const op = this.chance(0.8) ? "Softmax" : "LogSoftmax";
    return { ...v, name: this.node(op, [v.name], { axis: this.chance(0.3) ? axis - v.shape.length : axis }) };
  }

  private layerNorm(v: Value): Value | undefined {
    if (this.opset < 17 || v.shape.length < 2) return undefined;
    const axis = this.pick(this.nonBatchAxes(v));
    const dims = v.shape.slice(axis);
    const labels = v.labels.slice(axis);
    const count = dims.reduce((p, d) => p * d, 1);
    const scale = this.floats(dims, this.symmetrize(randomFloats(count, this.random).map((w) => 1 + 0.5 * w), dims, labels));
    const inputs = [v.name, scale];
    if (this.chance(0.5)) inputs.push(this.floats(dims, this.symmetrize(randomFloats(count, this.random, 0.5), dims, labels)));
    return { ...v, name: this.node("LayerNormalization", inputs, { axis: this.chance(0.5) ? axis - v.shape.length : axis }) };
  }

  // --- shape ops -----------------------------------------------------------------------------

  private randomTranspose(v: Value): Value | undefined {
    const axes = this.nonBatchAxes(v);
    if (axes.length < 2) return undefined;
    const perm = [0, ...this.shuffled(axes)];
    if (perm.every((axis, i) => axis === i)) return undefined;
    return this.transpose(v, perm);
  }

  private residual(v: Value): Value | undefined {
    const branch = this.template === "image" && v.shape.length === 4 && this.chance(0.6) ? this.sameShapeConv(v) : this.chance(0.5) ? this.unary(v) : this.squareMatmul(v);
    if (!branch) return undefined;
    const op = this.chance(0.8) ? "Add" : "Mul";
    return { ...this.binary(op, v, branch), labels: v.labels.map((label, axis) => (label === branch.labels[axis] ? label : undefined)) };
  }

  private concatSelf(v: Value): Value | undefined {
    const axes = this.nonBatchAxes(v);
    if (axes.length === 0) return undefined;
    const axis = this.pick(axes);
    const other = this.chance(0.5) ? v : this.unary(v);
    const name = this.node("Concat", [v.name, other.name], { axis });
    return { name, shape: v.shape.map((size, k) => (k === axis ? 2 * size : size)), labels: v.labels.map((label, k) => (k === axis ? undefined : label)), geometry: v.geometry };
  }

  private slice(v: Value): Value | undefined {
    const axes = this.nonBatchAxes(v);
    if (axes.length === 0) return undefined;
    const axis = this.pick(axes);
    const size = v.shape[axis];
    const kind = this.weighted<"whole" | "crop" | "reversed" | "strided">([
      ["whole", 2],
      ["crop", size >= 3 ? 1 : 0],
      ["reversed", 1.5],
      ["strided", 0.5],
    ]);
    const [start, end, step, kept] =
      kind === "whole"
        ? [0, this.pick([size, 2147483647, 9007199254740991]), 1, size]
        : kind === "crop"
          ? [1, size - 1, 1, size - 2]
          : kind === "reversed"
            ? [this.pick([-1, size - 1]), this.pick([-size - 1, -2147483648, -9007199254740991]), -1, size]
            : [0, size, 2, Math.ceil(size / 2)];
    const inputs = [v.name, this.ints([start]), this.ints([end]), this.ints([this.chance(0.3) ? axis - v.shape.length : axis])];
    if (step !== 1 || this.chance(0.3)) inputs.push(this.ints([step]));
    const name = this.node("Slice", inputs);
    return { name, shape: v.shape.map((s, k) => (k === axis ? kept : s)), labels: v.labels.map((label, k) => (k === axis && kind !== "whole" && kind !== "reversed" ? undefined : label)), geometry: v.geometry };
  }

  private unsqueezeSqueeze(v: Value): Value | undefined {
    const ones = this.nonBatchAxes(v).filter((axis) => v.shape[axis] === 1);
    if (ones.length > 0 && this.chance(0.6)) return this.squeeze(v, this.chance(0.7) ? ones : undefined);
    const position = this.int(1, v.shape.length);
    return this.squeeze(this.unsqueeze(v, [position]), [position]);
  }

  private flattenDense(v: Value): Value | undefined {
    if (v.shape.length < 3) return undefined;
    const flat = { name: this.node("Flatten", [v.name], { axis: 1 }), shape: [v.shape[0], v.shape.slice(1).reduce((p, d) => p * d, 1)], labels: ["batch", undefined] };
    const depth = flat.shape[1];
    if (depth > 512) return undefined;
    const k = this.int(2, 4);
    const dims = [...v.shape.slice(1), k];
    const w = this.symmetrize(this.weights(depth * k, depth), dims, [...v.labels.slice(1), undefined]);
    if (this.chance(0.4)) return { name: this.node("MatMul", [flat.name, this.floats([depth, k], w)]), shape: [v.shape[0], k], labels: ["batch", undefined] };
    const transB = this.chance(0.5);
    const weights = transB ? transposed2(w, depth, k) : w;
    const inputs = [flat.name, this.floats(transB ? [k, depth] : [depth, k], weights)];
    if (this.chance(0.6)) inputs.push(this.floats([k], randomFloats(k, this.random)));
    const attributes = { ...(transB ? { transB: 1 } : {}), ...(this.chance(0.2) ? { alpha: 0.5 } : {}) };
    return { name: this.node("Gemm", inputs, attributes), shape: [v.shape[0], k], labels: ["batch", undefined] };
  }

  /** Two neighbouring axes merged by a Reshape, and often split back. */
  private reshapeMerge(v: Value): Value | undefined {
    const rank = v.shape.length;
    if (rank < 3) return undefined;
    const first = this.int(1, rank - 2);
    const merged = [...v.shape.slice(0, first), v.shape[first] * v.shape[first + 1], ...v.shape.slice(first + 2)];
    const target = merged.map((size, axis) => (axis === 0 ? this.pick([0, 0, -1, size]) : size));
    const name = this.node("Reshape", [v.name, this.ints(target)]);
    const labels = [...v.labels.slice(0, first), undefined, ...v.labels.slice(first + 2)];
    const flat: Value = { name, shape: merged, labels, geometry: v.geometry };
    if (!this.chance(0.6)) return flat;
    const back = v.shape.map((size, axis) => (axis === 0 ? this.pick([0, -1]) : size));
    return { ...v, name: this.node("Reshape", [flat.name, this.ints(back)]) };
  }

  /** x @ W along the last axis. */
  private matmulLast(v: Value): Value | undefined {
    const rank = v.shape.length;
    if (rank < 2) return undefined;
    const n = v.shape[rank - 1];
    const k = this.int(2, 4);
    const w = this.symmetrize(this.weights(n * k, n), [n, k], [v.labels[rank - 1], undefined]);
    const name = this.node("MatMul", [v.name, this.floats([n, k], w)]);
    return { name, shape: [...v.shape.slice(0, -1), k], labels: [...v.labels.slice(0, -1), undefined] };
  }

  private squareMatmul(v: Value): Value | undefined {
    const n = v.shape[v.shape.length - 1];
    if (v.shape.length < 2) return undefined;
    const w = this.symmetrize(this.weights(n * n, n), [n, n], [v.labels[v.shape.length - 1], undefined]);
    return { ...v, name: this.node("MatMul", [v.name, this.floats([n, n], w)]), labels: [...v.labels.slice(0, -1), undefined] };
  }

  /**
   * W @ x along axis 1 of a rank-3 value (MatMul or Einsum): for points, W's rows often sum to 1
   * (an affine combination: a point) or to 0 (a vector); for permutations often a I + b, which
   * commutes with them.
   */
  private mixSecondAxis(v: Value): Value | undefined {
    if (v.shape.length !== 3) return undefined;
    const n = v.shape[1];
    const kind = this.weighted<"random" | "affine" | "centred" | "commuting">([
      ["random", 2],
      ["affine", v.geometry ? 2 : 0.3],
      ["centred", v.geometry ? 1 : 0.3],
      ["commuting", 1],
    ]);
    const m = kind === "commuting" ? n : this.int(2, 4);
    let w = this.weights(m * n, n);
    if (kind === "affine" || kind === "centred") {
      w = w.map((value, index) => {
        const row = w.slice(index - (index % n), index - (index % n) + n);
        const mean = row.reduce((sum, entry) => sum + entry, 0) / n;
        return value - mean + (kind === "affine" ? 1 / n : 0);
      });
    } else if (kind === "commuting") {
      const [a, b] = [this.random() + 0.5, this.random() - 0.5];
      w = w.map((_, index) => (Math.floor(index / n) === index % n ? a + b : b));
    }
    const weights = this.floats([m, n], w);
    const name = this.chance(0.7) || this.opset < 12 ? this.node("MatMul", [weights, v.name]) : this.node("Einsum", [weights, v.name], { equation: "mn,bnd->bmd" });
    const geometry = v.geometry === "point" ? (kind === "affine" ? "point" : "vector") : v.geometry;
    return { name, shape: [v.shape[0], m, v.shape[2]], labels: [v.labels[0], kind === "commuting" ? v.labels[1] : undefined, v.labels[2]], geometry };
  }

  /** An Einsum that contracts the last axis with weights, or takes the Gram matrix of the last axis. */
  private einsum(v: Value): Value | undefined {
    if (v.shape.length !== 3 || this.opset < 12) return undefined;
    const [n, a, b] = v.shape;
    if (this.chance(0.5)) {
      const k = this.int(2, 3);
      const w = this.symmetrize(this.weights(b * k, b), [b, k], [v.labels[2], undefined]);
      return { name: this.node("Einsum", [v.name, this.floats([b, k], w)], { equation: "bij,jk->bik" }), shape: [n, a, k], labels: [v.labels[0], v.labels[1], undefined] };
    }
    return { name: this.node("Einsum", [v.name, v.name], { equation: "bid,bjd->bij" }), shape: [n, a, a], labels: [v.labels[0], v.labels[1], v.labels[1]] };
  }

  /** BatchNormalization at inference over axis 1: often one that shifts nothing (B = scale * mean / sqrt(var + eps)), often scaling by 1. */
  private batchNorm(v: Value): Value | undefined {
    if (v.shape.length < 3) return undefined;
    const c = v.shape[1];
    const label = [v.labels[1]];
    const scale = this.chance(0.3) ? new Array<number>(c).fill(1) : this.symmetrize(randomFloats(c, this.random).map((w) => 1 + 0.5 * w), [c], label);
    const mean = this.chance(0.4) ? new Array<number>(c).fill(0) : this.symmetrize(randomFloats(c, this.random, 0.5), [c], label);
    const variance = this.symmetrize(randomFloats(c, this.random).map((w) => 1 + 0.5 * w), [c], label);
    const unshifted = this.chance(0.5);
    const bias = unshifted ? mean.map((m, i) => (scale[i] * m) / Math.sqrt(variance[i] + 1e-5)) : this.symmetrize(randomFloats(c, this.random, 0.5), [c], label);
    const inputs = [scale, bias, mean, variance].map((values) => this.floats([c], values));
    return { ...v, name: this.node("BatchNormalization", [v.name, ...inputs]) };
  }

  private instanceNorm(v: Value): Value | undefined {
    if (v.shape.length < 3) return undefined;
    const c = v.shape[1];
    const scale = this.floats([c], this.symmetrize(randomFloats(c, this.random).map((w) => 1 + 0.5 * w), [c], [v.labels[1]]));
    const bias = this.floats([c], this.chance(0.3) ? new Array<number>(c).fill(0) : this.symmetrize(randomFloats(c, this.random, 0.5), [c], [v.labels[1]]));
    return { ...v, name: this.node("InstanceNormalization", [v.name, scale, bias]) };
  }

  private lpNorm(v: Value): Value | undefined {
    const axes = this.nonBatchAxes(v);
    if (axes.length === 0) return undefined;
    const axis = v.geometry && this.chance(0.6) ? v.labels.indexOf("xyz") : this.pick(axes);
    if (axis < 1) return undefined;
    return { ...v, name: this.node("LpNormalization", [v.name], { axis, p: this.chance(0.8) ? 2 : 1 }) };
  }

  /** Max or Min with a constant or another branch, Where on a comparison, Clip, PRelu. */
  private piecewise(v: Value): Value | undefined {
    const kind = this.pick(["extremum", "where", "clip", "prelu"]);
    if (kind === "extremum") {
      const other = this.chance(0.5) ? this.unary(v) : this.constantValue([], [this.chance(0.5) ? 0 : this.random() - 0.5], []);
      return { ...this.binary(this.pick(["Max", "Min"]), v, other), labels: v.labels, geometry: v.geometry };
    }
    if (kind === "where") {
      const threshold = this.constantValue([], [this.chance(0.5) ? 0 : this.random() - 0.5], []);
      const condition = this.binary(this.pick(["Greater", "Less", ...(this.opset >= 12 ? ["GreaterOrEqual"] : [])]), v, threshold);
      const other = this.chance(0.5) ? this.unary(v) : this.constantValue([], [this.chance(0.5) ? 0 : this.random()], []);
      return { ...v, name: this.node("Where", [condition.name, v.name, other.name]) };
    }
    if (kind === "clip") {
      const bound = 0.3 + this.random();
      const low = this.chance(0.6) ? -bound : -0.5 * bound;
      return { ...v, name: this.node("Clip", [v.name, this.floats([], [low]), this.floats([], [bound])]) };
    }
    if (v.shape.length < 2) return undefined;
    const c = v.shape[v.shape.length - 1];
    const slope = this.floats([c], this.symmetrize(randomFloats(c, this.random, 0.3), [c], [v.labels[v.shape.length - 1]]));
    return { ...v, name: this.node("PRelu", [v.name, slope]) };
  }

  private power(v: Value): Value {
    const exponent = this.pick([2, 2, 3, 1]);
    return { ...this.binary("Pow", v, this.constantValue([], [exponent], [])), labels: v.labels, geometry: exponent === 2 && v.geometry ? "product" : v.geometry };
  }

  /** Gather along a non-batch axis: every index in order, a permutation, some of them, or reversed. */
  private gather(v: Value): Value | undefined {
    const axes = this.nonBatchAxes(v);
    if (axes.length === 0) return undefined;
    const axis = this.pick(axes);
    const size = v.shape[axis];
    const kind = this.pick(["identity", "shuffled", "subset", "reversed"]);
    const every = Array.from({ length: size }, (_, i) => i);
    const indices = kind === "identity" ? every : kind === "shuffled" ? this.shuffled(every) : kind === "reversed" ? every.reverse() : every.filter(() => this.chance(0.6)).slice(0, Math.max(1, size - 1));
    if (indices.length === 0) indices.push(0);
    const written = indices.map((index) => (this.chance(0.2) ? index - size : index));
    const name = this.node("Gather", [v.name, this.ints(written)], { axis });
    return { name, shape: v.shape.map((s, k) => (k === axis ? indices.length : s)), labels: v.labels.map((label, k) => (k === axis && kind !== "identity" ? undefined : label)), geometry: v.geometry };
  }

  /** Split in two along a non-batch axis of even size; the halves added or the first kept. */
  private split(v: Value): Value | undefined {
    const axes = this.nonBatchAxes(v).filter((axis) => v.shape[axis] % 2 === 0);
    if (axes.length === 0) return undefined;
    const axis = this.pick(axes);
    const [first, second] = [`split${this.count}a`, `split${this.count}b`];
    this.graph.node("Split", [v.name], [first, second], { axis, ...(this.opset >= 18 ? { num_outputs: 2 } : {}) }, { name: `split${this.count++}` });
    const half: Value = { name: first, shape: v.shape.map((s, k) => (k === axis ? s / 2 : s)), labels: v.labels.map((label, k) => (k === axis ? undefined : label)), geometry: v.geometry };
    return this.chance(0.5) ? half : { ...half, name: this.node("Add", [first, second]) };
  }

  /** Tile along some non-batch axes, or Expand axes of one entry. */
  private tileOrExpand(v: Value): Value | undefined {
    const ones = this.nonBatchAxes(v).filter((axis) => v.shape[axis] === 1);
    if (ones.length > 0 && this.chance(0.5)) {
      const target = v.shape.map((size, axis) => (ones.includes(axis) ? 3 : size));
      return { ...v, name: this.node("Expand", [v.name, this.ints(target)]), shape: target };
    }
    const repeats = v.shape.map((_, axis): number => (axis > 0 && this.chance(0.4) ? 2 : 1));
    if (repeats.every((r) => r <= 1)) repeats[v.shape.length - 1] = 2;
    const name = this.node("Tile", [v.name, this.ints(repeats)]);
    return { name, shape: v.shape.map((size, axis) => size * repeats[axis]), labels: v.labels.map((label, axis) => (repeats[axis] === 1 ? label : undefined)), geometry: v.geometry };
  }

  /** TopK values along an axis (sorted), or ArgMax cast to float. */
  private topOrArg(v: Value): Value | undefined {
    const axes = this.nonBatchAxes(v);
    if (axes.length === 0) return undefined;
    const axis = this.pick(axes);
    if (this.chance(0.5)) {
      const k = this.chance(0.5) ? v.shape[axis] : Math.max(1, v.shape[axis] - 1);
      const [values, indices] = [`topk${this.count}v`, `topk${this.count}i`];
      this.graph.node("TopK", [v.name, this.ints([k])], [values, indices], { axis }, { name: `topk${this.count++}` });
      return { name: values, shape: v.shape.map((s, i) => (i === axis ? k : s)), labels: v.labels.map((label, i) => (i === axis ? undefined : label)), geometry: v.geometry };
    }
    const keep = this.chance(0.5);
    const arg = this.node("ArgMax", [v.name], { axis, keepdims: keep ? 1 : 0 });
    const name = this.node("Cast", [arg], { to: 1 });
    return { name, shape: v.shape.flatMap((s, i) => (i !== axis ? [s] : keep ? [1] : [])), labels: v.labels.flatMap((label, i) => (i !== axis ? [label] : keep ? [undefined] : [])) };
  }

  /** Concat along a non-batch axis with a constant (made symmetric, often), when the batch is static. */
  private concatConstant(v: Value): Value | undefined {
    const axes = this.nonBatchAxes(v);
    if (this.symbolicBatch || axes.length === 0) return undefined;
    const axis = this.pick(axes);
    const dims = v.shape.map((size, k) => (k === axis ? this.int(1, 2) : size));
    const labels = v.labels.map((label, k) => (k === axis ? undefined : label));
    const values = this.symmetrize(randomFloats(dims.reduce((p, d) => p * d, 1), this.random), dims, labels);
    const constant = this.floats(dims, values);
    const inputs = this.chance(0.5) ? [v.name, constant] : [constant, v.name];
    return { name: this.node("Concat", inputs, { axis }), shape: v.shape.map((size, k) => (k === axis ? size + dims[axis] : size)), labels, geometry: v.geometry };
  }

  /** Add or Mul of a value and its transpose over two axes of one size: operands that the group may move differently. */
  private withOwnTranspose(v: Value): Value | undefined {
    const axes = this.nonBatchAxes(v);
    const pairs = axes.flatMap((a) => axes.filter((b) => b > a && v.shape[a] === v.shape[b]).map((b) => [a, b] as const));
    if (pairs.length === 0) return undefined;
    const [a, b] = this.pick(pairs);
    const perm = v.shape.map((_, k) => (k === a ? b : k === b ? a : k));
    const transposed = this.transpose(v, perm);
    return this.binary(this.chance(0.7) ? "Add" : "Mul", v, transposed);
  }

  /** x @ x^T over the last axis: [..., n, m] -> [..., n, n], a Gram matrix. */
  private gramLast(v: Value): Value | undefined {
    const rank = v.shape.length;
    if (rank < 3) return undefined;
    const perm = [...v.shape.keys()].map((k) => (k === rank - 2 ? rank - 1 : k === rank - 1 ? rank - 2 : k));
    const name = this.node("MatMul", [v.name, this.node("Transpose", [v.name], { perm })]);
    return { name, shape: [...v.shape.slice(0, -1), v.shape[rank - 2]], labels: [...v.labels.slice(0, -1), v.labels[rank - 2]] };
  }

  /** sqrt(|x|), 1 / (|x| + c), or x / (another branch): homogeneous of degree 1/2, -1, or a quotient. */
  private rootOrReciprocal(v: Value): Value {
    const kind = this.pick(["sqrt", "reciprocal", "divide"]);
    const magnitude = { ...v, name: this.node("Abs", [v.name]) };
    if (kind === "sqrt") return { ...v, name: this.node("Sqrt", [magnitude.name]) };
    const shifted = this.chance(0.5) ? magnitude : { ...this.binary("Add", magnitude, this.constantValue([], [0.5], [])), labels: v.labels };
    if (kind === "reciprocal") return { ...v, name: this.node("Reciprocal", [shifted.name]) };
    return { ...v, name: this.node("Div", [v.name, this.node("Add", [shifted.name, this.floats([], [0.1])])]) };
  }

  // --- images --------------------------------------------------------------------------------

  /** A kernel made symmetric (often) under the first symmetry's moves of the axes it slides along. */
  private kernel(dims: number[], spatialLabels: (string | undefined)[], inputChannelLabel: string | undefined): number[] {
    const fanIn = dims.slice(1).reduce((p, d) => p * d, 1);
    // Shifts ask nothing of a kernel: only flips and turns are made to hold on its spatial axes.
    const finite = groupOrder(this.symmetries[0].group) !== undefined;
    const labels = [undefined, inputChannelLabel, ...spatialLabels.map((label) => (finite ? label : undefined))];
    return this.symmetrize(this.weights(dims.reduce((p, d) => p * d, 1), fanIn), dims, labels);
  }

  private conv(v: Value): Value | undefined {
    const rank = v.shape.length;
    if (rank !== 4 && rank !== 3) return undefined;
    const spatial = v.shape.slice(2);
    const channels = v.shape[1];
    const depthwise = channels > 1 && this.chance(0.15);
    const groups = depthwise ? channels : 1;
    const outputs = depthwise ? channels * this.pick([1, 2]) : this.int(1, 4);
    const square = this.pick([1, 2, 3, 3, 3]);
    const kernel = spatial.map(() => square);
    if (rank === 4 && this.chance(0.08)) kernel[1] = square === 3 ? 1 : 3;
    const strides = spatial.map(() => (this.chance(0.2) ? 2 : 1));
    if (rank === 4 && this.chance(0.7)) strides[1] = strides[0];
    const dilations = spatial.map(() => (this.chance(0.12) ? 2 : 1));
    if (rank === 4) dilations[1] = dilations[0];
    const attributes: Record<string, number[] | string | number> = { kernel_shape: kernel, strides, dilations, group: groups };
    // onnxruntime does not run auto_pad SAME with dilations.
    const dilated = dilations.some((d) => d > 1);
    const autoPad = this.weighted<string>([
      ["NOTSET", 10],
      ["SAME_UPPER", dilated ? 0 : 0.5],
      ["SAME_LOWER", dilated ? 0 : 0.5],
      ["VALID", 0.5],
    ]);
    let pads: number[];
    if (autoPad === "NOTSET") {
      const symmetric = kernel.map((k, axis) => Math.floor((dilations[axis] * (k - 1)) / 2));
      pads = this.chance(0.75) ? [...symmetric, ...symmetric] : kernel.flatMap(() => [this.int(0, 1)]).concat(kernel.map(() => this.int(0, 1)));
      if (this.chance(0.2)) pads = pads.map(() => 0);
      attributes.pads = pads;
    } else {
      attributes.auto_pad = autoPad;
      pads = spatial.flatMap(() => [0, 0]);
    }
    const outSizes = spatial.map((size, axis) => {
      const span = dilations[axis] * (kernel[axis] - 1) + 1;
      if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") return Math.ceil(size / strides[axis]);
      return Math.floor((size + pads[axis] + pads[axis + spatial.length] - span) / strides[axis]) + 1;
    });
    if (outSizes.some((size) => size < 1)) return undefined;
    const weightDims = [outputs, channels / groups, ...kernel];
    const w = this.kernel(weightDims, v.labels.slice(2), depthwise ? undefined : v.labels[1]);
    const inputs = [v.name, this.floats(weightDims, w)];
    if (this.chance(0.5)) inputs.push(this.floats([outputs], this.chance(0.15) ? new Array<number>(outputs).fill(0) : randomFloats(outputs, this.random, 0.5)));
    const name = this.node("Conv", inputs, attributes);
    return { name, shape: [v.shape[0], outputs, ...outSizes], labels: [v.labels[0], undefined, ...v.labels.slice(2)] };
  }

  /** Pad wrap by what the kernel needs, then a valid Conv (or pool): circular, so shifts commute exactly. */
  private circularConv(v: Value): Value | undefined {
    if (v.shape.length !== 4 || this.opset < 19) return undefined;
    const k = this.pick([2, 3, 3, 5]);
    const dilation = this.chance(0.15) ? 2 : 1;
    const span = dilation * (k - 1);
    const before = this.chance(0.8) ? Math.floor(span / 2) : span;
    const extra = this.chance(0.15) ? 1 : 0;
    const pads = [0, 0, before, before, 0, 0, span - before + extra, span - before + extra];
    // onnxruntime reads memory it never wrote when a wrap pad is wider than the axis.
    if (Math.max(...pads) > Math.min(v.shape[2], v.shape[3])) return undefined;
    const padded = this.node("Pad", [v.name, this.ints(pads)], { mode: "wrap" });
    const stride = this.chance(0.3) ? 2 : 1;
    const grow = (size: number) => size + span + extra;
    const outSize = (size: number) => Math.floor((grow(size) - span - 1) / stride) + 1;
    const shape = [v.shape[0], 0, outSize(v.shape[2]), outSize(v.shape[3])];
    if (this.chance(0.25)) {
      const op = this.chance(0.5) ? "MaxPool" : "AveragePool";
      const name = this.node(op, [padded], { kernel_shape: [k, k], strides: [stride, stride], ...(dilation > 1 && op === "MaxPool" ? { dilations: [dilation, dilation] } : {}) });
      const poolSize = (size: number) => Math.floor((grow(size) - (op === "MaxPool" ? span : k - 1) - 1) / stride) + 1;
      return { name, shape: [v.shape[0], v.shape[1], poolSize(v.shape[2]), poolSize(v.shape[3])], labels: v.labels };
    }
    const outputs = this.int(1, 3);
    const weightDims = [outputs, v.shape[1], k, k];
    const inputs = [padded, this.floats(weightDims, this.kernel(weightDims, v.labels.slice(2), v.labels[1]))];
    if (this.chance(0.5)) inputs.push(this.floats([outputs], randomFloats(outputs, this.random, 0.5)));
    const name = this.node("Conv", inputs, { kernel_shape: [k, k], strides: [stride, stride], dilations: [dilation, dilation] });
    shape[1] = outputs;
    return { name, shape, labels: [v.labels[0], undefined, ...v.labels.slice(2)] };
  }

  private convTranspose(v: Value): Value | undefined {
    if (v.shape.length !== 4) return undefined;
    const k = this.pick([1, 2, 3]);
    const stride = this.pick([1, 2]);
    const pad = this.int(0, Math.max(0, k - 1));
    const padEnd = this.chance(0.7) ? pad : this.int(0, Math.max(0, k - 1));
    const outputPadding = stride > 1 && this.chance(0.3) ? 1 : 0;
    const outputs = this.int(1, 3);
    const weightDims = [v.shape[1], outputs, k, k];
    const w = this.kernel(weightDims, v.labels.slice(2), undefined);
    const size = (n: number) => stride * (n - 1) + outputPadding + (k - 1) + 1 - pad - padEnd;
    if (size(v.shape[2]) < 1 || size(v.shape[3]) < 1) return undefined;
    const attributes = { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, padEnd, padEnd], ...(outputPadding ? { output_padding: [outputPadding, outputPadding] } : {}) };
    const name = this.node("ConvTranspose", [v.name, this.floats(weightDims, w)], attributes);
    return { name, shape: [v.shape[0], outputs, size(v.shape[2]), size(v.shape[3])], labels: [v.labels[0], undefined, ...v.labels.slice(2)] };
  }

  /** Resize by whole factors (or halving), nearest, linear or cubic, with one of ONNX's coordinate transformations. */
  private resize(v: Value): Value | undefined {
    if (v.shape.length !== 4 || this.opset < 13) return undefined;
    const factor = this.pick([1, 2, 2, 0.5]);
    const factors = [1, 1, factor, this.chance(0.85) ? factor : 1];
    const mode = this.pick(["nearest", "nearest", "linear", "cubic"]);
    const coordinates = this.pick(["half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"]);
    const attributes: Record<string, string> = { mode, coordinate_transformation_mode: coordinates };
    if (mode === "nearest") attributes.nearest_mode = this.pick(["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]);
    const shape = v.shape.map((size, axis) => Math.floor(size * factors[axis]));
    if (shape.some((size) => size < 1)) return undefined;
    const name = this.node("Resize", [v.name, "", this.floats([4], factors)], attributes);
    return { name, shape, labels: v.labels };
  }

  private sameShapeConv(v: Value): Value | undefined {
    const channels = v.shape[1];
    const weightDims = [channels, channels, 3, 3];
    const w = this.kernel(weightDims, v.labels.slice(2), v.labels[1]);
    const name = this.node("Conv", [v.name, this.floats(weightDims, w)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
    return { name, shape: v.shape, labels: [v.labels[0], undefined, ...v.labels.slice(2)] };
  }

  private pad(v: Value): Value | undefined {
    const rank = v.shape.length;
    if (rank < 3) return undefined;
    const modes: [string, number][] = [
      ["constant", 2],
      ["reflect", 1],
      ["edge", 1],
      ["wrap", this.opset >= 19 ? 3 : 0],
    ];
    const mode = this.weighted(modes);
    const spatial = Array.from({ length: rank - 2 }, (_, i) => i + 2);
    const symmetric = this.chance(0.7);
    const amount = this.int(1, 2);
    const perAxis = spatial.map((axis) => {
      const room = mode === "reflect" ? v.shape[axis] - 1 : mode === "wrap" ? v.shape[axis] : 3;
      const side = () => Math.min(room, symmetric ? amount : this.int(0, 2));
      const before = side();
      return [before, symmetric ? before : side()];
    });
    if (mode === "constant" && this.chance(0.1)) perAxis[0] = [-1, -1];
    const withAxes = this.opset >= 18 && this.chance(0.4);
    const padsList = withAxes ? [...perAxis.map((p) => p[0]), ...perAxis.map((p) => p[1])] : [...Array.from({ length: rank }, (_, axis) => (axis < 2 ? 0 : perAxis[axis - 2][0])), ...Array.from({ length: rank }, (_, axis) => (axis < 2 ? 0 : perAxis[axis - 2][1]))];
    const inputs = [v.name, this.ints(padsList)];
    if (mode === "constant" && (this.chance(0.3) || withAxes)) inputs.push(this.floats([], [this.chance(0.6) ? 0 : 0.5]));
    else if (withAxes) inputs.push("");
    if (withAxes) inputs.push(this.ints(spatial));
    const shape = v.shape.map((size, axis) => (axis < 2 ? size : size + perAxis[axis - 2][0] + perAxis[axis - 2][1]));
    if (shape.some((size) => size < 1)) return undefined;
    return { ...v, name: this.node("Pad", inputs, { mode }), shape };
  }

  private pool(v: Value): Value | undefined {
    const rank = v.shape.length;
    if (rank !== 4 && rank !== 3) return undefined;
    const op = this.chance(0.5) ? "MaxPool" : "AveragePool";
    const spatial = v.shape.slice(2);
    const k = this.pick([2, 3]);
    const kernel = spatial.map(() => k);
    const stride = this.pick([1, 2, 2]);
    const strides = spatial.map(() => stride);
    const pad = this.chance(0.3) ? 1 : 0;
    const pads = [...spatial.map(() => pad), ...spatial.map(() => pad)];
    const ceil = this.chance(0.2);
    const dilation = op === "MaxPool" && this.chance(0.1) ? 2 : 1;
    const attributes: Record<string, number[] | number | string> = { kernel_shape: kernel, strides, pads, ...(ceil ? { ceil_mode: 1 } : {}), ...(dilation > 1 ? { dilations: spatial.map(() => dilation) } : {}) };
    if (op === "AveragePool" && this.chance(0.3)) attributes.count_include_pad = 1;
    if (dilation === 1 && !ceil && this.chance(0.15)) {
      const autoPad = this.pick(["SAME_UPPER", "SAME_LOWER"]);
      delete attributes.pads;
      attributes.auto_pad = autoPad;
      const name = this.node(op, [v.name], attributes);
      return { name, shape: [...v.shape.slice(0, 2), ...spatial.map((size) => Math.ceil(size / stride))], labels: v.labels };
    }
    const outSizes = spatial.map((size) => {
      const span = dilation * (k - 1) + 1;
      const room = (size + 2 * pad - span) / stride;
      return (ceil ? Math.ceil(room) : Math.floor(room)) + 1;
    });
    // ONNX's shape inference keeps a last window that starts in the end padding, onnxruntime drops it: avoid the difference.
    if (ceil && outSizes.some((count, axis) => (count - 1) * stride >= spatial[axis] + pad)) return undefined;
    if (outSizes.some((size) => size < 1) || spatial.some((size) => size + 2 * pad < dilation * (k - 1) + 1)) return undefined;
    const name = this.node(op, [v.name], attributes);
    return { name, shape: [...v.shape.slice(0, 2), ...outSizes], labels: v.labels };
  }

  private globalPool(v: Value): Value | undefined {
    if (v.shape.length < 3) return undefined;
    const op = this.chance(0.7) ? "GlobalAveragePool" : "GlobalMaxPool";
    const name = this.node(op, [v.name]);
    return { name, shape: v.shape.map((size, axis) => (axis < 2 ? size : 1)), labels: v.labels.map((label, axis) => (axis < 2 ? label : undefined)) };
  }

  /**
   * A lifting group convolution: the kernels of one bank, moved by every element of the first
   * symmetry (a flip, turns, or the dihedral group), stacked as output channels and reshaped to
   * [batch, orientation, channel, y, x]; often pooled over the orientations afterwards.
   */
  private groupLift(v: Value): Value | undefined {
    const symmetry = this.symmetries[0];
    const order = groupOrder(symmetry.group);
    if (order === undefined || v.shape.length !== 4 || v.shape[2] !== v.shape[3]) return undefined;
    const group = symmetry.group;
    if ((group.kind === "rotate90" || group.kind === "dihedral") && !group.axes.every((axis) => v.labels.slice(2).includes(axis))) return undefined;
    const channels = v.shape[1];
    const base = this.int(1, 2);
    // A 1x1 bank would make every orientation the same channel: invariant and regular at once.
    const k = 3;
    const bankDims = [base, channels, k, k];
    const bank: Dense = { shape: bankDims, data: Float64Array.from(this.weights(base * channels * k * k, channels * k * k)) };
    const kernelTensor: DeclaredTensor = { name: "kernel", shape: bankDims, axes: [{ name: "_" }, { name: "_" }, { name: v.labels[2] ?? "_" }, { name: v.labels[3] ?? "_" }] };
    // Now and then the copies in the other order: the regular representation then does not match.
    const order2 = this.chance(0.2) ? [0, ...Array.from({ length: order - 1 }, (_, i) => order - 1 - i)] : Array.from({ length: order }, (_, i) => i);
    const copies = order2.map((e) => actOn(finiteElement(symmetry, e), actedTensor(kernelTensor), bank));
    const stacked = copies.flatMap((copy) => Array.from(copy.data));
    const inputs = [v.name, this.floats([order * base, channels, k, k], stacked)];
    if (this.chance(0.5)) {
      const bias = randomFloats(base, this.random, 0.5);
      inputs.push(this.floats([order * base], order2.flatMap(() => bias)));
    }
    const pad = (k - 1) / 2;
    const conv = this.node("Conv", inputs, { kernel_shape: [k, k], pads: [pad, pad, pad, pad] });
    const [n, size] = [v.shape[0], v.shape[2]];
    const form = this.pick(["flat", "orientations", "pooled"]);
    if (form === "flat") return { name: conv, shape: [n, order * base, size, size], labels: [v.labels[0], ORIENT_CHANNELS, v.labels[2], v.labels[3]] };
    const lifted = this.splitOrientations(conv, [n, order * base, size, size], order, [v.labels[0], v.labels[2], v.labels[3]]);
    if (form === "orientations") return lifted;
    return this.reduce(this.pick(["ReduceMax", "ReduceMean", "ReduceSum"]), lifted, [1], false);
  }

  /** [batch, order * channels, y, x] reshaped to [batch, order, channels, y, x]. */
  private splitOrientations(value: string, shape: number[], order: number, [batch, y, x]: (string | undefined)[]): Value {
    const [n, channels, height, width] = [shape[0], shape[1] / order, shape[2], shape[3]];
    const name = this.node("Reshape", [value, this.ints([this.pick([0, -1]), order, channels, height, width])]);
    return { name, shape: [n, order, channels, height, width], labels: [batch, ORIENT, undefined, y, x] };
  }

  /**
   * A group convolution from orientation channels to orientation channels (p4 to p4): the
   * kernels for output orientation g are g.W0, g acting on the kernel's plane and, by the regular
   * representation, on its input orientation axis: W[g, h] = g(W0[g^-1 h]). Now and then the
   * copies in the other order.
   */
  private groupConv(v: Value): Value | undefined {
    const symmetry = this.symmetries[0];
    const order = groupOrder(symmetry.group);
    if (order === undefined) return undefined;
    const split = v.shape.length === 5 && v.labels[1] === ORIENT && v.shape[1] === order;
    const flatInput = v.shape.length === 4 && v.labels[1] === ORIENT_CHANNELS && v.shape[1] % order === 0;
    if (!split && !flatInput) return undefined;
    const [n, channels, height, width] = split ? [v.shape[0], v.shape[2], v.shape[3], v.shape[4]] : [v.shape[0], v.shape[1] / order, v.shape[2], v.shape[3]];
    const [y, x] = split ? [v.labels[3], v.labels[4]] : [v.labels[2], v.labels[3]];
    const group = symmetry.group;
    if ((group.kind === "rotate90" || group.kind === "dihedral") && !group.axes.every((axis) => axis === y || axis === x)) return undefined;
    const outputs = this.int(1, 2);
    const k = height === width ? this.pick([1, 3, 3]) : 1;
    const baseDims = [outputs, order, channels, k, k];
    const base: Dense = { shape: baseDims, data: Float64Array.from(this.weights(outputs * order * channels * k * k, order * channels * k * k)) };
    const kernelTensor: DeclaredTensor = {
      name: "kernel",
      shape: baseDims,
      axes: [{ name: "_" }, { name: "orient", regularOf: symmetry.name }, { name: "_" }, { name: y ?? "_" }, { name: x ?? "_" }],
    };
    const sequence = this.chance(0.15) ? [0, ...Array.from({ length: order - 1 }, (_, i) => order - 1 - i)] : Array.from({ length: order }, (_, i) => i);
    const stacked = sequence.flatMap((e) => Array.from(actOn(finiteElement(symmetry, e), actedTensor(kernelTensor), base).data));
    const flat = split ? this.node("Reshape", [v.name, this.ints([this.pick([0, -1]), order * channels, height, width])]) : v.name;
    const pad = (k - 1) / 2;
    const conv = this.node("Conv", [flat, this.floats([order * outputs, order * channels, k, k], stacked)], { kernel_shape: [k, k], pads: [pad, pad, pad, pad] });
    const shape = [n, order * outputs, height, width];
    if (this.chance(0.5)) return { name: conv, shape, labels: [v.labels[0], ORIENT_CHANNELS, y, x] };
    return this.splitOrientations(conv, shape, order, [v.labels[0], y, x]);
  }

  // --- sequences and graphs ------------------------------------------------------------------

  /** softmax(Q K^T / sqrt(d)) V over the second axis, sometimes with a bias on the scores; or the scores alone. */
  private attention(v: Value): Value | undefined {
    if (v.shape.length !== 3) return undefined;
    const [n, tokens, features] = v.shape;
    const d = this.int(2, 3);
    const project = (width: number) => this.node("MatMul", [v.name, this.floats([features, width], this.symmetrize(this.weights(features * width, features), [features, width], [v.labels[2], undefined]))]);
    const q = project(d);
    const key = this.node("Transpose", [project(d)], { perm: [0, 2, 1] });
    let scores = this.node("Mul", [this.node("MatMul", [q, key]), this.floats([], [1 / Math.sqrt(d)])]);
    if (this.chance(0.35)) scores = this.node("Add", [scores, this.floats([tokens, tokens], this.scoreBias(tokens))]);
    const weights = this.node("Softmax", [scores], { axis: -1 });
    const scoreLabels = [v.labels[0], v.labels[1], v.labels[1]];
    if (this.chance(0.3)) return { name: weights, shape: [n, tokens, tokens], labels: scoreLabels };
    const width = this.int(2, 4);
    return { name: this.node("MatMul", [weights, project(width)]), shape: [n, tokens, width], labels: [v.labels[0], v.labels[1], undefined] };
  }

  /** A bias on attention scores: random, constant, circulant (relative positions), or one value on the diagonal and another off it. */
  private scoreBias(tokens: number): number[] {
    const kind = this.pick(["random", "constant", "circulant", "diagonal"]);
    const base = randomFloats(tokens, this.random);
    return Array.from({ length: tokens * tokens }, (_, index) => {
      const [i, j] = [Math.floor(index / tokens), index % tokens];
      if (kind === "random") return Math.sin(index * 12.9898 + base[0]) * 0.8;
      if (kind === "constant") return base[0];
      if (kind === "circulant") return base[(i - j + tokens) % tokens];
      return i === j ? base[0] : base[1];
    });
  }

  /** A 1-D convolution over the second axis: Transpose, (Pad,) Conv, Transpose back. */
  private conv1d(v: Value): Value | undefined {
    if (v.shape.length !== 3) return undefined;
    let x = this.transpose(v, [0, 2, 1]);
    if (this.chance(0.4)) x = this.pad(x) ?? x;
    const convolved = this.conv(x);
    return convolved && this.transpose(convolved, [0, 2, 1]);
  }

  /** adj @ x: messages along the graph's edges (an adjacency prepared first: as it is, symmetrized, or normalized). */
  private propagate(v: Value): Value | undefined {
    const adj = this.inputs.find((input) => input.value.name === "adj")?.value;
    if (!adj || v.shape.length !== 3 || v.shape[1] !== adj.shape[1]) return undefined;
    const prepared = this.weighted<() => Value>([
      [() => adj, 2],
      [() => this.binary("Add", adj, this.transpose(adj, [0, 2, 1])), 1],
      [() => ({ ...adj, name: this.node("Softmax", [adj.name], { axis: -1 }) }), 1],
    ])();
    const name = this.node("MatMul", [prepared.name, v.name]);
    return { name, shape: v.shape, labels: [v.labels[0], prepared.labels[1], v.labels[2]] };
  }

  // --- points --------------------------------------------------------------------------------

  private xyzAxis(v: Value): number {
    return v.labels.indexOf("xyz");
  }

  /** The positions minus their mean over the atoms. */
  private centroid(v: Value): Value | undefined {
    const atom = v.labels.indexOf("atom");
    if (atom < 0 || this.xyzAxis(v) < 0) return undefined;
    const mean = this.reduce("ReduceMean", v, [atom], true);
    return { ...this.binary("Sub", v, mean), labels: v.labels, geometry: v.geometry === "point" ? "vector" : v.geometry };
  }

  /** d[i, j] = x[i] - x[j] over the atom axis (the first one). */
  private pairwise(v: Value): Value | undefined {
    const atom = v.labels.indexOf("atom");
    if (atom !== 1 || v.shape.length > 3) return undefined;
    const rows = this.unsqueeze(v, [2]);
    const columns = this.unsqueeze(v, [1]);
    const d = this.binary("Sub", rows, columns);
    return { ...d, labels: ["batch", "atom", "atom", ...v.labels.slice(2)], geometry: v.geometry === "point" ? "vector" : v.geometry };
  }

  /** |v|^2 (Mul or Pow, then a sum over xyz), or ReduceL2. */
  private squaredNorm(v: Value): Value | undefined {
    const axis = this.xyzAxis(v);
    if (axis < 0) return undefined;
    if (this.chance(0.15)) return { ...this.reduce("ReduceL2", v, [axis], this.chance(0.5)), geometry: undefined };
    const square = this.chance(0.6) ? this.binary("Mul", v, v) : this.binary("Pow", v, this.constantValue([], [2], []));
    const product = { ...square, labels: v.labels, geometry: "product" as const };
    if (this.chance(0.15)) return product;
    return { ...this.reduce("ReduceSum", product, [axis], this.chance(0.4)), geometry: undefined };
  }

  /** v times a function of its squared norm: a vector along the same direction. */
  private scaledVector(v: Value): Value | undefined {
    const axis = this.xyzAxis(v);
    if (axis < 0 || v.geometry === "product") return undefined;
    const norm = this.reduce("ReduceSum", this.binary("Mul", v, v), [axis], true);
    const weight = { ...norm, name: this.node(this.pick(["Sigmoid", "Tanh", "Exp"]), [this.node("Neg", [norm.name])]) };
    return { ...this.binary("Mul", v, weight), labels: v.labels, geometry: v.geometry };
  }

  /** The dot products of every pair of atoms' vectors: [batch, atom, atom]. */
  private gram(v: Value): Value | undefined {
    if (v.shape.length !== 3 || this.xyzAxis(v) !== 2) return undefined;
    const name = this.node("MatMul", [v.name, this.node("Transpose", [v.name], { perm: [0, 2, 1] })]);
    return { name, shape: [v.shape[0], v.shape[1], v.shape[1]], labels: [v.labels[0], v.labels[1], v.labels[1]] };
  }

  /** A matrix applied along the xyz axis: a multiple of the identity (commutes with rotations) or random. */
  private linearOnAxis(v: Value): Value | undefined {
    const rank = v.shape.length;
    if (this.xyzAxis(v) !== rank - 1) return undefined;
    const n = v.shape[rank - 1];
    const c = 0.5 + this.random();
    const w = this.chance(0.4) ? Array.from({ length: n * n }, (_, i) => (Math.floor(i / n) === i % n ? c : 0)) : this.weights(n * n, n);
    return { ...v, name: this.node("MatMul", [v.name, this.floats([n, n], w)]) };
  }

  /** Times the atoms' charges, broadcast along the first atom axis. */
  private timesCharge(v: Value): Value | undefined {
    const charge = this.inputs.find((input) => input.value.name === "charge")?.value;
    if (!charge || v.labels[1] !== "atom" || v.shape.length < 2) return undefined;
    const expanded = v.shape.length === 2 ? charge : this.unsqueeze(charge, Array.from({ length: v.shape.length - 2 }, (_, i) => i + 2));
    return { ...this.binary("Mul", v, expanded), labels: v.labels, geometry: v.geometry };
  }

  // -------------------------------------------------------------------------------------------
  // The output and the claims

  /**
   * The output's axes: an axis keeps the name of the declared axis it came from when it has that
   * axis' size (else `_`); a group convolution's orientation axis names the first symmetry; the
   * plane axes of turns are named both or neither. Now and then two names are swapped.
   */
  private declareOutput(v: Value): DeclaredAxis[] {
    const first = this.symmetries[0];
    const axes: DeclaredAxis[] = v.labels.map((label, axis) => {
      if (label === ORIENT || label === ORIENT_CHANNELS) return groupOrder(first.group) === v.shape[axis] ? { name: "orient", regularOf: first.name } : { name: "_" };
      if (label === undefined || this.sizes.get(label) !== v.shape[axis]) return { name: "_" };
      if (label === "xyz") {
        // Mostly what the generator believes, but not always: the claim is judged by running the model.
        const believed = v.geometry === "point" ? "point" : "vector";
        return { name: label, kind: this.chance(0.75) ? believed : believed === "point" ? "vector" : "point" };
      }
      return { name: label };
    });
    for (const symmetry of this.symmetries) {
      const group = symmetry.group;
      if (group.kind !== "rotate90" && group.kind !== "dihedral") continue;
      const present = group.axes.map((name) => axes.filter((axis) => axis.name === name).length);
      if (present[0] !== 1 || present[1] !== 1) for (const axis of axes) if (group.axes.includes(axis.name)) axis.name = "_";
    }
    const named = axes.flatMap((axis, index) => (axis.name !== "_" && axis.name !== "batch" && axis.regularOf === undefined ? [index] : []));
    if (named.length >= 2 && this.chance(0.08)) {
      const [i, j] = this.shuffled(named);
      if (v.shape[i] === v.shape[j]) [axes[i], axes[j]] = [axes[j], axes[i]];
    }
    // Only a 3- or 2-component axis may be rotated; and a point kind only on points.
    for (const axis of axes) if (axis.name === "xyz" && axis.kind === undefined) axis.kind = "vector";
    return axes;
  }

  private claimKind(symmetry: Symmetry, output: DeclaredTensor): Claim["kind"] {
    const group = symmetry.group;
    const acted =
      group.kind === "negate" || group.kind === "scale"
        ? group.tensors.includes(output.name)
        : output.axes.some((axis) => axis.regularOf === symmetry.name || (axis.regularOf === undefined && axisNamesOf(group).includes(axis.name)));
    return acted && this.chance(0.8) ? "equivariant" : "invariant";
  }

  private specText(output: DeclaredTensor, claims: readonly Claim[]): string {
    const axesText = (axes: readonly DeclaredAxis[]) => `[${axes.map((axis) => (axis.regularOf ? `${axis.name}: ${axis.regularOf}` : axis.kind ? `${axis.name}: ${axis.kind}` : axis.name)).join(", ")}]`;
    const lines = [
      ...this.inputs.map(({ declared }) => `input ${declared.name} ${axesText(declared.axes)}`),
      `output ${output.name} ${axesText(output.axes)}`,
      ...this.symmetries.map((symmetry) => `symmetry ${symmetry.name} = ${constructorText(symmetry.group)}`),
      ...claims.map((claim) => `${claim.kind} ${output.name} under ${claim.symmetry}`),
    ];
    return `${lines.join("\n")}\n`;
  }
}

/** The symmetry as a spec writes it: `translate(y, x, step=2)`. */
function constructorText(group: Group): string {
  switch (group.kind) {
    case "translate":
      return `translate(${[...group.axes, ...(group.step > 1 ? [`step=${group.step}`] : [])].join(", ")})`;
    case "flip":
      return `flip(${group.axis})`;
    case "rotate90":
    case "dihedral":
      return `${group.kind}(${group.axes.join(", ")})`;
    case "permute":
      return `permute(${group.axis})`;
    case "rotation":
      return `${group.constructor}(${group.axis})`;
    case "negate":
    case "scale":
      return `${group.kind}(${group.tensors.join(", ")})`;
  }
}

/** The axis names a group moves. */
export function axisNamesOf(group: Group): string[] {
  switch (group.kind) {
    case "translate":
    case "rotate90":
    case "dihedral":
      return [...group.axes];
    case "flip":
    case "permute":
    case "rotation":
      return [group.axis];
    default:
      return [];
  }
}

// ---------------------------------------------------------------------------------------------
// Dense helpers for symmetrizing constants

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function transposed2(values: readonly number[], rows: number, columns: number): number[] {
  return Array.from({ length: rows * columns }, (_, index) => values[(index % rows) * columns + Math.floor(index / rows)]);
}

/** Every entry replaced by the mean along the axis. */
function constantAlong(x: Dense, axis: number): Dense {
  const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const size = x.shape[axis];
  const out = new Float64Array(x.data.length);
  for (let index = 0; index < out.length; index++) {
    const base = index - (Math.floor(index / inner) % size) * inner;
    let sum = 0;
    for (let k = 0; k < size; k++) sum += x.data[base + k * inner];
    out[index] = sum / size;
  }
  return { shape: x.shape, data: out };
}

/** Entry i along the axis replaced by entry i mod period. */
function periodicAlong(x: Dense, axis: number, period: number): Dense {
  const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const size = x.shape[axis];
  const out = new Float64Array(x.data.length);
  for (let index = 0; index < out.length; index++) {
    const k = Math.floor(index / inner) % size;
    out[index] = x.data[index - (k - (k % period)) * inner];
  }
  return { shape: x.shape, data: out };
}

/** The mean of the constant's images under every element of a finite group (invariant under the group). */
function groupAverage(x: Dense, labels: readonly (string | undefined)[], symmetry: Symmetry): Dense {
  const tensor: DeclaredTensor = { name: "constant", shape: x.shape, axes: labels.map((label) => ({ name: label ?? "_" })) };
  const images = Array.from({ length: groupOrder(symmetry.group)! }, (_, e) => actOn(finiteElement(symmetry, e), actedTensor(tensor), x));
  const out = new Float64Array(x.data.length);
  for (const image of images) for (let i = 0; i < out.length; i++) out[i] += image.data[i] / images.length;
  return { shape: x.shape, data: out };
}
