/**
 * One line on each keyword, for hover and for the details of completion items. (The
 * vocabulary in `dsl/vocabulary.ts` documents constructors, kinds and settings; the keywords'
 * meaning is the editor's business only.)
 */
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
