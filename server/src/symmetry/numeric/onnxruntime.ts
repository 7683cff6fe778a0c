/**
 * One run on an onnxruntime session in the check's terms (a RunRequest in, RuntimeTensors out):
 * the worker process's runs, and the in-process runs of the tests and the benchmark, alike.
 */
import * as ort from "onnxruntime-node";
import { RunnerError, type RunRequest, type RuntimeTensor } from "./types";

/** onnxruntime's failures are RunnerErrors of reason `runtime` (the check tells them from its own). */
export async function runSession(session: ort.InferenceSession, request: RunRequest): Promise<Record<string, RuntimeTensor>> {
  let results: ort.InferenceSession.ReturnType;
  try {
    results = await session.run(ortFeeds(request.feeds), request.outputs);
  } catch (error) {
    throw new RunnerError((error as Error).message, "runtime");
  }
  return Object.fromEntries(Object.entries(results).map(([name, value]) => [name, runtimeTensor(name, value)]));
}

/** The feeds as onnxruntime takes them (views of the same arrays, no copy). */
export function ortFeeds(feeds: RunRequest["feeds"]): Record<string, ort.Tensor> {
  return Object.fromEntries(Object.entries(feeds).map(([name, tensor]) => [name, new ort.Tensor(tensor.type as ort.Tensor.Type, tensor.data as ort.Tensor.DataType, tensor.dims)]));
}

/** An output as the check takes it: a plain object around a typed array. */
function runtimeTensor(name: string, value: ort.OnnxValue): RuntimeTensor {
  if (!(value instanceof ort.Tensor)) throw new Error(`output ${name} is not a tensor: symcheck compares tensors only`);
  if (value.type === "string") throw new Error(`output ${name} is a tensor of strings: symcheck compares numbers only`);
  const data = value.data as ArrayBufferView;
  // Node versions with Float16Array give float16 data as one; the check decodes the raw bits.
  const raw = value.type === "float16" && !(data instanceof Uint16Array) ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : data;
  return { type: value.type, dims: [...value.dims], data: raw as RuntimeTensor["data"] };
}
