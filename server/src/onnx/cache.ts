/**
 * Loads ONNX models from disk and keeps them, by absolute path, until the file changes (its
 * modification time or size). Every spec in a workspace that names one model shares one read,
 * even when they ask at the same moment. `load` never throws: every outcome is a ModelLoad.
 */
import { readFile, stat } from "node:fs/promises";
import * as path from "node:path";
import type { OnnxModel } from "./model";
import { OnnxReadError, readOnnxModel } from "./reader";

export type ModelLoad =
  | { ok: true; path: string; model: OnnxModel; mtimeMs: number }
  | { ok: false; path: string; problem: "missing" | "unreadable" | "invalid"; message: string };

interface CacheEntry {
  mtimeMs: number;
  size: number;
  /** Pending while the file is read: callers that come meanwhile wait for the same read. */
  result: Promise<ModelLoad>;
}

export class ModelCache {
  private readonly entries = new Map<string, CacheEntry>();

  async load(modelPath: string): Promise<ModelLoad> {
    const absolute = path.resolve(modelPath);
    let stats;
    try {
      stats = await stat(absolute);
    } catch (error) {
      this.entries.delete(absolute);
      return fileProblem(absolute, error);
    }
    if (stats.isDirectory()) {
      this.entries.delete(absolute);
      return { ok: false, path: absolute, problem: "unreadable", message: `cannot read ${absolute}: it is a folder, not a file` };
    }
    const cached = this.entries.get(absolute);
    if (cached && cached.mtimeMs === stats.mtimeMs && cached.size === stats.size) return cached.result;
    const entry: CacheEntry = { mtimeMs: stats.mtimeMs, size: stats.size, result: readModel(absolute, stats.mtimeMs) };
    this.entries.set(absolute, entry);
    return entry.result;
  }

  /** Forgets a model, so that the next load reads the file again (say, after a file watcher's event). */
  invalidate(modelPath: string): void {
    this.entries.delete(path.resolve(modelPath));
  }
}

async function readModel(absolute: string, mtimeMs: number): Promise<ModelLoad> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(absolute);
  } catch (error) {
    return fileProblem(absolute, error);
  }
  try {
    return { ok: true, path: absolute, model: readOnnxModel(bytes), mtimeMs };
  } catch (error) {
    // The reader means to throw only OnnxReadError; anything else is a bug of ours, still reported, never thrown.
    const reason = error instanceof OnnxReadError ? error.message : `symcheck failed to read it (${String(error)})`;
    return { ok: false, path: absolute, problem: "invalid", message: `${path.basename(absolute)}: ${reason}` };
  }
}

function fileProblem(absolute: string, error: unknown): ModelLoad {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT" || code === "ENOTDIR") {
    return { ok: false, path: absolute, problem: "missing", message: `${absolute} does not exist` };
  }
  const reason =
    code === "EACCES" || code === "EPERM"
      ? "permission denied"
      : code === "EISDIR"
        ? "it is a folder, not a file"
        : error instanceof Error
          ? error.message
          : String(error);
  return { ok: false, path: absolute, problem: "unreadable", message: `cannot read ${absolute}: ${reason}` };
}
