/**
 * The language server over its real transport: `node dist/server.cjs --stdio` driven by a
 * JSON-RPC client, as an editor drives it. Build first (`npm run build`; `npm test` does).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CodeActionRequest,
  CompletionRequest,
  DefinitionRequest,
  DiagnosticSeverity,
  DocumentSymbolRequest,
  FileChangeType,
  FoldingRangeRequest,
  HoverRequest,
  MarkupContent,
  PrepareRenameRequest,
  ReferencesRequest,
  RenameRequest,
  ResponseError,
  type CompletionItem,
  type CompletionList,
  type Diagnostic,
  type DocumentSymbol,
  type Position,
} from "vscode-languageserver";
import { GraphBuilder } from "../support/onnxBuilder";
import { EDITOR_CAPABILITIES, LspSession } from "../support/lspClient";

/** image float[batch, 3, 8, 8] (or of any height and width) -> global average pool -> logits float[batch, 3]. */
function modelBytes(outputName = "logits", imageSize: (number | string)[] = [8, 8]): Uint8Array {
  return new GraphBuilder("net")
    .input("image", "float", ["batch", 3, ...imageSize])
    .node("GlobalAveragePool", ["image"], ["pooled"])
    .node("Flatten", ["pooled"], [outputName])
    .output(outputName, "float", ["batch", 3])
    .toModelBytes();
}

const GOOD_SPEC = `model "net.onnx"
input  image  [batch, channel, y, x]
output logits [batch, class]

symmetry shift = translate(y, x)
invariant logits under shift

check {
  samples 4
  size batch = 2
}
`;

const tempFolders: string[] = [];
after(() => tempFolders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function tempFolder(): string {
  const folder = mkdtempSync(path.join(tmpdir(), "symcheck-lsp-"));
  tempFolders.push(folder);
  return folder;
}

/** Where `needle` (its `nth` occurrence) starts in `text`, plus `offset` characters. */
function positionOf(text: string, needle: string, offset = 0, nth = 0): Position {
  let index = -1;
  for (let i = 0; i <= nth; i++) index = text.indexOf(needle, index + 1);
  assert.ok(index >= 0, `\`${needle}\` is not in the text`);
  const before = text.slice(0, index + offset).split("\n");
  return { line: before.length - 1, character: before[before.length - 1].length };
}

function hoverText(contents: unknown): string {
  assert.ok(MarkupContent.is(contents), `hover contents should be markup: ${JSON.stringify(contents)}`);
  return contents.value;
}

/** LSP 3.18 allows markup in diagnostic messages; this server sends plain strings. */
function messageOf(diagnostic: Diagnostic): string {
  assert.equal(typeof diagnostic.message, "string");
  return diagnostic.message as string;
}

function labels(result: CompletionItem[] | CompletionList | null): string[] {
  const items = Array.isArray(result) ? result : (result?.items ?? []);
  return items.map((item) => item.label);
}

describe("language server over stdio", () => {
  let folder: string;
  let session: LspSession;
  let documentCount = 0;

  /** Opens a new spec beside net.onnx and returns its URI with its first diagnostics. */
  async function openSpec(text: string) {
    const uri = session.uriOf(path.join(folder, `spec${++documentCount}.sym`));
    const mark = session.mark();
    await session.open(uri, text);
    return { uri, published: await session.diagnostics(uri, mark) };
  }

  before(async () => {
    folder = tempFolder();
    writeFileSync(path.join(folder, "net.onnx"), modelBytes());
    session = await LspSession.start({ folder });
  });

  after(() => session.dispose());

  test("initialize announces the features, and the server registers its watcher and settings", async () => {
    const { capabilities, serverInfo } = await session.initializeResult;
    assert.equal(serverInfo?.name, "symcheck");
    assert.match(serverInfo?.version ?? "", /^\d+\.\d+\.\d+/);
    assert.equal(capabilities.hoverProvider, true);
    assert.deepEqual(capabilities.renameProvider, { prepareProvider: true });
    assert.ok(capabilities.completionProvider?.triggerCharacters?.includes("("));
    const registered = await session.waitFor(
      () => (session.registrations.length >= 2 ? session.registrations : undefined),
      "dynamic registrations",
    );
    const watcher = registered.find((registration) => registration.method === "workspace/didChangeWatchedFiles");
    assert.deepEqual(watcher?.registerOptions, { watchers: [{ globPattern: "**/*.onnx" }, { globPattern: "**/*.npy" }] });
    const settings = registered.find((registration) => registration.method === "workspace/didChangeConfiguration");
    assert.deepEqual(settings?.registerOptions, { section: "symcheck" });
  });

  test("a correct spec gets an empty diagnostics list, with the document's version", async () => {
    const { published } = await openSpec(GOOD_SPEC);
    assert.equal(published.version, 1);
    assert.deepEqual(published.diagnostics, []);
  });

  test("an unknown group is an error at its name, and fixing the text clears it", async () => {
    const text = GOOD_SPEC.replace("translate(y, x)", "translat(y, x)");
    const { uri, published } = await openSpec(text);
    assert.equal(published.version, 1);
    const diagnostic = published.diagnostics.find((candidate) => candidate.code === "bind.unknown-group");
    assert.ok(diagnostic, JSON.stringify(published.diagnostics));
    assert.equal(diagnostic.severity, DiagnosticSeverity.Error);
    assert.equal(diagnostic.source, "symcheck");
    assert.match(messageOf(diagnostic), /unknown group `translat`.*`translate`/);
    assert.deepEqual(diagnostic.range, { start: positionOf(text, "translat("), end: positionOf(text, "translat(", 8) });

    const mark = session.mark();
    await session.change(uri, 2, GOOD_SPEC);
    const fixed = await session.diagnostics(uri, mark);
    assert.equal(fixed.version, 2);
    assert.deepEqual(fixed.diagnostics, []);
  });

  test("while typing, only the latest version is published", async () => {
    const { uri } = await openSpec(GOOD_SPEC);
    const mark = session.mark();
    await session.change(uri, 2, GOOD_SPEC.replace("translate", "translat"));
    await session.change(uri, 3, GOOD_SPEC.replace("translate", "translated"));
    const latest = await session.diagnostics(uri, mark);
    assert.equal(latest.version, 3, "version 2 was replaced before its pause ended: never published");
    assert.match(messageOf(latest.diagnostics[0]), /unknown group `translated`/);
  });

  test("a request right after a change answers from the new text", async () => {
    const { uri } = await openSpec(GOOD_SPEC);
    const text = GOOD_SPEC.replace("invariant", "symmetry turn = rotate90(y, x)\ninvariant");
    await session.change(uri, 2, text);
    const hover = await session.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(text, "rotate90", 3) });
    assert.match(hoverText(hover?.contents), /quarter turns/i);
  });

  test("the quick fix of a typo replaces the name", async () => {
    const text = GOOD_SPEC.replace("translate(y, x)", "translat(y, x)");
    const { uri, published } = await openSpec(text);
    const typo = published.diagnostics.find((candidate) => candidate.code === "bind.unknown-group");
    assert.ok(typo);
    const actions = await session.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: typo.range,
      context: { diagnostics: [typo] },
    });
    assert.equal(actions?.length, 1, JSON.stringify(actions));
    const [action] = actions;
    assert.ok("edit" in action && action.edit?.changes, JSON.stringify(action));
    assert.equal(action.kind, "quickfix");
    assert.deepEqual(action.diagnostics, [typo]);
    assert.deepEqual(action.edit.changes[uri], [{ range: typo.range, newText: "translate" }]);

    const onlyRefactorings = await session.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: typo.range,
      context: { diagnostics: [typo], only: ["refactor"] },
    });
    assert.deepEqual(onlyRefactorings, [], "a request for other kinds gets no quick fix");
  });

  test("hover explains a constructor and shows a tensor's type from the model", async () => {
    const { uri } = await openSpec(GOOD_SPEC);
    const onConstructor = await session.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(GOOD_SPEC, "translate", 2) });
    assert.match(hoverText(onConstructor?.contents), /cyclic shifts/i);
    const onTensor = await session.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(GOOD_SPEC, "image", 1) });
    assert.match(hoverText(onTensor?.contents), /float\[batch, 3, 8, 8\]/);
  });

  test("completion after `=` offers the group constructors, inside brackets the axes", async () => {
    const text = 'model "net.onnx"\ninput image [b]\noutput logits [batch, class]\nsymmetry s = \n';
    const { uri } = await openSpec(text);
    const constructors = await session.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri },
      position: positionOf(text, "= ", 2),
      context: { triggerKind: 2, triggerCharacter: "=" },
    });
    assert.ok(labels(constructors).includes("translate"), labels(constructors).join(", "));
    assert.ok(labels(constructors).includes("SO"), labels(constructors).join(", "));

    const axes = await session.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: positionOf(text, "[b]", 2) });
    assert.ok(labels(axes).includes("batch"), labels(axes).join(", "));
  });

  test("document symbols list the statements in order, tensors with their model types", async () => {
    const { uri } = await openSpec(GOOD_SPEC);
    const symbols = (await session.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
    assert.deepEqual(
      symbols.map((symbol) => symbol.name),
      ["net.onnx", "image", "logits", "shift", "invariant logits under shift", "check"],
    );
    assert.equal(symbols[1].detail, "input float[batch, 3, 8, 8]");
    assert.deepEqual(
      symbols[1].children?.map((axis) => axis.name),
      ["batch", "channel", "y", "x"],
    );
  });

  test("definition, references and rename of a symmetry", async () => {
    const { uri } = await openSpec(GOOD_SPEC);
    const use = positionOf(GOOD_SPEC, "under shift", 7);
    const declaration = { start: positionOf(GOOD_SPEC, "shift ="), end: positionOf(GOOD_SPEC, "shift =", 5) };
    const usage = { start: positionOf(GOOD_SPEC, "under shift", 6), end: positionOf(GOOD_SPEC, "under shift", 11) };

    const definition = await session.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: use });
    assert.deepEqual(definition, [{ uri, range: declaration }]);

    const references = await session.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri },
      position: use,
      context: { includeDeclaration: true },
    });
    assert.deepEqual(references, [
      { uri, range: declaration },
      { uri, range: usage },
    ]);

    const prepared = await session.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri }, position: use });
    assert.deepEqual(prepared, { range: usage, placeholder: "shift" });

    const edit = await session.connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position: use, newName: "slide" });
    assert.deepEqual(edit?.changes?.[uri], [
      { range: declaration, newText: "slide" },
      { range: usage, newText: "slide" },
    ]);
  });

  test("answers name the document by the URI the editor sent, however it encodes the path", async () => {
    const uri = `${session.uriOf(folder)}/c%2B%2B%20spec.sym`;
    await session.open(uri, GOOD_SPEC);
    const position = positionOf(GOOD_SPEC, "under shift", 7);
    const definition = await session.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position });
    assert.deepEqual(
      (definition as { uri: string }[]).map((location) => location.uri),
      [uri],
    );
    const edit = await session.connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position, newName: "slide" });
    assert.deepEqual(Object.keys(edit?.changes ?? {}), [uri]);
  });

  test("a rename the language forbids is refused with a message the editor shows", async () => {
    const { uri } = await openSpec(GOOD_SPEC);
    const position = positionOf(GOOD_SPEC, "under shift", 7);
    const refused = await session.connection
      .sendRequest(RenameRequest.type, { textDocument: { uri }, position, newName: "2x" })
      .then(
        () => assert.fail("renaming to a word that is not a name should fail"),
        (error: unknown) => error,
      );
    assert.ok(refused instanceof ResponseError);
    assert.match(refused.message, /`2x` is not a name/);

    const onTensor = positionOf(GOOD_SPEC, "image", 1);
    const prepareRefused = await session.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri }, position: onTensor }).then(
      () => assert.fail("a tensor name cannot be renamed"),
      (error: unknown) => error,
    );
    assert.ok(prepareRefused instanceof ResponseError);
    assert.match(prepareRefused.message, /rename it in the ONNX model/);
  });

  test("the check block folds", async () => {
    const { uri } = await openSpec(GOOD_SPEC);
    const folds = await session.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } });
    const checkLine = positionOf(GOOD_SPEC, "check {").line;
    assert.ok(
      folds?.some((fold) => fold.startLine === checkLine && fold.endLine === checkLine + 2),
      JSON.stringify(folds),
    );
  });

  test("closing a document clears its diagnostics", async () => {
    const { uri } = await openSpec(GOOD_SPEC.replace("shift\n", "shfit\n"));
    const mark = session.mark();
    await session.close(uri);
    const cleared = await session.diagnostics(uri, mark);
    assert.deepEqual(cleared.diagnostics, []);
    const hover = await session.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 1 } });
    assert.equal(hover, null, "a closed document has no hover");
  });

  test("a model rewritten on disk re-checks the specs that use it", async () => {
    const modelFile = path.join(folder, "renamed.onnx");
    writeFileSync(modelFile, modelBytes());
    const text = GOOD_SPEC.replace("net.onnx", "renamed.onnx");
    const { uri, published } = await openSpec(text);
    assert.deepEqual(published.diagnostics, []);

    writeFileSync(modelFile, modelBytes("scores"));
    const mark = session.mark();
    await session.fileChanged(modelFile);
    const rechecked = await session.diagnostics(uri, mark);
    assert.equal(rechecked.version, 1, "the text did not change");
    assert.deepEqual(
      rechecked.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.range]),
      [["bind.unknown-output", { start: positionOf(text, "logits"), end: positionOf(text, "logits", 6) }]],
    );
    assert.match(messageOf(rechecked.diagnostics[0]), /no output `logits`.*`scores`/);
  });

  test("a missing model that appears later is picked up", async () => {
    const text = GOOD_SPEC.replace("net.onnx", "later.onnx");
    const { uri, published } = await openSpec(text);
    assert.deepEqual(
      published.diagnostics.map((diagnostic) => diagnostic.code),
      ["bind.model-missing"],
    );
    assert.match(messageOf(published.diagnostics[0]), /models beside it: .*`?net\.onnx/, "the models in the folder are suggested");
    const modelFile = path.join(folder, "later.onnx");
    writeFileSync(modelFile, modelBytes());
    const mark = session.mark();
    await session.fileChanged(modelFile, FileChangeType.Created);
    assert.deepEqual((await session.diagnostics(uri, mark)).diagnostics, []);
  });
});

describe("language server robustness", () => {
  let folder: string;
  let session: LspSession;

  before(async () => {
    folder = tempFolder();
    session = await LspSession.start({ folder });
  });

  after(() => session.dispose());

  async function assertStillAnswers(uri: string): Promise<void> {
    const hover = await session.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 0 } });
    assert.ok(hover === null || typeof hover === "object");
    assert.ok(session.isRunning(), "the server is still running");
  }

  test("a broken spec gets syntax errors, and the server keeps answering", async () => {
    const uri = session.uriOf(path.join(folder, "broken.sym"));
    const text = 'input [[[ ( = ~ "unterminated\nsymmetry = (\ncheck { { } }}}\n\u0000\u00ff';
    const mark = session.mark();
    await session.open(uri, text);
    const published = await session.diagnostics(uri, mark);
    assert.ok(published.diagnostics.some((diagnostic) => diagnostic.severity === DiagnosticSeverity.Error));
    for (let line = 0; line < 5; line++) {
      for (const character of [0, 3, 10]) {
        await session.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character } });
        await session.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line, character } });
      }
    }
    await assertStillAnswers(uri);
  });

  test("a truncated model is an invalid model, not a crash", async () => {
    const bytes = modelBytes();
    writeFileSync(path.join(folder, "truncated.onnx"), bytes.subarray(0, Math.floor(bytes.length / 2)));
    const uri = session.uriOf(path.join(folder, "truncated.sym"));
    const mark = session.mark();
    await session.open(uri, GOOD_SPEC.replace("net.onnx", "truncated.onnx"));
    const published = await session.diagnostics(uri, mark);
    assert.deepEqual(
      published.diagnostics.map((diagnostic) => diagnostic.code),
      ["bind.model-invalid"],
    );
    await assertStillAnswers(uri);
  });

  test("a file that is not ONNX at all is an invalid model, not a crash", async () => {
    writeFileSync(path.join(folder, "notes.onnx"), "these are my notes, not a model\n");
    const uri = session.uriOf(path.join(folder, "notes.sym"));
    const mark = session.mark();
    await session.open(uri, GOOD_SPEC.replace("net.onnx", "notes.onnx"));
    const published = await session.diagnostics(uri, mark);
    assert.deepEqual(
      published.diagnostics.map((diagnostic) => diagnostic.code),
      ["bind.model-invalid"],
    );
    await assertStillAnswers(uri);
  });

  test("a feature that throws is logged and answered with an empty result", async () => {
    const uri = session.uriOf(path.join(folder, "throws.sym"));
    await session.open(uri, GOOD_SPEC);
    // A position that is not a position: the feature throws, the guard answers.
    const hover = await session.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: null as unknown as Position });
    assert.equal(hover, null);
    const logged = await session.waitFor(() => session.errorsLogged().find((message) => message.startsWith("hover failed")), "an error log");
    assert.match(logged, /at /, "the log carries the stack");
    await assertStillAnswers(uri);
  });
});

describe("language server settings and lifecycle", () => {
  test("turning off unresolvedDynamicDims removes the dynamic-dimension warnings", async () => {
    const folder = tempFolder();
    writeFileSync(path.join(folder, "net.onnx"), modelBytes("logits", ["H", "W"]));
    const session = await LspSession.start({ folder, settings: { diagnostics: { unresolvedDynamicDims: false } } });
    try {
      const uri = session.uriOf(path.join(folder, "net.sym"));
      const text = GOOD_SPEC.replace("  size batch = 2\n", "");
      let mark = session.mark();
      await session.open(uri, text);
      assert.deepEqual((await session.diagnostics(uri, mark)).diagnostics, [], "off from the start: no warning");

      mark = session.mark();
      await session.settingsChanged({ diagnostics: { unresolvedDynamicDims: true } });
      const warned = await session.diagnostics(uri, mark);
      assert.deepEqual(
        warned.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.severity, diagnostic.range.start.line]),
        [
          ["bind.dynamic-dim", DiagnosticSeverity.Warning, 1],
          ["bind.dynamic-dim", DiagnosticSeverity.Warning, 1],
        ],
      );
    } finally {
      session.dispose();
    }
  });

  test("a client that cannot be asked for settings pushes them", async () => {
    const folder = tempFolder();
    writeFileSync(path.join(folder, "net.onnx"), modelBytes("logits", ["H", "W"]));
    const capabilities = { ...EDITOR_CAPABILITIES, workspace: { ...EDITOR_CAPABILITIES.workspace, configuration: false } };
    const session = await LspSession.start({ folder, capabilities });
    try {
      const uri = session.uriOf(path.join(folder, "net.sym"));
      let mark = session.mark();
      await session.open(uri, GOOD_SPEC.replace("  size batch = 2\n", ""));
      assert.deepEqual(
        (await session.diagnostics(uri, mark)).diagnostics.map((diagnostic) => diagnostic.code),
        ["bind.dynamic-dim", "bind.dynamic-dim"],
        "on by default",
      );
      mark = session.mark();
      await session.settingsChanged({ diagnostics: { unresolvedDynamicDims: false } });
      assert.deepEqual((await session.diagnostics(uri, mark)).diagnostics, []);
    } finally {
      session.dispose();
    }
  });

  test("an untitled spec resolves its model in the workspace folder and navigates within itself", async () => {
    const folder = tempFolder();
    writeFileSync(path.join(folder, "net.onnx"), modelBytes());
    const session = await LspSession.start({ folder });
    try {
      const uri = "untitled:Untitled-1";
      const mark = session.mark();
      await session.open(uri, GOOD_SPEC);
      assert.deepEqual((await session.diagnostics(uri, mark)).diagnostics, []);
      const definition = await session.connection.sendRequest(DefinitionRequest.type, {
        textDocument: { uri },
        position: positionOf(GOOD_SPEC, "under shift", 7),
      });
      assert.deepEqual(
        (definition as { uri: string }[]).map((location) => location.uri),
        [uri],
      );
    } finally {
      session.dispose();
    }
  });

  test("shutdown then exit ends the process with status 0", async () => {
    const session = await LspSession.start({ folder: tempFolder() });
    try {
      assert.equal(await session.shutdown(), 0);
    } finally {
      session.dispose();
    }
  });
});
