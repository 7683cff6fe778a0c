import assert from "node:assert/strict";
import test from "node:test";
import { parseSpec, type ParseResult } from "../../server/src/dsl/parse";

/** A parse with nothing to reuse: the parse before it was of a text that differs from the first character. */
function fromScratch(text: string): ParseResult {
  parseSpec(`\u0000${text}`);
  return parseSpec(text);
}

/** A parse of `after` right after one of `before`, as in the editor. */
function afterEdit(before: string, after: string): ParseResult {
  parseSpec(before);
  return parseSpec(after);
}

function spec(lines: number): string {
  const header = ['model "net.onnx"', "input image [batch, channel, y, x]", "output logits [batch, class]", "check { samples 8  size batch = 2 }"];
  const body: string[] = [];
  for (let i = 0; header.length + body.length < lines; i++) {
    body.push(`# group ${i}`, `symmetry shift${i} = translate(y, x, step=${1 + (i % 3)})`, `invariant logits under shift${i} within 1e-3`);
  }
  return [...header, ...body].join("\n") + "\n";
}

const clean = spec(40);
const mistakes = {
  clean,
  "a syntax error in the middle": clean.replace("symmetry shift5 = translate(y, x", "symmetry shift5 = translate(y x"),
  "a misspelt keyword in the middle": clean.replace("symmetry shift5", "symetry shift5"),
  "a stray character in the middle": clean.replace("# group 5", "# group 5\n@"),
  "an unterminated string at the top": clean.replace('model "net.onnx"', 'model "net.onnx'),
};

/** Edits of a text, most near its end where the parse before it is reused. */
const edits: Record<string, (text: string) => string> = {
  "a comment appended": (text) => `${text}# edit\n`,
  "a statement typed at the end": (text) => `${text}equivariant logits under sh`,
  "the last character deleted": (text) => text.slice(0, -2),
  "the last statement cut short": (text) => text.slice(0, text.lastIndexOf(" within")),
  "a closing bracket removed near the end": (text) => replaceLast(text, ")", ""),
  "a keyword misspelt near the end": (text) => replaceLast(text, "invariant", "invarient"),
  "a string left open near the end": (text) => `${text}model "other.onnx\ninput mask [y, x]\n`,
  "a stray character near the end": (text) => replaceLast(text, "# group", "' group"),
  "a line inserted in the middle": (text) => text.replace("# group 6\n", "# group 6\noutput extra [batch]\n"),
  "the first line changed": (text) => text.replace("net.onnx", "other.onnx"),
  "a name lengthened right after a statement": (text) => replaceLast(text, "shift12 within", "shift12x within"),
  "line endings changed to CRLF": (text) => text.replaceAll("\n", "\r\n"),
  "everything deleted": () => "",
};

function replaceLast(text: string, search: string, replacement: string): string {
  const at = text.lastIndexOf(search);
  return text.slice(0, at) + replacement + text.slice(at + search.length);
}

test("after an edit, the tree and the diagnostics are those of a parse from scratch, wherever the edit and the mistakes are", () => {
  for (const [baseName, base] of Object.entries(mistakes)) {
    for (const [editName, edit] of Object.entries(edits)) {
      const edited = edit(base);
      assert.deepEqual(afterEdit(base, edited), fromScratch(edited), `${editName}, on a text with ${baseName}`);
    }
  }
});

test("while typing a statement at the end, each keystroke's parse is that of a parse from scratch", () => {
  const typed = "equivariant logits, feature under shift3, turn within 1e-";
  let text = clean;
  for (const character of typed) {
    const next = text + character;
    assert.deepEqual(afterEdit(text, next), fromScratch(next), JSON.stringify(next.slice(clean.length)));
    text = next;
  }
});

test("the statements before an edit are kept from the parse before it, not parsed again", () => {
  const before = parseSpec(clean);
  const after = parseSpec(`${clean}# edit\n`);
  assert.equal(after.spec.statements.length, before.spec.statements.length);
  assert.equal(after.spec.statements[0], before.spec.statements[0]);
  assert.equal(after.spec.statements.at(-10), before.spec.statements.at(-10));
  // The last statements may depend on what follows them: they are parsed again.
  assert.notEqual(after.spec.statements.at(-1), before.spec.statements.at(-1));
  assert.deepEqual(after.spec.statements.at(-1), before.spec.statements.at(-1));
});
