import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { ModelCache, type ModelLoad } from "../../server/src/onnx/cache";
import { GraphBuilder, floatTensor } from "../support/onnxBuilder";

let folder: string;
before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "symcheck-cache-"));
});
after(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** A model whose graph is called `name`; `weights` pads it to a chosen size. */
function modelBytes(name: string, weights = 1): Uint8Array {
  return new GraphBuilder(name)
    .input("x", "float", [weights])
    .initializer("w", floatTensor([weights], new Array(weights).fill(1)))
    .node("Add", ["x", "w"], ["y"])
    .output("y", "float", [weights])
    .toModelBytes();
}

function loaded(load: ModelLoad) {
  assert.ok(load.ok, `expected a model, got: ${load.ok ? "" : load.message}`);
  return load;
}

describe("ModelCache", () => {
  test("loads a model by absolute path, with its modification time", async () => {
    const file = path.join(folder, "first.onnx");
    await writeFile(file, modelBytes("first"));
    const load = loaded(await new ModelCache().load(file));
    assert.equal(load.path, file);
    assert.equal(load.model.graph.name, "first");
    assert.equal(load.mtimeMs, (await stat(file)).mtimeMs);
  });

  test("a second load of an unchanged file is served from the cache", async () => {
    const file = path.join(folder, "same.onnx");
    await writeFile(file, modelBytes("same"));
    const cache = new ModelCache();
    const first = await cache.load(file);
    assert.equal(await cache.load(file), first);
    assert.equal(await cache.load(path.join(folder, "sub", "..", "same.onnx")), first, "one entry per absolute path");
  });

  test("concurrent loads of one file share one read", async () => {
    const file = path.join(folder, "shared.onnx");
    await writeFile(file, modelBytes("shared"));
    const cache = new ModelCache();
    const loads = await Promise.all([cache.load(file), cache.load(file), cache.load(file), cache.load(file)]);
    assert.ok(loads.every((load) => load === loads[0]));
    assert.equal(loaded(loads[0]).model.graph.name, "shared");
  });

  test("a new modification time reloads the file", async () => {
    const file = path.join(folder, "changed.onnx");
    await writeFile(file, modelBytes("before"));
    const cache = new ModelCache();
    assert.equal(loaded(await cache.load(file)).model.graph.name, "before");
    await writeFile(file, modelBytes("after_"));
    const later = new Date(Date.now() + 5000);
    await utimes(file, later, later);
    const reloaded = loaded(await cache.load(file));
    assert.equal(reloaded.model.graph.name, "after_");
    assert.equal(reloaded.mtimeMs, (await stat(file)).mtimeMs);
  });

  test("a new size reloads the file, even with the same modification time", async () => {
    const file = path.join(folder, "resized.onnx");
    // Whole seconds, which every file system stores exactly.
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000);
    await writeFile(file, modelBytes("small", 1));
    await utimes(file, mtime, mtime);
    const cache = new ModelCache();
    assert.deepEqual(loaded(await cache.load(file)).model.graph.initializers.get("w")?.dims, [1]);
    await writeFile(file, modelBytes("small", 8));
    await utimes(file, mtime, mtime);
    assert.equal((await stat(file)).mtimeMs, mtime.getTime());
    assert.deepEqual(loaded(await cache.load(file)).model.graph.initializers.get("w")?.dims, [8]);
  });

  test("invalidate makes the next load read the file again", async () => {
    const file = path.join(folder, "invalidated.onnx");
    await writeFile(file, modelBytes("invalidated"));
    const cache = new ModelCache();
    const first = await cache.load(file);
    cache.invalidate(file);
    const second = await cache.load(file);
    assert.notEqual(second, first);
    assert.equal(loaded(second).model.graph.name, "invalidated");
  });

  test("a missing file", async () => {
    const file = path.join(folder, "nowhere.onnx");
    assert.deepEqual(await new ModelCache().load(file), { ok: false, path: file, problem: "missing", message: `${file} does not exist` });
  });

  test("a file deleted after it was loaded is missing", async () => {
    const file = path.join(folder, "deleted.onnx");
    await writeFile(file, modelBytes("deleted"));
    const cache = new ModelCache();
    loaded(await cache.load(file));
    await rm(file);
    const load = await cache.load(file);
    assert.equal(load.ok === false && load.problem, "missing");
  });

  test("a folder is unreadable", async () => {
    const directory = path.join(folder, "model.onnx");
    await mkdir(directory);
    assert.deepEqual(await new ModelCache().load(directory), {
      ok: false,
      path: directory,
      problem: "unreadable",
      message: `cannot read ${directory}: it is a folder, not a file`,
    });
  });

  test("a file that is not a model is invalid, with the reader's message", async () => {
    const file = path.join(folder, "picture.onnx");
    await writeFile(file, Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    assert.deepEqual(await new ModelCache().load(file), {
      ok: false,
      path: file,
      problem: "invalid",
      message: "picture.onnx: not an ONNX model: the file holds a PNG image",
    });
  });

  test("an invalid file that is fixed loads once it changes", async () => {
    const file = path.join(folder, "fixed.onnx");
    await writeFile(file, "");
    const cache = new ModelCache();
    const broken = await cache.load(file);
    assert.equal(broken.ok === false && broken.message, "fixed.onnx: the file is empty (0 bytes), not an ONNX model");
    await writeFile(file, modelBytes("fixed"));
    assert.equal(loaded(await cache.load(file)).model.graph.name, "fixed");
  });
});
