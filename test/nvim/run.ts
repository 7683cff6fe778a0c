/**
 * `npm run test:nvim`: symcheck-server in headless Neovim (Debian's 0.7.2), a plain LSP client
 * over stdio. Runs test/nvim/lsp.lua against a fresh copy of the examples with one spec broken
 * on purpose; Neovim's exit code is the number of failed tests.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { copyExamples, countsLine, freshStateFolder, repoRoot, runOrFail, writeSpecWithTypo } from "../vscode/editorHarness";

function main(): number {
  const started = Date.now();
  runOrFail("node", ["scripts/build.mjs"], "building the server");
  const state = freshStateFolder("nvim");
  // Neovim writes its log and LSP log under the XDG folders: keep them in the run's state.
  const env = { ...process.env, XDG_STATE_HOME: path.join(state, "xdg-state"), XDG_CACHE_HOME: path.join(state, "xdg-cache") };
  if (spawnSync("nvim", ["--version"], { env }).status !== 0) {
    throw new Error("nvim is not installed: apt-get install neovim");
  }
  const workspace = copyExamples(state);
  const spec = writeSpecWithTypo(workspace).file;

  const nvim = spawnSync("nvim", ["--headless", "--clean", "-n", "-i", "NONE", "-c", `luafile ${path.join(repoRoot, "test", "nvim", "lsp.lua")}`], {
    cwd: workspace,
    encoding: "utf8",
    timeout: 90_000,
    env: {
      ...env,
      SYMCHECK_SERVER: path.join(repoRoot, "bin", "symcheck-server.js"),
      SYMCHECK_WORKSPACE: workspace,
      SYMCHECK_SPEC: spec,
    },
  });
  process.stdout.write(nvim.stdout);
  process.stderr.write(nvim.stderr);
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (nvim.status === null || !/^nvim: \d+ passed, \d+ failed$/m.test(nvim.stdout)) {
    // Neovim died or hung before its closing line: the run as a whole failed.
    console.log(countsLine("nvim", 0, 1));
    return 1;
  }
  return nvim.status === 0 ? 0 : 1;
}

try {
  process.exit(main());
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  console.log(countsLine("nvim", 0, 1));
  process.exit(1);
}
