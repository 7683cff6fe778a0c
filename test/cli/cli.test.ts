import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { oddSignalModel, ODD_SIGNAL_SPEC } from "../support/oddSignal";
import { GraphBuilder } from "../support/onnxBuilder";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const cli = path.join(repoRoot, "bin/symcheck.js");

/** Runs the built command line (as `npx symcheck` does) in `cwd`. */
function symcheck(args: string[], cwd = repoRoot) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempSpec(name: string, text: string, model?: { name: string; bytes: Uint8Array }): string {
  const folder = mkdtempSync(path.join(tmpdir(), "symcheck-cli-"));
  writeFileSync(path.join(folder, name), text);
  if (model) writeFileSync(path.join(folder, model.name), model.bytes);
  return folder;
}

function oddModel(second: "Tanh" | "Relu"): { name: string; bytes: Uint8Array } {
  return { name: "odd.onnx", bytes: oddSignalModel(second) };
}

describe("symcheck on the bundled examples", () => {
  test("checks every example spec, one entry per claim and symmetry, each with its static verdict", () => {
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
    // Every example's claims hold by the graph's structure, but flatten_cnn's, broken on purpose.
    const verdicts = report.files.flatMap((f: { file: string; claims: { symmetry: string; static: { verdict: string; node: string | null } }[] }) =>
      f.claims.map((c) => `${path.basename(f.file)} ${c.symmetry}: ${c.static.verdict}${c.static.node ? ` at ${c.static.node}` : ""}`),
    );
    assert.deepEqual(verdicts, [
      "deepsets.sym perm: proved",
      "deepsets.sym perm: proved",
      "flatten_cnn.sym shift: violated at fc",
      "molecule.sym rigid: proved",
      "molecule.sym relabel: proved",
      "molecule.sym rigid: proved",
      "molecule.sym relabel: proved",
      "p4conv.sym turn: proved",
      "tiny_cnn.sym shift: proved",
      "tiny_cnn.sym turn: proved",
      "vad.sym polarity: proved",
    ]);
    const errors = report.files.flatMap((f: { file: string; diagnostics: { severity: string; code: string }[] }) =>
      f.diagnostics.filter((d) => d.severity === "error").map((d) => `${path.basename(f.file)} ${d.code}`),
    );
    assert.deepEqual(errors, ["flatten_cnn.sym static.violated"]);
    assert.equal(status, 1, "a violated claim fails the run");
  });

  test("text output: the violated claim like a compiler's error, then a summary of the verdicts", () => {
    const { status, stdout } = symcheck(["examples"]);
    assert.match(stdout, /^examples\/flatten_cnn\.sym:12:24: error: invariant logits under shift is violated: fc \(Gemm\): .+; path: image -> .+ -> fc \[static\.violated\]$/m);
    assert.match(stdout, /^6 specs, 11 claims: 10 proved, 1 violated; 1 error, 0 warnings$/m);
    assert.equal(status, 1);
  });

  test("examples whose claims are all proved print only the summary and exit 0", () => {
    const { status, stdout } = symcheck(["examples/deepsets.sym", "examples/tiny_cnn.sym"]);
    assert.equal(stdout, "2 specs, 4 claims: 4 proved; 0 errors, 0 warnings\n");
    assert.equal(status, 0);
  });
});

describe("symcheck reports the static verdicts", () => {
  const claimColumn = ODD_SIGNAL_SPEC.split("\n")[5].indexOf("flipsign") + 1;

  test("a violated claim is a compiler-style error on the claim's line, and the exit status is 1", () => {
    const { status, stdout } = symcheck(["odd.sym"], tempSpec("odd.sym", ODD_SIGNAL_SPEC, oddModel("Relu")));
    assert.equal(status, 1);
    const lines = stdout.trimEnd().split("\n");
    assert.equal(lines.length, 2, stdout);
    assert.match(lines[0], new RegExp(`^odd\\.sym:6:${claimColumn}: error: equivariant out under flipsign is violated: second \\(Relu\\): .+; path: signal -> squash -> second \\[static\\.violated\\]$`));
    assert.equal(lines[1], "1 spec, 2 claims: 1 proved, 1 violated; 1 error, 0 warnings");
  });

  test("the JSON report gives each (claim, symmetry) pair its static verdict, reason and node", () => {
    const { status, stdout } = symcheck(["--json", "odd.sym"], tempSpec("odd.sym", ODD_SIGNAL_SPEC, oddModel("Relu")));
    assert.equal(status, 1);
    const [file] = JSON.parse(stdout).files;
    const [flipsign, shift] = file.claims;
    assert.deepEqual(Object.keys(flipsign.static).sort(), ["node", "reason", "verdict"]);
    assert.equal(flipsign.line, 6);
    assert.equal(flipsign.symmetry, "flipsign");
    assert.equal(flipsign.static.verdict, "violated");
    assert.equal(flipsign.static.node, "second");
    assert.match(flipsign.static.reason, /neither odd nor even/);
    assert.deepEqual({ ...shift.static, reason: undefined }, { verdict: "proved", node: null, reason: undefined });
    assert.deepEqual(
      file.diagnostics.map((d: { line: number; column: number; severity: string; code: string }) => `${d.line}:${d.column} ${d.severity} ${d.code}`),
      [`6:${claimColumn} error static.violated`],
    );
  });

  test("claims that are all proved print only the summary and exit 0", () => {
    const { status, stdout } = symcheck(["odd.sym"], tempSpec("odd.sym", ODD_SIGNAL_SPEC, oddModel("Tanh")));
    assert.equal(stdout, "1 spec, 2 claims: 2 proved; 0 errors, 0 warnings\n");
    assert.equal(status, 0);
  });

  test("an op the analysis does not know is information: the claim is unknown, and the exit status stays 0", () => {
    const unknownOp = new GraphBuilder("odd")
      .input("signal", "float", ["batch", 16])
      .node("MadeUpOp", ["signal"], ["out"], {}, { name: "mystery" })
      .output("out", "float", ["batch", 16])
      .toModelBytes();
    const { status, stdout } = symcheck(["odd.sym"], tempSpec("odd.sym", ODD_SIGNAL_SPEC, { name: "odd.onnx", bytes: unknownOp }));
    assert.match(stdout, /^odd\.sym:6:\d+: info: equivariant out under flipsign is unknown: mystery \(MadeUpOp\): .*\[static\.unknown\]$/m);
    assert.match(stdout, /^1 spec, 2 claims: 2 unknown; 0 errors, 0 warnings$/m);
    assert.equal(status, 0);
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
