/** `symcheck-server`, the command other editors start (bin/symcheck-server.js over dist/server.cjs). */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { version } from "../../server/src/version";
import { LspSession, repoRoot } from "../support/lspClient";

const bin = path.join(repoRoot, "bin/symcheck-server.js");

function runBin(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: tmpdir(), encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("symcheck-server command", () => {
  test("--version prints the package's version", () => {
    assert.deepEqual(runBin(["--version"]), { status: 0, stdout: `symcheck-server ${version}\n`, stderr: "" });
  });

  test("--help lists the transports", () => {
    const { status, stdout } = runBin(["--help"]);
    assert.equal(status, 0);
    assert.match(stdout, /^Usage: symcheck-server --stdio$/m);
    assert.match(stdout, /--node-ipc/);
  });

  test("without a transport it says how to start it instead of throwing", () => {
    const { status, stdout, stderr } = runBin([]);
    assert.equal(status, 2);
    assert.equal(stdout, "");
    assert.equal(stderr, "symcheck-server: no transport given: start it with --stdio (see --help)\n");
  });

  test("--stdio speaks LSP from any folder", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "symcheck-bin-"));
    const session = await LspSession.start({ folder, command: [process.execPath, bin, "--stdio"] });
    try {
      assert.equal((await session.initializeResult).serverInfo?.version, version);
      assert.equal(await session.shutdown(), 0);
    } finally {
      session.dispose();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
