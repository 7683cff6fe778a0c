/**
 * The static verdicts as the user sees them in the editor: a diagnostic per (claim, symmetry)
 * pair that is not proved, on the symmetry's name in the claim; a CodeLens per pair above the
 * claim, `proved` included; hover on a claim explaining each verdict in full.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import type { SpecDiagnostic } from "../../server/src/common/diagnostic";
import { codeLenses, SHOW_EXPLANATION_COMMAND, type ExplanationArgument } from "../../server/src/features/codeLens";
import { hover } from "../../server/src/features/hover";
import { ModelCache } from "../../server/src/onnx/cache";
import type { OnnxModel } from "../../server/src/onnx/model";
import { analyzeSpec, type SpecAnalysis } from "../../server/src/service/analysis";
import { judgeStatically } from "../../server/src/service/verdicts";
import { GraphBuilder } from "../support/onnxBuilder";
import { positionOf } from "./fixture";

const FLOAT16 = 10;
const IMAGE: (string | number)[] = ["batch", 3, 8, 8];

/**
 * One graph with an output for each verdict, from elementwise ops only:
 * smooth = tanh(x) (odd), broken = relu(tanh(x)) (Relu is neither odd nor even),
 * mystery = MadeUpOp(x) (no rule), half = Cast(x) to float16 (rounds).
 */
function modelBytes(): Uint8Array {
  return new GraphBuilder("verdicts")
    .input("x", "float", IMAGE)
    .node("Tanh", ["x"], ["smooth"], {}, { name: "tanh" })
    .node("Relu", ["smooth"], ["broken"], {}, { name: "relu" })
    .node("MadeUpOp", ["x"], ["mystery"], {}, { name: "mystery_op" })
    .node("Cast", ["x"], ["half"], { to: FLOAT16 }, { name: "half_cast" })
    .output("smooth", "float", IMAGE)
    .output("broken", "float", IMAGE)
    .output("mystery", "float", IMAGE)
    .output("half", "float16", IMAGE)
    .toModelBytes();
}

const SPEC = `model "net.onnx"
input  x       [batch, channel, y, x]
output smooth  [batch, channel, y, x]
output broken  [batch, channel, y, x]
output mystery [batch, channel, y, x]
output half    [batch, channel, y, x]

symmetry neg   = negate(x, smooth, broken, half)
symmetry shift = translate(y, x)

equivariant smooth under neg
equivariant broken under neg
equivariant mystery under shift
equivariant half under neg
equivariant smooth, broken under shift, neg
check { size batch = 2 }
`;

const folder = mkdtempSync(path.join(tmpdir(), "symcheck-verdicts-"));
after(() => rmSync(folder, { recursive: true, force: true }));
writeFileSync(path.join(folder, "net.onnx"), modelBytes());

function analyze(text = SPEC): Promise<SpecAnalysis> {
  return analyzeSpec(path.join(folder, "net.sym"), text, new ModelCache());
}

/** `12:24-12:27 static.violated`: where a diagnostic is (zero-based) and its code. */
function placed(diagnostic: SpecDiagnostic): string {
  const { start, end } = diagnostic.range;
  return `${start.line}:${start.character}-${end.line}:${end.character} ${diagnostic.severity} ${diagnostic.code}`;
}

/** The range of the `occurrence`-th `word` in SPEC (counting words that contain it: `negate` has `neg`), as `placed` writes it. */
function at(word: string, occurrence: number): string {
  const start = positionOf(SPEC, word, occurrence);
  return `${start.line}:${start.character}-${start.line}:${start.character + word.length}`;
}

describe("static verdicts as diagnostics", () => {
  test("each pair that is not proved is a diagnostic on the symmetry's name in its claim, by verdict", async () => {
    const analysis = await analyze();
    assert.deepEqual(analysis.diagnostics.map(placed), [
      `${at("neg", 3)} error static.violated`,
      `${at("shift", 1)} info static.unknown`,
      `${at("neg", 4)} warning static.approximate`,
      `${at("neg", 5)} error static.violated`,
    ]);
  });

  test("the messages name the pair, the verdict, the node, the reason and the path", async () => {
    const messages = (await analyze()).diagnostics.map((diagnostic) => diagnostic.message);
    assert.match(messages[0], /^equivariant broken under neg is violated: relu \(Relu\): Relu is neither odd nor even.*; path: x -> tanh -> relu$/);
    assert.match(messages[1], /^equivariant mystery under shift is unknown: mystery_op \(MadeUpOp\): .*MadeUpOp; path: x -> mystery_op$/);
    assert.equal(messages[2], "equivariant half under neg is approximate: holds up to rounding to float16 at half_cast");
  });

  test("a claim on several outputs names the output that fails", async () => {
    const [, , , severalOutputs] = (await analyze()).diagnostics;
    assert.match(severalOutputs.message, /^equivariant smooth, broken under neg is violated for broken: relu \(Relu\)/);
  });

  test("the verdicts are in the analysis, one per (claim, symmetry) pair, proved ones included", async () => {
    const analysis = await analyze();
    assert.deepEqual(
      analysis.staticChecks.map((check) => `${check.claim.outputs.join(",")} ${check.symmetry}: ${check.verdict} ${check.node}`),
      [
        "smooth neg: proved null",
        "broken neg: violated relu",
        "mystery shift: unknown mystery_op",
        "half neg: approximate half_cast",
        "smooth,broken shift: proved null",
        "smooth,broken neg: violated relu",
      ],
    );
  });

  test("a claim with a binding error is not judged; the others still are", async () => {
    const analysis = await analyze(SPEC.replace("equivariant broken under neg", "equivariant broken under nge"));
    assert.deepEqual(
      analysis.diagnostics.map((diagnostic) => diagnostic.code),
      ["bind.unknown-symmetry", "static.unknown", "static.approximate", "static.violated"],
    );
  });

  test("the path of a deep network shows its first and last steps", async () => {
    const graph = new GraphBuilder("deep").input("x", "float", IMAGE).output("out", "float", IMAGE);
    const depth = 30;
    for (let i = 0; i < depth; i++) graph.node(i === depth - 1 ? "Relu" : "Tanh", [i === 0 ? "x" : `h${i}`], [i === depth - 1 ? "out" : `h${i + 1}`], {}, { name: `layer${i}` });
    writeFileSync(path.join(folder, "deep.onnx"), graph.toModelBytes());
    const spec = 'model "deep.onnx"\ninput x [batch, channel, y, x]\noutput out [batch, channel, y, x]\nsymmetry neg = negate(x, out)\nequivariant out under neg\ncheck { size batch = 2 }\n';
    const [violated] = (await analyze(spec)).diagnostics;
    assert.match(violated.message, /; path: x -> layer0 -> layer1 -> layer2 -> \(23 more\) -> layer26 -> layer27 -> layer28 -> layer29$/);
  });

  test("a failure of the analysis is reported on the first claim, not thrown", async () => {
    const analysis = await analyze();
    const broken = { ...analysis.bound, model: { graph: null } as unknown as OnnxModel };
    const { checks, diagnostics } = judgeStatically(broken);
    assert.deepEqual(checks, []);
    assert.deepEqual(diagnostics.map(placed), [`${positionOf(SPEC, "equivariant").line}:0-${positionOf(SPEC, "equivariant").line}:11 error static.internal-error`]);
    assert.match(diagnostics[0].message, /^the static analysis failed \(.+\): its verdicts are missing\. Please report this bug\.$/);
  });

  test("every static code is documented in docs/diagnostics.md", () => {
    const docs = readFileSync(path.join(import.meta.dirname, "../../docs/diagnostics.md"), "utf8");
    for (const code of ["static.violated", "static.approximate", "static.unknown", "static.internal-error"]) {
      assert.ok(docs.includes(`| \`${code}\` |`), `${code} has no row in docs/diagnostics.md`);
    }
  });
});

describe("static verdicts in CodeLens", () => {
  test("one lens per pair above its claim, with a short title, proved ones included", async () => {
    const analysis = await analyze();
    const lenses = codeLenses(analysis);
    assert.deepEqual(
      lenses.map((lens) => `${lens.range.start.line}: ${lens.command?.title}`),
      [
        `${positionOf(SPEC, "equivariant smooth under").line}: neg: proved`,
        `${positionOf(SPEC, "equivariant broken").line}: neg: violated at relu`,
        `${positionOf(SPEC, "equivariant mystery").line}: shift: unknown at mystery_op (MadeUpOp)`,
        `${positionOf(SPEC, "equivariant half").line}: neg: approximate (rounding to float16 at half_cast)`,
        `${positionOf(SPEC, "equivariant smooth,").line}: shift: proved`,
        `${positionOf(SPEC, "equivariant smooth,").line}: neg: violated at relu`,
      ],
    );
  });

  test("a lens's command carries the claim's range and the full explanation", async () => {
    const analysis = await analyze();
    const lens = codeLenses(analysis)[1];
    assert.equal(lens.command?.command, SHOW_EXPLANATION_COMMAND);
    const [argument] = lens.command?.arguments as [ExplanationArgument];
    assert.deepEqual(argument.claim, analysis.staticChecks[1].claim.declaration.range);
    assert.equal(argument.symmetry, "neg");
    assert.equal(argument.verdict, "violated");
    assert.deepEqual(argument.explanation.split("\n"), [
      "equivariant broken under neg: violated (static check)",
      `Why: ${analysis.staticChecks[1].reason}`,
      "Path: x -> tanh -> relu",
      "A node of the graph provably breaks the claim.",
    ]);
  });

  test("no model, no lens", async () => {
    assert.deepEqual(codeLenses(await analyze(SPEC.replace("net.onnx", "gone.onnx"))), []);
  });
});

describe("static verdicts in hover", () => {
  function hoverAt(analysis: SpecAnalysis, word: string, occurrence: number): string {
    const result = hover(analysis, positionOf(SPEC, word, occurrence, 1));
    const contents = result?.contents;
    assert.ok(contents && typeof contents === "object" && "value" in contents, "a Markdown hover");
    return contents.value;
  }

  test("a symmetry's name in a claim explains that pair's verdict, then the symmetry", async () => {
    const analysis = await analyze();
    const [verdict, symmetry] = hoverAt(analysis, "neg", 3).split("\n\n---\n\n");
    assert.deepEqual(verdict.split("\n"), [
      "**Static check**: `equivariant broken under neg` is **violated**",
      "",
      `- Why: ${analysis.staticChecks[1].reason}`,
      "- Path: `x -> tanh -> relu`",
      "",
      "A node of the graph provably breaks the claim.",
    ]);
    assert.match(symmetry, /^\*\*symmetry\*\* `neg` = `negate\(x, smooth, broken, half\)`/);
  });

  test("a claim's keyword explains the verdict of each of its symmetries, then the keyword", async () => {
    const parts = hoverAt(await analyze(), "equivariant", 4).split("\n\n---\n\n");
    assert.equal(parts.length, 3);
    assert.match(parts[0], /^\*\*Static check\*\*: `equivariant smooth, broken under shift` is \*\*proved\*\*\n\n- Output: `smooth`\n/);
    assert.match(parts[1], /^\*\*Static check\*\*: `equivariant smooth, broken under neg` is \*\*violated\*\*\n\n- Output: `broken`\n/);
    assert.match(parts[2], /^\*\*equivariant\*\*: /);
  });

  test("an approximate verdict lists its effects, one per line", async () => {
    const [verdict] = hoverAt(await analyze(), "neg", 4).split("\n\n---\n\n");
    assert.deepEqual(verdict.split("\n"), [
      "**Static check**: `equivariant half under neg` is **approximate**",
      "",
      "- Path: `x -> half_cast`",
      "- Approximation: rounding to float16 at half_cast",
      "",
      "The claim holds except for the named effects (such as zero padding at the borders); a numeric check measures how much they matter.",
    ]);
  });

  test("a symmetry's declaration shows no verdict", async () => {
    assert.doesNotMatch(hoverAt(await analyze(), "neg", 0), /Static check/);
  });
});
