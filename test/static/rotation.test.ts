/** Rotation groups (SO, O, SE, E) on vector and point axes: differences, products, norms, dot products. */
import { describe, test } from "node:test";
import { float, floatTensor, GraphBuilder, int64Tensor } from "../support/onnxBuilder";
import { assertVerdict, staticChecks, verdictOf } from "./support";

const POSITIONS = "input pos [batch, atom, xyz: point]\n";

function molecule(name: string): GraphBuilder {
  return new GraphBuilder(name).input("pos", "float", ["batch", 4, 3]);
}

describe("an E(3)-invariant energy from pairwise squared distances", () => {
  /** pos -> d[i, j] = pos[i] - pos[j] -> |d|^2 summed over xyz -> exp(-r2) summed over both atoms. */
  function pairwiseEnergy(square: (graph: GraphBuilder) => void): GraphBuilder {
    const graph = molecule("energy")
      .initializer("axis2", int64Tensor([1], [2]))
      .initializer("axis1", int64Tensor([1], [1]))
      .initializer("xyz", int64Tensor([1], [3]))
      .initializer("atoms", int64Tensor([2], [1, 2]))
      .node("Unsqueeze", ["pos", "axis2"], ["rows"], {}, { name: "rows" })
      .node("Unsqueeze", ["pos", "axis1"], ["columns"], {}, { name: "columns" })
      .node("Sub", ["rows", "columns"], ["d"], {}, { name: "difference" });
    square(graph);
    return graph
      .node("ReduceSum", ["d2", "xyz"], ["r2"], { keepdims: 0 }, { name: "squared_distance" })
      .node("Neg", ["r2"], ["minus_r2"], {}, { name: "neg" })
      .node("Exp", ["minus_r2"], ["pair_energy"], {}, { name: "exp" })
      .node("ReduceSum", ["pair_energy", "atoms"], ["energy"], { keepdims: 0 }, { name: "total" })
      .output("energy", "float", ["batch"]);
  }
  const SPEC = `${POSITIONS}output energy [batch]\nsymmetry rigid = E(xyz)\nsymmetry relabel = permute(atom)\ninvariant energy under rigid, relabel\n`;

  test("with Mul(d, d): proved under E(xyz) and under permute(atom)", async () => {
    const [rigid, relabel] = await staticChecks(SPEC, pairwiseEnergy((graph) => graph.node("Mul", ["d", "d"], ["d2"], {}, { name: "square" })));
    assertVerdict(rigid, "proved");
    assertVerdict(relabel, "proved");
  });

  test("with Pow(d, 2): the same product of a vector with itself", async () => {
    const model = pairwiseEnergy((graph) => graph.initializer("two", floatTensor([], [2])).node("Pow", ["d", "two"], ["d2"], {}, { name: "square" }));
    const [rigid] = await staticChecks(SPEC, model);
    assertVerdict(rigid, "proved");
  });

  test("with Abs(d) instead of a square: violated under E(xyz), naming the Abs", async () => {
    const [rigid, relabel] = await staticChecks(SPEC, pairwiseEnergy((graph) => graph.node("Abs", ["d"], ["d2"], {}, { name: "abs" })));
    assertVerdict(rigid, "violated", "abs", /acts on each component of a vector separately/);
    assertVerdict(relabel, "proved");
  });
});

describe("vectors and points", () => {
  test("Relu applied to coordinates: violated under SO(xyz), naming it", async () => {
    const spec = `${POSITIONS}output out [batch, atom, xyz: point]\nsymmetry rot = SO(xyz)\nequivariant out under rot\n`;
    const model = molecule("relu_coords").node("Relu", ["pos"], ["out"], {}, { name: "relu" }).output("out", "float", ["batch", 4, 3]);
    assertVerdict(await verdictOf(spec, model), "violated", "relu", /Relu acts on each component of a vector separately/);
  });

  test("positions minus their centroid are vectors; their sum is no position", async () => {
    const spec = `${POSITIONS}output out [batch, atom, xyz: vector]\nsymmetry rigid = E(xyz)\nequivariant out under rigid\n`;
    const centered = molecule("centered")
      .initializer("atoms", int64Tensor([1], [1]))
      .node("ReduceMean", ["pos", "atoms"], ["centroid"], {}, { name: "centroid" })
      .node("Sub", ["pos", "centroid"], ["out"], {}, { name: "center" })
      .output("out", "float", ["batch", 4, 3]);
    assertVerdict(await verdictOf(spec, centered, { opset: 18 }), "proved");
    const doubled = molecule("doubled").node("Add", ["pos", "pos"], ["out"], {}, { name: "double" }).output("out", "float", ["batch", 4, 3]);
    assertVerdict(await verdictOf(spec, doubled), "violated", "double", /combines positions along axis 2 \(the point axis xyz\) with total weight 2/);
  });

  test("the mean of two positions is a position (point weights 1/2 + 1/2)", async () => {
    const spec = "input p [batch, xyz: point]\ninput q [batch, xyz: point]\noutput mid [batch, xyz: point]\nsymmetry rigid = SE(xyz)\nequivariant mid under rigid\n";
    const model = new GraphBuilder("midpoint").input("p", "float", ["batch", 3]).input("q", "float", ["batch", 3]).node("Mean", ["p", "q"], ["mid"], {}, { name: "midpoint" }).output("mid", "float", ["batch", 3]);
    assertVerdict(await verdictOf(spec, model), "proved");
  });

  test("under SO (no translations) a point is rotated like a vector, so either declaration holds", async () => {
    const spec = `${POSITIONS}output out [batch, atom, xyz: vector]\nsymmetry rot = SO(xyz)\nequivariant out under rot\n`;
    const model = molecule("scaled").initializer("half", floatTensor([], [0.5])).node("Mul", ["pos", "half"], ["out"], {}, { name: "scale" }).output("out", "float", ["batch", 4, 3]);
    assertVerdict(await verdictOf(spec, model), "proved");
    const specE = `${POSITIONS}output out [batch, atom, xyz: vector]\nsymmetry rigid = E(xyz)\nequivariant out under rigid\n`;
    assertVerdict(await verdictOf(specE, model), "violated", "scale", /scales positions/);
  });

  test("a vector times a per-atom charge stays a vector; times unequal per-component weights it does not", async () => {
    const spec = "input v [batch, atom, xyz: vector]\ninput charge [batch, atom]\noutput out [batch, atom, xyz: vector]\nsymmetry rot = O(xyz)\nequivariant out under rot\n";
    const charged = new GraphBuilder("charged")
      .input("v", "float", ["batch", 4, 3])
      .input("charge", "float", ["batch", 4])
      .initializer("last", int64Tensor([1], [2]))
      .node("Unsqueeze", ["charge", "last"], ["q"], {}, { name: "q" })
      .node("Mul", ["v", "q"], ["out"], {}, { name: "weigh" })
      .output("out", "float", ["batch", 4, 3]);
    assertVerdict(await verdictOf(spec, charged), "proved");
    const weights = (values: number[]) =>
      new GraphBuilder("weighted")
        .input("v", "float", ["batch", 4, 3])
        .input("charge", "float", ["batch", 4])
        .initializer("w", floatTensor([3], values))
        .node("Mul", ["v", "w"], ["out"], {}, { name: "weigh" })
        .output("out", "float", ["batch", 4, 3]);
    assertVerdict(await verdictOf(spec, weights([2, 2, 2])), "proved");
    assertVerdict(await verdictOf(spec, weights([1, 2, 3])), "violated", "weigh", /multiplies the components of axis 2 \(the vector axis xyz\) by different factors: w varies along it by up to 2/);
  });

  test("adding a fixed offset to a vector breaks rotations", async () => {
    const spec = "input v [batch, xyz: vector]\noutput out [batch, xyz: vector]\nsymmetry rot = SO(xyz)\nequivariant out under rot\n";
    const model = new GraphBuilder("offset").input("v", "float", ["batch", 3]).initializer("offset", floatTensor([3], [1, 0, 0])).node("Add", ["v", "offset"], ["out"], {}, { name: "shift" }).output("out", "float", ["batch", 3]);
    assertVerdict(await verdictOf(spec, model), "violated", "shift", /adds offset, a fixed offset that rotations do not turn/);
  });

  test("negated positions are no positions: -(R p + t) = R (-p) - t (violated under E; a vector under O, proved)", async () => {
    const spec = `${POSITIONS}output out [batch, atom, xyz: point]\nsymmetry rigid = E(xyz)\nequivariant out under rigid\n`;
    const model = molecule("negated").node("Neg", ["pos"], ["out"], {}, { name: "neg" }).output("out", "float", ["batch", 4, 3]);
    assertVerdict(await verdictOf(spec, model), "violated", "neg", /Neg of the positions along xyz is no position: translating the points by t moves it by -t/);
    assertVerdict(await verdictOf(spec.replace("E(xyz)", "O(xyz)"), model), "proved");
  });

  test("BatchNormalization over the atoms keeps positions only where it scales them by 1", async () => {
    const spec = `${POSITIONS}output out [batch, atom, xyz: point]\nsymmetry rigid = E(xyz)\nequivariant out under rigid\n`;
    // The atoms are its channels: out[atom] = scale[atom] * pos[atom] (no mean, no bias, variance 1).
    const batchNorm = (scale: number[]) =>
      molecule("bn")
        .initializer("scale", floatTensor([4], scale))
        .initializer("zeros", floatTensor([4], [0, 0, 0, 0]))
        .initializer("ones", floatTensor([4], [1, 1, 1, 1]))
        .node("BatchNormalization", ["pos", "scale", "zeros", "zeros", "ones"], ["out"], { epsilon: float(0) }, { name: "bn" })
        .output("out", "float", ["batch", 4, 3]);
    assertVerdict(await verdictOf(spec, batchNorm([1, 1, 1, 1])), "proved");
    assertVerdict(await verdictOf(spec, batchNorm([1, 2, 1, 1])), "violated", "bn", /scales the positions along axis 2 \(the point axis xyz\) by up to 2/);
    // Rotations alone: each atom's vector times a number is still a vector.
    assertVerdict(await verdictOf(spec.replace("E(xyz)", "SO(xyz)"), batchNorm([1, 2, 1, 1])), "proved");
  });

  test("LpNormalization along xyz makes unit vectors", async () => {
    const spec = "input v [batch, xyz: vector]\noutput out [batch, xyz: vector]\nsymmetry rot = O(xyz)\nequivariant out under rot\n";
    const model = new GraphBuilder("unit").input("v", "float", ["batch", 3]).node("LpNormalization", ["v"], ["out"], { axis: 1 }, { name: "unit" }).output("out", "float", ["batch", 3]);
    assertVerdict(await verdictOf(spec, model), "proved");
  });
});

describe("norms and dot products", () => {
  const VECTOR = "input v [batch, xyz: vector]\noutput out [batch]\nsymmetry rot = SO(xyz)\ninvariant out under rot\n";
  const reduced = (op: string) =>
    new GraphBuilder(op).input("v", "float", ["batch", 3]).initializer("xyz", int64Tensor([1], [1])).node(op, ["v", "xyz"], ["out"], { keepdims: 0 }, { name: "reduce" }).output("out", "float", ["batch"]);

  test("the L2 norm over xyz is invariant; the L1 norm and the plain sum of the components are not", async () => {
    assertVerdict(await verdictOf(VECTOR, reduced("ReduceL2"), { opset: 18 }), "proved");
    assertVerdict(await verdictOf(VECTOR, reduced("ReduceL1"), { opset: 18 }), "violated", "reduce", /ReduceL1 over axis 1 \(the vector axis xyz\) treats the components/);
    assertVerdict(await verdictOf(VECTOR, reduced("ReduceSum"), { opset: 18 }), "violated", "reduce", /sum of the components of axis 1 \(the vector axis xyz\) \(a vector\) changes under rotations/);
  });

  test("the dot product of two vectors is invariant under O; of a vector and a pseudovector it is not", async () => {
    const dot = () =>
      new GraphBuilder("dot")
        .input("u", "float", ["batch", 3])
        .input("w", "float", ["batch", 3])
        .initializer("xyz", int64Tensor([1], [1]))
        .node("Mul", ["u", "w"], ["uw"], {}, { name: "products" })
        .node("ReduceSum", ["uw", "xyz"], ["out"], { keepdims: 0 }, { name: "dot" })
        .output("out", "float", ["batch"]);
    const spec = (kind: string) => `input u [batch, xyz: vector]\ninput w [batch, xyz: ${kind}]\noutput out [batch]\nsymmetry rot = O(xyz)\ninvariant out under rot\n`;
    assertVerdict(await verdictOf(spec("vector"), dot()), "proved");
    assertVerdict(await verdictOf(spec("pseudovector"), dot()), "violated", "products", /multiplies vectors and pseudovectors component by component/);
  });
});
