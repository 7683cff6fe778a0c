/**
 * Numeric-check fixtures: a spec and its model (built with the ONNX builder, or one of the
 * project's examples) written to a temporary folder and analysed as the editor does, then checked
 * with the in-process runner.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after } from "node:test";
import { ModelCache } from "../../server/src/onnx/cache";
import { analyzeSpec, type SpecAnalysis } from "../../server/src/service/analysis";
import { checkNumerically, type NumericOptions } from "../../server/src/symmetry/numeric/check";
import type { NumericCheck } from "../../server/src/symmetry/numeric/types";
import type { GraphBuilder } from "../support/onnxBuilder";
import { InProcessRunner } from "./inProcessRunner";

const folders: string[] = [];
after(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

export function temporaryFolder(): string {
  const folder = mkdtempSync(path.join(tmpdir(), "symcheck-numeric-"));
  folders.push(folder);
  return folder;
}

export interface Fixture {
  analysis: SpecAnalysis;
  folder: string;
}

/** The spec, with `net.onnx` (the model) and any other files beside it, analysed; a spec that does not bind cleanly fails the test. */
export async function fixture(spec: string, model: GraphBuilder | Uint8Array, files: Record<string, Uint8Array> = {}, modelFile = "net.onnx"): Promise<Fixture> {
  const folder = temporaryFolder();
  writeFileSync(path.join(folder, modelFile), model instanceof Uint8Array ? model : model.toModelBytes());
  for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(folder, name), bytes);
  const analysis = await analyzeSpec(path.join(folder, "net.sym"), spec, new ModelCache());
  const errors = analysis.diagnostics.filter((d) => d.severity === "error" && !d.code.startsWith("static."));
  assert.deepEqual(errors.map((d) => `${d.range.start.line + 1}: ${d.message}`), [], "the spec must bind without errors");
  return { analysis, folder };
}

/** Runs the numeric check of a fixture with a fresh in-process runner (or the one given). */
export async function check(fixture: Fixture, options: Partial<NumericOptions> = {}, runner = new InProcessRunner()): Promise<NumericCheck[]> {
  try {
    return await checkNumerically(fixture.analysis.bound, { runner, specFolder: fixture.folder, ...options });
  } finally {
    await runner.dispose();
  }
}

/** A result without its wall time, for comparing two runs. */
export function withoutTime(result: NumericCheck): Omit<NumericCheck, "ms"> {
  const { ms: _ms, ...rest } = result;
  return rest;
}

/**
 * The bytes of a NumPy .npy file, as numpy.save writes them: magic, version, header length,
 * a header dict padded with spaces to a multiple of 64 bytes and ended by a newline, the data.
 */
export function npyFile(descr: string, shape: number[], data: ArrayBufferView, options: { version?: 1 | 2 | 3; fortranOrder?: boolean } = {}): Uint8Array {
  const version = options.version ?? 1;
  const preamble = version === 1 ? 10 : 12;
  const dict = `{'descr': '${descr}', 'fortran_order': ${options.fortranOrder ? "True" : "False"}, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  const headerLength = Math.ceil((preamble + dict.length + 1) / 64) * 64 - preamble;
  const header = new TextEncoder().encode(dict.padEnd(headerLength - 1, " ") + "\n");
  const bytes = new Uint8Array(preamble + headerLength + data.byteLength);
  bytes.set([0x93, ..."NUMPY"].map((c) => (typeof c === "number" ? c : c.charCodeAt(0))));
  bytes.set([version, 0], 6);
  const view = new DataView(bytes.buffer);
  if (version === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  bytes.set(header, preamble);
  bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), preamble + headerLength);
  return bytes;
}
