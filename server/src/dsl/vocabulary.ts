/**
 * What the language knows by name: keywords, group constructors, axis kinds and
 * check settings, each with the documentation that hover and completion show. The parser,
 * the binder and the editor features all read these tables, so a new constructor or setting
 * is added here once.
 */

export const STATEMENT_KEYWORDS = ["model", "input", "output", "symmetry", "invariant", "equivariant", "check"] as const;

/** One line on each keyword (statement keywords and the words inside statements), for hover and completion. */
export const KEYWORD_DOCS: Readonly<Record<string, string>> = {
  model: 'The ONNX file the spec describes, relative to the spec\'s folder: `model "net.onnx"`. Without it, the `.onnx` file beside the spec with the same base name.',
  input: "Names a graph input of the model and each of its axes: `input NAME [AXES]`.",
  output: "Names a graph output of the model and each of its axes: `output NAME [AXES]`.",
  symmetry: "Declares a group and how it acts: `symmetry NAME = CONSTRUCTOR(ARGS)`.",
  invariant: "Claims f(g·x) = f(x) on the listed outputs, for each listed symmetry separately.",
  equivariant: "Claims f(g·x) = g·f(x): each listed output transforms as its declared axes (or the value group) say.",
  under: "The symmetries a claim is checked under, each separately.",
  within: "The claim's relative tolerance; default the check block's `tolerance`, else 1e-4 (1e-2 for float16 and bfloat16 outputs).",
  check: "Settings of the numeric checks: `samples`, `seed`, `tolerance`, `size` and how each `input` is drawn.",
  from: "Draws the input's samples from a NumPy `.npy` file (relative to the spec) whose first axis indexes samples, cycling through its rows.",
};

export interface OptionInfo {
  name: string;
  doc: string;
  /** Smallest allowed value; every option is a whole number. */
  min: number;
}

export interface ConstructorInfo {
  name: string;
  /** What the positional arguments name. */
  argumentKind: "axis" | "tensor";
  minArgs: number;
  /** `Infinity` for a list. */
  maxArgs: number;
  options: OptionInfo[];
  /** One line: what the group is. */
  summary: string;
  /** A longer description in Markdown. */
  doc: string;
  /** A snippet for completion (`translate(${1:y}, ${2:x})`). */
  snippet: string;
}

export const CONSTRUCTORS: readonly ConstructorInfo[] = [
  {
    name: "translate",
    argumentKind: "axis",
    minArgs: 1,
    maxArgs: Infinity,
    options: [
      { name: "step", min: 1, doc: "Shift only by multiples of `step` (for strided networks)." },
      {
        name: "margin",
        min: 0,
        doc: "Compare equivariant outputs only on cells at least `margin` away from the borders and the wrap seam (for zero-padded networks).",
      },
    ],
    summary: "cyclic shifts along the axes",
    doc: "Cyclic shifts along the listed axes, jointly on every declared tensor with those axes.",
    snippet: "translate(${1:y}, ${2:x})",
  },
  {
    name: "flip",
    argumentKind: "axis",
    minArgs: 1,
    maxArgs: 1,
    options: [],
    summary: "reversing one axis",
    doc: "Reverses the axis: a group of two elements.",
    snippet: "flip(${1:x})",
  },
  {
    name: "rotate90",
    argumentKind: "axis",
    minArgs: 2,
    maxArgs: 2,
    options: [],
    summary: "quarter turns in a plane",
    doc: "Quarter turns in the (a, b) plane, turning a towards b, as `numpy.rot90(x, k, axes=(a, b))`. Both axes must have the same size.",
    snippet: "rotate90(${1:y}, ${2:x})",
  },
  {
    name: "dihedral",
    argumentKind: "axis",
    minArgs: 2,
    maxArgs: 2,
    options: [],
    summary: "the 8 rotations and reflections of a square",
    doc: "The dihedral group of the (a, b) square: four quarter turns, each with or without a flip of b. Both axes must have the same size.",
    snippet: "dihedral(${1:y}, ${2:x})",
  },
  {
    name: "permute",
    argumentKind: "axis",
    minArgs: 1,
    maxArgs: 1,
    options: [],
    summary: "permutations of one axis",
    doc: "The same permutation of the axis on every tensor that has it (on both axes of an adjacency matrix).",
    snippet: "permute(${1:element})",
  },
  {
    name: "SO",
    argumentKind: "axis",
    minArgs: 1,
    maxArgs: 1,
    options: [],
    summary: "rotations of a 2- or 3-vector axis",
    doc: "Proper rotations of an axis of size 2 or 3, acting by its kind (`vector`, `pseudovector`, `point`).",
    snippet: "SO(${1:xyz})",
  },
  {
    name: "O",
    argumentKind: "axis",
    minArgs: 1,
    maxArgs: 1,
    options: [],
    summary: "rotations and reflections of a 2- or 3-vector axis",
    doc: "Rotations and reflections of an axis of size 2 or 3; a `pseudovector` axis also changes sign under reflections.",
    snippet: "O(${1:xyz})",
  },
  {
    name: "SE",
    argumentKind: "axis",
    minArgs: 1,
    maxArgs: 1,
    options: [],
    summary: "rotations and translations",
    doc: "As `SO`, plus translations of `point` axes (positions move, vectors do not).",
    snippet: "SE(${1:xyz})",
  },
  {
    name: "E",
    argumentKind: "axis",
    minArgs: 1,
    maxArgs: 1,
    options: [],
    summary: "rotations, reflections and translations",
    doc: "As `O`, plus translations of `point` axes: the rigid motions of space.",
    snippet: "E(${1:xyz})",
  },
  {
    name: "negate",
    argumentKind: "tensor",
    minArgs: 1,
    maxArgs: Infinity,
    options: [],
    summary: "x -> -x on the listed tensors",
    doc: "Sign flip of the listed tensors (inputs and outputs); an invariance claim under it says the model is even, an equivariance claim that it is odd.",
    snippet: "negate(${1:input})",
  },
  {
    name: "scale",
    argumentKind: "tensor",
    minArgs: 1,
    maxArgs: Infinity,
    options: [],
    summary: "x -> s*x, s > 0, on the listed tensors",
    doc: "Positive scaling of the listed tensors: equivariance means positive homogeneity of degree 1.",
    snippet: "scale(${1:input})",
  },
];

export function findConstructor(name: string): ConstructorInfo | undefined {
  return CONSTRUCTORS.find((c) => c.name === name);
}

/** Finite groups whose regular representation an axis may carry, with their orders. */
export const REGULAR_GROUP_ORDERS: Readonly<Record<string, number>> = { flip: 2, rotate90: 4, dihedral: 8 };

export interface AxisKindInfo {
  name: "vector" | "pseudovector" | "point";
  doc: string;
}

export const AXIS_KINDS: readonly AxisKindInfo[] = [
  { name: "vector", doc: "Rotated by rotation groups (the default for axes of size 2 or 3)." },
  { name: "pseudovector", doc: "Rotated, and sign-flipped by reflections (angular momenta, normals of oriented planes)." },
  { name: "point", doc: "Rotated and translated: positions." },
];

export interface SettingInfo {
  name: string;
  doc: string;
  snippet: string;
}

export const CHECK_SETTINGS: readonly SettingInfo[] = [
  { name: "samples", doc: "(input, group element) pairs per claim and symmetry. Default 8.", snippet: "samples ${1:8}" },
  { name: "seed", doc: "Seed of the sampler: the same spec gives the same samples. Default 0.", snippet: "seed ${1:0}" },
  { name: "tolerance", doc: "Default relative tolerance of claims. Default 1e-4 (1e-2 for float16 and bfloat16 outputs).", snippet: "tolerance ${1:1e-4}" },
  { name: "size", doc: "Sizes for dynamic dimensions: `size batch = 2, y = 32`.", snippet: "size ${1:batch} = ${2:2}" },
  {
    name: "input",
    doc: "How an input is drawn: `~ normal(mean, std)` (the default, 0 and 1), `~ uniform(lo, hi)`, `~ integers(lo, hi)` (hi excluded), `= VALUE`, or `from \"FILE.npy\"`.",
    snippet: "input ${1:name} ~ ${2|normal,uniform,integers|}(${3:0}, ${4:1})",
  },
];

export const DISTRIBUTIONS = [
  { name: "normal", params: ["mean", "std"], defaults: [0, 1] },
  { name: "uniform", params: ["lo", "hi"], defaults: [0, 1] },
  { name: "integers", params: ["lo", "hi"], defaults: [] as number[] },
] as const;
