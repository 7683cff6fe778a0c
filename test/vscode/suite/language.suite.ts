/**
 * The language features as VS Code serves them, through its own provider commands: what a
 * user gets from hovering, typing, the outline and renaming.
 */
import * as assert from "node:assert/strict";
import { suite, suiteSetup, test } from "mocha";
import * as vscode from "vscode";
import { activateSymcheck, exampleText, hoverText, openSpec, positionOf, rangeOf, waitForDiagnostics, writeSpec } from "./helpers";

function flatten(symbols: vscode.DocumentSymbol[]): vscode.DocumentSymbol[] {
  return symbols.flatMap((symbol) => [symbol, ...flatten(symbol.children)]);
}

suite("language features", () => {
  suiteSetup(activateSymcheck);

  test("hovering a tensor name shows its model type, axis by axis", async () => {
    const { document } = await openSpec(writeSpec("hover.sym", exampleText("tiny_cnn.sym")));
    const position = positionOf(document, /input\s+(image)/, 2);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", document.uri, position);
    const text = hoverText(hovers);
    assert.match(text, /`image`/, `hover: ${text}`);
    assert.match(text, /float\[\w+, 3, 16, 16\]/, `the hover should show the model's type; hover: ${text}`);
    assert.deepEqual(hovers[0].range, rangeOf(document, /input\s+(image)/), "the hover should cover the whole name");
  });

  test("completion after `under` offers the declared symmetries", async () => {
    const text = `${exampleText("tiny_cnn.sym").trimEnd()}\ninvariant logits under \n`;
    const { document } = await openSpec(writeSpec("completion.sym", text));
    const position = document.lineAt(document.lineCount - 2).range.end;
    const list = await vscode.commands.executeCommand<vscode.CompletionList>("vscode.executeCompletionItemProvider", document.uri, position);
    const labels = list.items.map((item) => (typeof item.label === "string" ? item.label : item.label.label));
    assert.ok(labels.includes("shift") && labels.includes("turn"), `completion: ${labels.join(", ")}`);
    assert.ok(!labels.includes("image"), "an input is not a symmetry");
  });

  test("the outline lists the tensors, symmetries and claims", async () => {
    const { document } = await openSpec(writeSpec("outline.sym", exampleText("tiny_cnn.sym")));
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>("vscode.executeDocumentSymbolProvider", document.uri);
    // VS Code answers nothing when the provider fails (its error is in the symcheck output log).
    assert.ok(symbols && symbols.length > 0, "VS Code shows no outline for the spec");
    const all = flatten(symbols);
    const names = all.map((symbol) => symbol.name);
    for (const expected of ["image", "logits", "shift", "turn"]) {
      assert.ok(names.includes(expected), `outline should list ${expected}; outline: ${names.join(", ")}`);
    }
    const shift = all.find((symbol) => symbol.name === "shift");
    assert.equal(shift?.selectionRange.start.line, positionOf(document, /symmetry\s+shift/).line, "the outline should point at the declaration");
    assert.ok(names.some((name) => /invariant logits under shift/.test(name)), `outline should list the claims; outline: ${names.join(", ")}`);
  });

  test("go to definition on a claim's symmetry lands on its declaration", async () => {
    const { document } = await openSpec(writeSpec("definition.sym", exampleText("tiny_cnn.sym")));
    const use = positionOf(document, /under\s+(shift)/, 1);
    const locations = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>("vscode.executeDefinitionProvider", document.uri, use);
    const targets = locations.map((location) => ("targetRange" in location ? location.targetSelectionRange ?? location.targetRange : location.range));
    assert.deepEqual(targets, [rangeOf(document, /symmetry\s+(shift)/)]);
  });

  test("renaming a symmetry renames its declaration and every claim using it", async () => {
    const { document } = await openSpec(writeSpec("rename.sym", exampleText("tiny_cnn.sym")));
    const declaration = positionOf(document, /symmetry\s+(shift)/, 1);
    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>("vscode.executeDocumentRenameProvider", document.uri, declaration, "translation");
    const edits = edit.get(document.uri);
    assert.deepEqual(
      edits.map((change) => change.range.start.line).sort((a, b) => a - b),
      [positionOf(document, /symmetry\s+shift/).line, positionOf(document, /under\s+shift/).line],
      "one edit on the declaration and one on the claim",
    );
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.match(document.getText(), /symmetry translation = translate\(y, x\)/);
    assert.match(document.getText(), /invariant logits under translation\b/);
    await waitForDiagnostics(document.uri, (now) => now.length === 0, "the renamed spec to stay clean");
  });

  test("renaming to a name that is not an identifier is refused with a reason", async () => {
    const { document } = await openSpec(writeSpec("rename-refused.sym", exampleText("tiny_cnn.sym")));
    const declaration = positionOf(document, /symmetry\s+(shift)/, 1);
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand("vscode.executeDocumentRenameProvider", document.uri, declaration, "two words")),
      (error: Error) => {
        assert.match(error.message, /two words/, "VS Code should show the server's reason, naming the refused name");
        return true;
      },
    );
  });
});
