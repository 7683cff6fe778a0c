import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const cli = path.join(repoRoot, "bin/symcheck.js");

/** Runs the built command line (as `npx symcheck` does) in `cwd`. */
function symcheck(args: string[], cwd = repoRoot) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempSpec(name: string, text: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), "symcheck-cli-"));
  writeFileSync(path.join(folder, name), text);
  return folder;
}

describe("symcheck on the bundled examples", () => {
  test("checks every example spec and lists one entry per claim and symmetry", () => {
    const { status, stdout } = symcheck(["--json", "examples"]);
    const report = JSON.parse(stdout);
    const files = report.files.map((f: { file: string }) => f.file);
    assert.ok(files.includes(path.join("examples", "tiny_cnn.sym")), files.join(", "));
    const molecule = report.files.find((f: { file: string }) => f.file.endsWith("molecule.sym"));
    assert.equal(molecule.model, path.join("examples", "egnn.onnx"));
    // `invariant energy under rigid, relabel` and `equivariant force under rigid, relabel ...`: 2 claims x 2 symmetries.
    assert.deepEqual(
      molecule.claims.map((c: { kind: string; outputs: string[]; symmetry: string }) => `${c.kind} ${c.outputs} ${c.symmetry}`),
      ["invariant energy rigid", "invariant energy relabel", "equivariant force rigid", "equivariant force relabel"],
    );
    for (const file of report.files) assert.deepEqual(file.diagnostics.filter((d: { severity: string }) => d.severity === "error"), [], file.file);
    assert.ok(status === 0 || status === 1, `exit status ${status}`);
  });

  test("text output names each claim at its line, then a summary", () => {
    const { stdout } = symcheck(["examples/deepsets.sym"]);
    assert.match(stdout, /^examples\/deepsets\.sym:\d+:1: claim: invariant pooled under perm/m);
    assert.match(stdout, /^1 spec, 2 claims: 0 errors, 0 warnings$/m);
  });
});

describe("symcheck on specs with problems", () => {
  test("an error in a spec is printed like a compiler's and exits 1", () => {
    const folder = tempSpec("net.sym", "input image [batch, y, x]\nsymmetry s = translat(y)\n");
    const { status, stdout } = symcheck(["net.sym"], folder);
    assert.equal(status, 1);
    assert.match(stdout, /^net\.sym:1:1: error: .*net\.onnx/m);
    assert.match(stdout, /^net\.sym:2:14: error: .*translat.*translate/m);
  });

  test("the JSON diagnostics are 1-based with severity and code", () => {
    const folder = tempSpec("net.sym", "model \"missing.onnx\"\n");
    const { status, stdout } = symcheck(["--json", "."], folder);
    assert.equal(status, 1);
    const [file] = JSON.parse(stdout).files;
    assert.equal(file.file, "net.sym");
    assert.deepEqual(Object.keys(file.diagnostics[0]).sort(), ["code", "column", "line", "message", "severity"]);
    assert.equal(file.diagnostics[0].line, 1);
    assert.equal(file.diagnostics[0].severity, "error");
  });
});

describe("symcheck cannot run", () => {
  const cases: [string, string[], RegExp][] = [
    ["no path", [], /no PATH given/],
    ["a path that does not exist", ["no/such/folder"], /no such file or folder/],
    ["an unknown option", ["--frobnicate", "examples"], /unknown option '--frobnicate'/],
    ["a folder without specs", ["server/src/common"], /no \.sym spec found/],
  ];
  for (const [name, args, message] of cases) {
    test(`exits 2 on ${name}`, () => {
      const { status, stderr } = symcheck(args);
      assert.equal(status, 2);
      assert.match(stderr, message);
    });
  }

  test("--help and --version answer and exit 0", () => {
    assert.match(symcheck(["--help"]).stdout, /Usage: symcheck/);
    assert.match(symcheck(["--version"]).stdout, /^symcheck \d+\.\d+\.\d+/);
  });
});
