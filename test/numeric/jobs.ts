/**
 * Jobs for the model runner's tests (runner.test.ts, runnerHost.ts): samples that claim y
 * equivariant under negate(x, y), on inputs held at fixed values. Models that double x pass with
 * no error; models that square it fail by a known one.
 */
import type { DeclaredTensor } from "../../server/src/symmetry/numeric/actions";
import type { Discrepancy } from "../../server/src/symmetry/numeric/compare";
import type { GroupElement } from "../../server/src/symmetry/numeric/elements";
import type { FedInput } from "../../server/src/symmetry/numeric/inputs";
import type { SampleJob } from "../../server/src/symmetry/numeric/samples";

/** Plain axes a0, a1... for a tensor of the dims. */
export function tensor(name: string, dims: readonly number[]): DeclaredTensor {
  return { name, axes: dims.map((_, i) => ({ name: `a${i}`, kind: "plain" as const })) };
}

let jobCount = 0;

/** A job whose samples claim y equivariant under negate(x, y), on inputs held at fixed values. */
function negationJob(modelPath: string, inputs: FedInput[], samples: number): SampleJob {
  const negate: GroupElement = { kind: "value", symmetry: { name: "n", group: { kind: "negate", tensors: ["x", "y"] } }, words: "negate", factor: -1 };
  const y = inputs.find((input) => input.name === "x")!.tensor!;
  return {
    modelPath,
    plan: { inputs, batchable: false },
    seed: 0,
    elements: Array(samples).fill(negate),
    claim: { kind: "equivariant", outputs: [{ ...y, name: "y" }] },
    stackable: false,
    tolerance: 1e-4,
    maxStackedBytes: 2 ** 20,
    // Each job draws its own inputs: no f(x) to share with another.
    checkId: `job ${++jobCount}`,
    keepBase: false,
  };
}

/** x float [dims] held at `value` (the models of elementwiseModel): the doubler passes, the squarer fails by 2 value^2. */
export function xJob(modelPath: string, value = 3, dims = [2, 3], samples = 1): SampleJob {
  return negationJob(modelPath, [{ name: "x", elementType: "float", tensor: tensor("x", dims), shape: dims, batched: false, source: { kind: "fixed", value } }], samples);
}

/** The spinner for `steps` steps (int64, clamped to 2^53: years), `samples` samples: two runs each. */
export function spinJob(spinner: string, steps: number, samples = 1): SampleJob {
  return negationJob(
    spinner,
    [
      { name: "steps", elementType: "int64", shape: [], batched: false, source: { kind: "fixed", value: steps } },
      { name: "x", elementType: "float", tensor: tensor("x", [1]), shape: [1], batched: false, source: { kind: "fixed", value: 7 } },
    ],
    samples,
  );
}

/** What a job gives when y = 2x: f(-x) = -f(x) exactly, on all 6 entries. */
export const DOUBLED: Discrepancy = { relative: 0, absolute: 0, finite: true, compared: 6 };

/** What a job gives when y = x * x: f(-x) = value^2 where -value^2 is expected. */
export function squared(value: number): Discrepancy {
  return { relative: 2, absolute: 2 * value * value, finite: true, compared: 6 };
}
