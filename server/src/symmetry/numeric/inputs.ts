/**
 * The inputs of a numeric check: every input the model needs fed, its shape for one sample, and
 * how its values are drawn (the check block's `input` settings, else normal(0, 1)).
 *
 * Shapes come from the declared axes' sizes (the model's static dims, `= N`, `size NAME = N`).
 * The batch axis (an input's leading axis, dynamic in the model and moved by no symmetry, the
 * binder's rule) needs no size: a sample has one row there (or `size batch = N` rows), and the check
 * may stack samples along it. Inputs the spec does not declare are fed too, drawn the same way and
 * held fixed within a sample (the same value in f(x) and f(g.x)); those with an initializer are not
 * fed (the model's value stands).
 */
import * as path from "node:path";
import { actedAxes } from "../../binding/actions";
import type { BoundSpec, BoundTensor, InputSource } from "../../binding/bound";
import { describeDim, modelInputs, type Dim, type ValueInfo } from "../../onnx/model";
import { declaredTensor, type DeclaredTensor } from "./actions";
import { elementCount, type Dense } from "./dense";
import { castInPlace, checkFeedable } from "./elementTypes";
import { readNpy, type NpyArray } from "./npy";
import { fillNormal, seededRandom, streamSeed } from "./random";

export interface FedInput {
  /** The model's name for the input. */
  name: string;
  /** The ONNX element type (`float`, `int64`...). */
  elementType: string;
  /** The declared tensor, which the symmetries act on; undefined for inputs the spec does not declare (held fixed). */
  tensor?: DeclaredTensor;
  /** Its shape for one sample. */
  shape: number[];
  /** Whether its leading axis is the batch axis, along which samples may be stacked. */
  batched: boolean;
  source: InputSource;
  /** For `from "FILE.npy"`: the array, and how many of its rows make one sample (1, or the batch axis' size). */
  file?: { array: NpyArray; rowsPerSample: number };
  /** For `from "FILE.npy"` in a job's plan: the values of the job's samples, by sample number, instead of the whole file. */
  given?: Map<number, Float64Array>;
}

export interface InputPlan {
  inputs: FedInput[];
  /** Every fed input has the batch axis: samples may be stacked along it and run at once. */
  batchable: boolean;
}

const DEFAULT_SOURCE: InputSource = { kind: "normal", mean: 0, std: 1 };

/** The fed inputs of the bound spec's model; throws, with the fix in the message, where a shape or a file is missing or wrong. */
export async function planInputs(bound: BoundSpec, specFolder: string): Promise<InputPlan> {
  const graph = bound.model!.graph;
  const moved = movedAxisNames(bound);
  const inputs: FedInput[] = [];
  for (const valueInfo of modelInputs(graph)) {
    const tensor = bound.tensors.find((candidate) => candidate.direction === "input" && candidate.name === valueInfo.name);
    const planned = tensor ? declaredInput(tensor, moved) : undeclaredInput(valueInfo, bound);
    checkFeedable(planned.name, planned.elementType);
    const source = bound.check.inputs.get(planned.name) ?? DEFAULT_SOURCE;
    const file = source.kind === "file" ? await fileRows(path.resolve(specFolder, source.path), source.path, planned.name, planned.shape) : undefined;
    inputs.push({ ...planned, ...(tensor && { tensor: declaredTensor(tensor) }), source, ...(file && { file }) });
  }
  return { inputs, batchable: inputs.length > 0 && inputs.every((input) => input.batched) };
}

/** Axis names that some symmetry moves on some tensor: never the batch axis. */
function movedAxisNames(bound: BoundSpec): Set<string> {
  const names = new Set<string>();
  for (const symmetry of bound.symmetries.values()) for (const tensor of bound.tensors) for (const axis of actedAxes(symmetry, tensor)) names.add(axis.name);
  return names;
}

function isDynamic(dim: Dim | undefined): boolean {
  return dim !== undefined && dim.kind !== "static";
}

function declaredInput(tensor: BoundTensor, moved: ReadonlySet<string>): Pick<FedInput, "name" | "elementType" | "shape" | "batched"> {
  const dims = tensor.valueInfo.type?.kind === "tensor" ? tensor.valueInfo.type.shape : undefined;
  const leading = tensor.axes[0];
  const batched = leading !== undefined && isDynamic(dims?.[0]) && leading.kind !== "regular" && !moved.has(leading.name);
  const shape = tensor.axes.map((axis, index) => {
    if (axis.size !== undefined) return axis.size;
    if (index === 0 && batched) return 1;
    const fix = axis.name === "_" ? `write \`_ = N\` there` : `add \`size ${axis.name} = N\` to the check block`;
    throw new Error(`axis ${index} of ${tensor.name} (${axis.name}) is dynamic in the model (${axis.modelDim}) and has no size: ${fix}`);
  });
  return { name: tensor.name, elementType: tensor.elementType, shape, batched };
}

/**
 * An input the spec does not declare: its static dims, the batch size for a dynamic leading dim,
 * and the size of a declared axis for a symbolic dim that a declared axis shares.
 */
function undeclaredInput(valueInfo: ValueInfo, bound: BoundSpec): Pick<FedInput, "name" | "elementType" | "shape" | "batched"> {
  const type = valueInfo.type;
  const declareIt = `declare it (\`input ${valueInfo.name} [...]\`) with sizes for its dynamic axes`;
  if (type?.kind !== "tensor") throw new Error(`the model's input ${valueInfo.name} is not a tensor (${type?.description ?? "no type"}): the numeric check feeds tensors only`);
  if (!type.shape) throw new Error(`the model does not give the rank of its input ${valueInfo.name}, which the spec does not declare: ${declareIt}`);
  const shape = type.shape.map((dim, index) => {
    if (dim.kind === "static") return dim.value;
    if (index === 0) return 1;
    const size = dim.kind === "symbolic" ? symbolSize(dim.name, bound) : undefined;
    if (size === undefined) throw new Error(`the model's input ${valueInfo.name}, which the spec does not declare, has a dynamic axis ${index} (${describeDim(dim)}): ${declareIt}`);
    return size;
  });
  return { name: valueInfo.name, elementType: type.elementType, shape, batched: isDynamic(type.shape[0]) };
}

/** The size of a declared axis whose model dim is the symbol. */
function symbolSize(symbol: string, bound: BoundSpec): number | undefined {
  for (const tensor of bound.tensors) for (const axis of tensor.axes) if (axis.modelDim === symbol && axis.size !== undefined) return axis.size;
  return undefined;
}

/** An .npy file's rows for an input: one row per sample, or one row per entry of the sample's leading axis. */
async function fileRows(filePath: string, written: string, input: string, shape: readonly number[]): Promise<{ array: NpyArray; rowsPerSample: number }> {
  const array = await readNpy(filePath);
  const rowShape = array.shape.slice(1);
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((size, i) => size === b[i]);
  if (array.shape.length === 0 || array.shape[0] === 0) throw new Error(`${written} holds no rows (its shape is [${array.shape.join(", ")}]); the first axis indexes the samples of ${input}`);
  if (same(rowShape, shape)) return { array, rowsPerSample: 1 };
  if (shape.length > 0 && same(rowShape, shape.slice(1))) return { array, rowsPerSample: shape[0] };
  const rows = [`[${shape.join(", ")}]`, ...(shape.length > 0 ? [`[${shape.slice(1).join(", ")}]`] : [])];
  throw new Error(`${written} holds rows of [${rowShape.join(", ")}] (its shape is [${array.shape.join(", ")}]), but ${input} takes [${shape.join(", ")}] per sample: its rows must be ${rows.join(" or ")}`);
}

/**
 * The plan as a job of `samples` samples takes it (samples.ts): inputs read from files carry
 * those samples' values, not the whole file, which stays in the process that read it.
 */
export function planForSamples(plan: InputPlan, samples: number): InputPlan {
  const inputs = plan.inputs.map(({ file, ...input }) => {
    if (!file) return input;
    const given = new Map<number, Float64Array>();
    for (let sample = 0; sample < samples; sample++) given.set(sample, fileSample(file, elementCount(input.shape), sample));
    return { ...input, given };
  });
  return { ...plan, inputs };
}

/**
 * The inputs of sample `sample`, as values that the inputs' element types hold exactly: float32
 * inputs drawn straight into float32 arrays (the values the model sees, in half the memory),
 * the others as float64 values. Each input's sample has its own random stream, so it depends
 * only on the seed, the input and the sample's number. `into` gives, for some inputs, the array
 * (of its element type's class) to draw into: a row of the stacked tensor that feeds it.
 */
export function drawInputs(plan: InputPlan, seed: number, sample: number, into?: ReadonlyMap<string, Float32Array | Float64Array>): Map<string, Dense> {
  const drawn = new Map<string, Dense>();
  for (const input of plan.inputs) {
    const count = elementCount(input.shape);
    const target = into?.get(input.name) ?? (input.elementType === "float" ? new Float32Array(count) : new Float64Array(count));
    if (input.source.kind === "file") target.set(input.given?.get(sample) ?? fileSample(input.file!, count, sample));
    else drawValues(input.source, target, streamSeed(seed, "input", input.name, sample));
    drawn.set(input.name, { shape: input.shape, data: target instanceof Float32Array ? target : castInPlace(target, input.elementType) });
  }
  return drawn;
}

/** Values of the distribution into `target` (a Float32Array rounds each as castValue does). */
function drawValues(source: Exclude<InputSource, { kind: "file" }>, target: Float64Array | Float32Array, stream: number): void {
  // One loop per distribution: this runs for every entry of every sample's inputs.
  const random = seededRandom(stream);
  switch (source.kind) {
    case "normal":
      fillNormal(target, stream, source.mean, source.std);
      return;
    case "uniform":
      for (let i = 0; i < target.length; i++) target[i] = source.low + (source.high - source.low) * random();
      return;
    case "integers":
      for (let i = 0; i < target.length; i++) target[i] = source.low + Math.floor(random() * (source.high - source.low));
      return;
    case "fixed":
      target.fill(source.value);
  }
}

/** Rows sample*k to sample*k + k - 1 of the file (k rows a sample), cycling through its rows. */
function fileSample(file: NonNullable<FedInput["file"]>, count: number, sample: number): Float64Array {
  const rowLength = count / file.rowsPerSample;
  const rows = file.array.shape[0];
  const values = new Float64Array(count);
  for (let k = 0; k < file.rowsPerSample; k++) {
    const row = (sample * file.rowsPerSample + k) % rows;
    values.set(file.array.data.subarray(row * rowLength, (row + 1) * rowLength), k * rowLength);
  }
  return values;
}
