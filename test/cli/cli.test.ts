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

/**
 * Runs the built command line (as `npx symcheck` does) in `cwd`. The timeout fails a test whose
 * command does not exit (a numeric check's worker process left running) instead of hanging it.
 */
function symcheck(args: string[], cwd = repoRoot) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 });
  if (result.error) throw result.error;
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

describe("symcheck --numeric runs the models", () => {
  interface NumericEntry {
    passed: boolean;
    samples: number;
    maxRelError: number | null;
    maxAbsError: number | null;
    tolerance: number | null;
    worst: string;
    ms: number;
    error?: string;
  }
  type JsonFile = { file: string; diagnostics: { line: number; column: number; code: string; message: string }[]; claims: { line: number; symmetry: string; numeric: NumericEntry }[] };

  test("--json: every claim's numeric result; flatten_cnn's violated claim fails with its figures, the others pass", () => {
    const { status, stdout, stderr } = symcheck(["--numeric", "--json", "examples"]);
    assert.equal(status, 1, "a failed numeric check fails the run");
    assert.equal(stderr, "", "no progress on stderr when it is not a terminal");
    const files: JsonFile[] = JSON.parse(stdout).files;
    const entries = files.flatMap((f) => f.claims.map((c) => ({ file: path.basename(f.file), ...c })));
    assert.equal(entries.length, 11);
    const failing = entries.filter((entry) => !entry.numeric.passed);
    assert.deepEqual(failing.map((entry) => `${entry.file} ${entry.symmetry}`), ["flatten_cnn.sym shift"]);
    const [flatten] = failing;
    assert.deepEqual(Object.keys(flatten.numeric).sort(), ["maxAbsError", "maxRelError", "ms", "passed", "samples", "tolerance", "worst"]);
    assert.equal(flatten.numeric.samples, 8);
    assert.ok(flatten.numeric.maxRelError! > flatten.numeric.tolerance!, JSON.stringify(flatten.numeric));
    assert.match(flatten.numeric.worst, /^shift(?: [yx]=[+-]\d+)+$/);
    for (const entry of entries.filter((e) => e.numeric.passed)) {
      assert.ok(entry.numeric.samples >= 8 && entry.numeric.maxRelError! <= entry.numeric.tolerance!, `${entry.file} ${entry.symmetry}: ${JSON.stringify(entry.numeric)}`);
    }
    const flattenFile = files.find((f) => f.file.endsWith("flatten_cnn.sym"))!;
    assert.deepEqual(flattenFile.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`), ["12:24 static.violated", "12:24 numeric.failed"]);
  });

  test("text: the failure like a compiler's error, and the summary counts the numeric results", () => {
    const { status, stdout } = symcheck(["--numeric", "examples"]);
    assert.match(
      stdout,
      /^examples\/flatten_cnn\.sym:12:24: error: invariant logits under shift failed the numeric check: relative error [\d.e-]+ \(tolerance 1e-4\) at shift(?: [yx]=[+-]\d+)+; largest absolute error [\d.e-]+; 8 samples in [\d.]+ m?s \[numeric\.failed\]$/m,
    );
    assert.match(stdout, /^6 specs, 11 claims: 10 proved, 1 violated; numeric: 10 passed, 1 failed; 2 errors, 0 warnings$/m);
    assert.equal(status, 1);
  });

  test("claims that pass numerically exit 0; on a terminal, stderr shows a line per pair as it finishes", () => {
    const { status, stdout } = symcheck(["--numeric", "examples/tiny_cnn.sym", "examples/vad.sym"]);
    assert.equal(stdout, "2 specs, 3 claims: 3 proved; numeric: 3 passed; 0 errors, 0 warnings\n");
    assert.equal(status, 0);
    // `script` gives the command a terminal; its output is the terminal's (stdout and stderr together).
    const terminal = spawnSync("script", ["-qec", `${process.execPath} ${cli} --numeric --no-color examples/vad.sym`, "/dev/null"], { cwd: repoRoot, encoding: "utf8", timeout: 60_000 });
    if (terminal.error) throw terminal.error;
    assert.match(terminal.stdout, /^\[1\/1\] examples\/vad\.sym: invariant speech under polarity: passed 8\/8, max rel err \S+, \S+ m?s\r?$/m);
  });

  test("a model onnxruntime cannot run: each claim's numeric entry and an error line say why, and the exit status is 1", () => {
    const customOp = new GraphBuilder("odd")
      .input("signal", "float", ["batch", 16])
      .node("MadeUpOp", ["signal"], ["out"], {}, { name: "mystery" })
      .output("out", "float", ["batch", 16])
      .toModelBytes();
    const folder = tempSpec("odd.sym", ODD_SIGNAL_SPEC, { name: "odd.onnx", bytes: customOp });
    const json = symcheck(["--numeric", "--json", "odd.sym"], folder);
    assert.equal(json.status, 1);
    const [file]: JsonFile[] = JSON.parse(json.stdout).files;
    assert.equal(file.claims.length, 2);
    for (const claim of file.claims) {
      assert.equal(claim.numeric.passed, false);
      assert.equal(claim.numeric.maxRelError, null);
      assert.match(claim.numeric.error ?? "", /MadeUpOp/);
    }
    const text = symcheck(["--numeric", "odd.sym"], folder);
    assert.match(text.stdout, /^odd\.sym:6:\d+: error: equivariant out under flipsign: the numeric check could not run: .*MadeUpOp.* \[numeric\.error\]$/m);
    assert.match(text.stdout, /; numeric: 2 could not run; 2 errors, 0 warnings$/m);
  });

  test("--timeout takes seconds; anything else exits 2", () => {
    assert.equal(symcheck(["--numeric", "--timeout", "30", "examples/vad.sym"]).status, 0);
    const { status, stderr } = symcheck(["--numeric", "--timeout", "soon", "examples"]);
    assert.equal(status, 2);
    assert.match(stderr, /--timeout needs a number of seconds greater than 0, not 'soon'/);
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
