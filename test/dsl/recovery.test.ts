import assert from "node:assert/strict";
import test from "node:test";
import type { Fix, SpecDiagnostic } from "../../server/src/common/diagnostic";
import type { Position } from "../../server/src/common/text";
import type { Statement } from "../../server/src/dsl/ast";
import { parseSpec } from "../../server/src/dsl/parse";
import { parseClean, pointAfter, rangeOf, rangeWithin, texts } from "./helpers";

const STATEMENT_LIST = "(model, input, output, symmetry, invariant, equivariant, check)";

function offsetOf(text: string, position: Position): number {
  const lines = text.split(/(?<=\r\n|\n|\r(?!\n))/);
  return lines.slice(0, position.line).reduce((sum, line) => sum + line.length, 0) + position.character;
}

function applyFix(text: string, fix: Fix): string {
  const edits = [...fix.edits].sort((a, b) => offsetOf(text, b.range.start) - offsetOf(text, a.range.start));
  return edits.reduce(
    (result, edit) => result.slice(0, offsetOf(text, edit.range.start)) + edit.newText + result.slice(offsetOf(text, edit.range.end)),
    text,
  );
}

/** The one diagnostic of a text, checked. */
function only(text: string): SpecDiagnostic {
  const { diagnostics } = parseSpec(text);
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics, null, 1));
  assert.equal(diagnostics[0].severity, "error");
  return diagnostics[0];
}

function summary(statement: Statement): string {
  switch (statement.kind) {
    case "model":
      return `model ${statement.path?.value}`;
    case "tensor":
      return `${statement.direction} ${statement.name?.text} [${texts(statement.axes.map((axis) => axis.name)).join(", ")}]`;
    case "symmetry":
      return `symmetry ${statement.name?.text} = ${statement.constructorName?.text}(${statement.args
        .map((arg) => (arg.value && "text" in arg.value ? arg.value.text : String(arg.value?.value)))
        .join(", ")})`;
    case "claim":
      return `${statement.claimKind} ${texts(statement.outputs).join(", ")} under ${texts(statement.symmetries).join(", ")}`;
    case "check":
      return `check (${statement.settings.length} settings)`;
  }
}

test("three mistakes give three diagnostics at their places, and every statement around them", () => {
  const text = `model "net.onnx"
input image [batch, channel, y, x
output logits [batch, class]
symmetry shift = translate(y, x)
inptu mask [batch, y, x]
symmetry turn = rotate90(y x)
invariant logits under shift, turn
`;
  const { spec, diagnostics } = parseSpec(text);
  assert.deepEqual(
    diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.range, diagnostic.message]),
    [
      [
        "syntax.missing-token",
        pointAfter(text, "y, x"),
        "expected ']' to close the axes of 'image', found 'output'",
      ],
      [
        "syntax.unknown-statement",
        rangeOf(text, "inptu"),
        `expected a statement ${STATEMENT_LIST}, found 'inptu'; did you mean 'input'?`,
      ],
      ["syntax.unexpected-token", rangeWithin(text, "(y x)", "x"), "expected ',' or ')' in the arguments of 'rotate90', found 'x'"],
    ],
  );
  assert.deepEqual(spec.statements.map(summary), [
    "model net.onnx",
    "input image [batch, channel, y, x]",
    "output logits [batch, class]",
    "symmetry shift = translate(y, x)",
    "input mask [batch, y, x]",
    "symmetry turn = rotate90(y)",
    "invariant logits under shift, turn",
  ]);
});

test("the quick fixes of missing tokens and misspelt keywords repair the text", () => {
  const cases = [
    "input image [batch, channel\noutput logits [batch]",
    "symmetry s translate(y)",
    "check { samples 8\ninvariant y under s",
    "inptu x [a]",
    "invariant y undr s",
    "model \"net.onnx",
    'model "C:\\models\\',
  ];
  for (const text of cases) {
    const [diagnostic] = parseSpec(text).diagnostics;
    assert.ok(diagnostic?.fixes?.length === 1, text);
    assert.equal(diagnostic.fixes[0].preferred, true);
    const fixed = applyFix(text, diagnostic.fixes[0]);
    assert.deepEqual(parseSpec(fixed).diagnostics, [], `${text} -> ${fixed}`);
  }
});

test("a missing token is reported just after the last good token, with what was expected in words", () => {
  const cases: [string, string, string][] = [
    ["symmetry s translate(y)", "symmetry s", "expected '=' after the symmetry's name 's', found 'translate'"],
    ["input x", "input x", "expected '[' to list the axes of 'x', found the end of the file"],
    ["input [a, b]", "input", "expected a tensor name after 'input', found '['"],
    ["input x [a=]", "a=", "expected the size of axis 'a' after '=', found ']'"],
    ["input x [a:]", "a:", "expected an axis kind (vector, pseudovector or point, or a finite symmetry's name) after ':', found ']'"],
    ["symmetry s = translate(y, step=)", "step=", "expected the option's value after '=', found ')'"],
    ["symmetry s = translate(y, x", "y, x", "expected ')' to close the arguments of 'translate', found the end of the file"],
    ["invariant x under s within", "within", "expected a tolerance after 'within' (as in 'within 1e-3'), found the end of the file"],
    ["model", "model", "expected the model's path in double quotes after 'model', found the end of the file"],
    ["check samples 8 }", "check", "expected '{' after 'check', found 'samples'"],
    ["check { samples }", "samples", "expected a number after 'samples', found '}'"],
    ["check { size b = }", "b =", "expected the size of 'b' after '=', found '}'"],
    ["check { input x }", "input x", "expected '~ DISTRIBUTION(...)', '= VALUE' or 'from \"FILE\"' after 'input x', found '}'"],
    ["check { input x ~ }", "~", "expected a distribution (normal, uniform or integers) after '~', found '}'"],
    ["check { input x from }", "from", "expected a file path in double quotes after 'from', found '}'"],
  ];
  for (const [text, before, message] of cases) {
    const diagnostic = only(text);
    const expected = ["syntax.missing-token", pointAfter(text, before), message];
    assert.deepEqual([diagnostic.code, diagnostic.range, diagnostic.message], expected, text);
  }
});

test("an unexpected token is reported on itself and skipped", () => {
  const cases: [string, string, string][] = [
    ["input x [a b]", "b", "expected ',' or ']' in the axes of 'x', found 'b'"],
    ["input x [a)", ")", "expected ',' or ']' in the axes of 'x', found ')'"],
    ["invariant x y under s", "y", "expected ',' or 'under' after the claim's outputs, found 'y'"],
    ["invariant x under s within x", "within x", "expected a tolerance after 'within' (as in 'within 1e-3'), found 'x'"],
    ["check { samples 8 ] seed 2 }", "]", "expected a setting or '}' in the check block, found ']'"],
  ];
  for (const [text, found, message] of cases) {
    const diagnostic = only(text);
    const range = found === "within x" ? rangeWithin(text, found, "x") : rangeOf(text, found);
    assert.deepEqual([diagnostic.code, diagnostic.range, diagnostic.message], ["syntax.unexpected-token", range, message], text);
  }
  const [claim] = parseSpec("invariant x y under s").spec.statements;
  assert.equal(summary(claim), "invariant x under s");
});

test("text where a statement should start: reported on its first token, skipped to the next statement", () => {
  const cases: [string, string, string][] = [
    ["input x [a] ]\noutput y [b]", "]", `expected a statement ${STATEMENT_LIST}, found ']'`],
    [
      "samples 8\noutput y [b]",
      "samples",
      `expected a statement ${STATEMENT_LIST}, found 'samples' ('samples' is a check setting: it goes inside 'check { ... }')`,
    ],
    ['foo bar [1] "x"\noutput y [b]', "foo", `expected a statement ${STATEMENT_LIST}, found 'foo'`],
    // `output` right after `,` is an axis name, not a statement: skipping goes on past it.
    ["inptu image [batch, output]\noutput y [b]", "inptu", `expected a statement ${STATEMENT_LIST}, found 'inptu'; did you mean 'input'?`],
  ];
  for (const [text, found, message] of cases) {
    const diagnostic = only(text);
    const range = rangeOf(text, found, found === "]" ? 1 : 0);
    assert.deepEqual([diagnostic.code, diagnostic.range, diagnostic.message], ["syntax.unknown-statement", range, message]);
    assert.deepEqual(parseSpec(text).spec.statements.map(summary).slice(-1), ["output y [b]"], text);
  }
});

test("misspelt statement keywords: each one reported with its fix, and its statement still parsed", () => {
  const text = 'modle "m.onnx"\ninputt x [a]\nouput y [b]\nsymetry s = flip(a)\nequivarient y under s witin 1e-3\nchek { seed 1 }';
  const { spec, diagnostics } = parseSpec(text);
  assert.deepEqual(
    diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.range, diagnostic.fixes?.[0].edits[0].newText]),
    [
      ["syntax.unknown-statement", rangeOf(text, "modle"), "model"],
      ["syntax.unknown-statement", rangeOf(text, "inputt"), "input"],
      ["syntax.unknown-statement", rangeOf(text, "ouput"), "output"],
      ["syntax.unknown-statement", rangeOf(text, "symetry"), "symmetry"],
      ["syntax.unknown-statement", rangeOf(text, "equivarient"), "equivariant"],
      ["syntax.unknown-statement", rangeOf(text, "witin"), "within"],
      ["syntax.unknown-statement", rangeOf(text, "chek"), "check"],
    ],
  );
  assert.deepEqual(spec.statements.map(summary), [
    "model m.onnx",
    "input x [a]",
    "output y [b]",
    "symmetry s = flip(a)",
    "equivariant y under s",
    "check (1 settings)",
  ]);
});

test("a misspelt keyword inside a statement is read as the keyword, with a fix", () => {
  const text = "invariant logits undr shift within 1e-3";
  const diagnostic = only(text);
  assert.deepEqual(
    [diagnostic.code, diagnostic.range, diagnostic.message],
    [
      "syntax.unexpected-token",
      rangeOf(text, "undr"),
      "expected ',' or 'under' after the claim's outputs, found 'undr'; did you mean 'under'?",
    ],
  );
  const [claim] = parseSpec(text).spec.statements;
  assert.ok(claim.kind === "claim");
  assert.deepEqual([texts(claim.symmetries), claim.tolerance?.value], [["shift"], 1e-3]);
});

test("an identifier that starts a line inside a check block stays an unknown setting", () => {
  const spec = parseClean('check { foo 1\n  modle "x" }');
  const [check] = spec.statements;
  assert.ok(check.kind === "check");
  assert.deepEqual(
    check.settings.map((setting) => [setting.kind, setting.name.text]),
    [
      ["unknown", "foo"],
      ["unknown", "modle"],
    ],
  );
});

test("a keyword that starts the next statement is not taken as a missing name", () => {
  const text = "input image [batch,\noutput logits [b]\ninvariant logits under shift,\ncheck { seed 1 }";
  const { spec, diagnostics } = parseSpec(text);
  assert.deepEqual(
    diagnostics.map((diagnostic) => [diagnostic.range, diagnostic.message]),
    [
      [pointAfter(text, "batch,"), "expected an axis name after ',', found 'output'"],
      [pointAfter(text, "shift,"), "expected a symmetry name after ',', found 'check'"],
    ],
  );
  assert.deepEqual(spec.statements.map(summary), [
    "input image [batch]",
    "output logits [b]",
    "invariant logits under shift",
    "check (1 settings)",
  ]);
});

test("a check block left open ends at the next statement; `input x [` there is a declaration", () => {
  const text = "check { samples 8\ninput x [a]\ninvariant y under s";
  const diagnostic = only(text);
  assert.deepEqual(
    [diagnostic.code, diagnostic.range, diagnostic.message],
    ["syntax.missing-token", pointAfter(text, "samples 8"), "expected '}' to close the check block, found 'input'"],
  );
  assert.deepEqual(parseSpec(text).spec.statements.map(summary), ["check (1 settings)", "input x [a]", "invariant y under s"]);
});

test("incomplete text still gives the statement as far as it was typed (for completion)", () => {
  const tensor = parseSpec("input image [batch, ").spec.statements[0];
  assert.ok(tensor.kind === "tensor");
  assert.deepEqual(texts(tensor.axes.map((axis) => axis.name)), ["batch"]);
  assert.equal(tensor.name?.text, "image");
  assert.deepEqual(tensor.axesRange, rangeOf("input image [batch,", "[batch,"));

  const symmetry = parseSpec("symmetry s = transl").spec.statements[0];
  assert.ok(symmetry.kind === "symmetry");
  assert.deepEqual(
    [symmetry.name?.text, symmetry.constructorName?.text, symmetry.args, symmetry.argsRange],
    ["s", "transl", [], undefined],
  );

  const claim = parseSpec("invariant logits under ").spec.statements[0];
  assert.ok(claim.kind === "claim");
  assert.deepEqual([texts(claim.outputs), claim.symmetries], [["logits"], []]);
  assert.deepEqual(claim.range, rangeOf("invariant logits under", "invariant logits under"));

  const check = parseSpec("check { samples 8 input tokens ~ integers(0, ").spec.statements[0];
  assert.ok(check.kind === "check");
  const [, input] = check.settings;
  assert.ok(input.kind === "input" && input.source?.kind === "distribution");
  assert.deepEqual(
    [input.tensor?.text, input.source.distribution.text, input.source.args.map((arg) => arg.value)],
    ["tokens", "integers", [0]],
  );

  const option = parseSpec("symmetry s = translate(y, step=").spec.statements[0];
  assert.ok(option.kind === "symmetry");
  assert.deepEqual(
    option.args.map((arg) => [arg.option?.text, arg.value && "text" in arg.value ? arg.value.text : undefined]),
    [
      [undefined, "y"],
      ["step", undefined],
    ],
  );
});

test("unterminated strings: reported on the string, which keeps its text", () => {
  const text = 'model "net.onnx\ninput "input.1 [a]';
  const { spec, diagnostics } = parseSpec(text);
  assert.deepEqual(
    diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.range, diagnostic.message]),
    [
      ["syntax.unterminated-string", rangeOf(text, '"net.onnx'), "unterminated string: close it with '\"' on the same line"],
      ["syntax.unterminated-string", rangeOf(text, '"input.1 [a]'), "unterminated string: close it with '\"' on the same line"],
    ],
  );
  const [model, input] = spec.statements;
  assert.ok(model.kind === "model" && input.kind === "tensor");
  assert.equal(model.path?.value, "net.onnx");
  assert.equal(input.name?.text, "input.1 [a]");
});

test("unexpected characters: one diagnostic per run, printable or not, and no echo from the parser", () => {
  const text = "input x [a$%b, c] @\u0007\noutput 'y' [d]";
  const { diagnostics } = parseSpec(text);
  assert.deepEqual(
    diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.range, diagnostic.message]),
    [
      ["syntax.unexpected-character", rangeOf(text, "$%"), "unexpected characters '$%'"],
      ["syntax.unexpected-character", rangeOf(text, "@\u0007"), "unexpected characters U+0040 U+0007"],
      ["syntax.unexpected-character", rangeOf(text, "'"), "unexpected character ''' (strings and quoted names use double quotes)"],
      ["syntax.unexpected-character", rangeOf(text, "'", 1), "unexpected character ''' (strings and quoted names use double quotes)"],
    ],
  );
});

test("a number whose exponent is unfinished is reported once and counts without its exponent", () => {
  const text = "invariant y under s within 1e-";
  const diagnostic = only(text);
  assert.deepEqual(
    [diagnostic.code, diagnostic.range, diagnostic.message],
    ["syntax.incomplete-number", rangeOf(text, "1e-"), "incomplete number '1e-': its exponent needs digits (as in 1e-4)"],
  );
  const [claim] = parseSpec(text).spec.statements;
  assert.ok(claim.kind === "claim");
  assert.deepEqual([claim.tolerance?.text, claim.tolerance?.value], ["1e-", 1]);
});
