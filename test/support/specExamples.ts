/**
 * Every example of the product spec (shared/spec/dsl.md), verbatim: each must parse with no
 * diagnostic. The whole-file examples come first, then the snippets of its sections. The
 * parser, binder and grammar tests read them, and `npm run examples` writes the whole-file
 * ones to examples/.
 */
export const SPEC_EXAMPLES: Readonly<Record<string, string>> = {
  tinyCnn: `# tiny_cnn.sym: a convolutional classifier
model "tiny_cnn.onnx"
input  image  [batch, channel, y, x]
output logits [batch, class]

symmetry shift = translate(y, x)
symmetry turn  = rotate90(y, x)

invariant logits under shift
invariant logits under turn within 1e-3
check { samples 16  size batch = 2 }
`,
  deepsets: `# deepsets.sym: a set model with a per-element output
model "deepsets.onnx"
input  points [batch, element, feature]
output pooled [batch, out]
output scores [batch, element]

symmetry perm = permute(element)

invariant   pooled under perm
equivariant scores under perm
`,
  molecule: `# molecule.sym: an E(3)-equivariant force field
model "egnn.onnx"
input  pos    [batch, atom, xyz: point]
input  charge [batch, atom]
output energy [batch]
output force  [batch, atom, xyz: vector]

symmetry rigid  = E(xyz)
symmetry relabel = permute(atom)

invariant   energy under rigid, relabel
equivariant force  under rigid, relabel within 1e-3
`,
  p4conv: `# p4conv.sym: a group convolution; its features carry one channel per quarter turn
model "p4conv.onnx"
input  image [batch, channel, y, x]
output feat  [batch, orient: turn, channel, y, x]
symmetry turn = rotate90(y, x)
equivariant feat under turn
`,
  vad: `# vad.sym: an audio model should not care about polarity
model "vad.onnx"
input  audio [batch, time]
output speech [batch, frame]
symmetry polarity = negate(audio)
invariant speech under polarity within 1e-3
`,
  tensorSection: `input  image  [batch, channel, y, x]
output logits [batch, class]
input  "input.1" [batch, token, feature]
input  pos    [batch, atom, xyz: point]
output force  [batch, atom, xyz: vector]
input  adj    [batch, node, node]          # one name twice: the group acts on both axes
`,
  checkSection: `check {
  samples 8                      # (input, group element) pairs per claim and symmetry; default 8
  seed 0                         # default 0: the same spec gives the same samples
  tolerance 1e-4                 # default relative tolerance
  size batch = 2, y = 32, x = 32 # sizes for dynamic dimensions
  input tokens ~ integers(0, 1000)   # 0 to 999 (hi excluded); also normal(mean, std) (the default, 0 and 1) and uniform(lo, hi)
  input sr = 16000               # a fixed value for an input (broadcast to its shape)
  input image from "digits.npy"  # real inputs: a NumPy .npy file whose first axis indexes samples
}
`,
  sizedAxis: `input tokens [batch = 2, token, feature]\n`,
};
