/**
 * A two-op model and its spec, shared by the command-line and protocol tests of static verdicts:
 * signal -> Tanh (odd) -> `second` -> out. With `second` = Tanh the output stays odd (proved under
 * negation); with Relu it is neither odd nor even (violated at the node `second`).
 */
import { GraphBuilder } from "./onnxBuilder";

export function oddSignalModel(second: "Tanh" | "Relu"): Uint8Array {
  return new GraphBuilder("odd")
    .input("signal", "float", ["batch", 16])
    .node("Tanh", ["signal"], ["hidden"], {}, { name: "squash" })
    .node(second, ["hidden"], ["out"], {}, { name: "second" })
    .output("out", "float", ["batch", 16])
    .toModelBytes();
}

export const ODD_SIGNAL_SPEC = `model "odd.onnx"
input  signal [batch, time]
output out    [batch, time]
symmetry flipsign = negate(signal, out)
symmetry shift    = translate(time)
equivariant out under flipsign, shift
check { size batch = 2 }
`;
