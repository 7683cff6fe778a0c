/**
 * Document URIs and the file paths the core works with. The core knows a spec by its path and
 * the features name it by `pathToFileURL(specPath)`; a document the editor has not saved yet
 * (`untitled:Untitled-1`) has no path, so it gets one in the workspace folder (where it will
 * most likely be saved, so that `model "net.onnx"` resolves as it will then), and the answers
 * are readdressed to the editor's URI.
 */
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CodeAction, Location, WorkspaceEdit } from "vscode-languageserver";

/** The path the core uses for the document at `uri`. */
export function specPathOf(uri: string, untitledFolder: string): string {
  return filePathOf(uri) ?? path.join(untitledFolder, path.posix.basename(decodeURIComponent(new URL(uri).pathname)) || "untitled");
}

/** The path of a `file:` URI (a watched file), or undefined for other schemes. */
export function filePathOf(uri: string): string | undefined {
  const url = new URL(uri);
  return url.protocol === "file:" ? fileURLToPath(url) : undefined;
}

/**
 * Rewrites the URIs that the features derived from the spec's path to the URI the editor knows
 * the document by: an untitled document's, or a file's as the editor encodes it (VS Code writes
 * `c%2B%2B` where Node writes `c++`).
 */
export class Readdress {
  private readonly featureUri: string;

  constructor(
    specPath: string,
    private readonly documentUri: string,
  ) {
    this.featureUri = pathToFileURL(specPath).href;
  }

  private uri(uri: string): string {
    return uri === this.featureUri ? this.documentUri : uri;
  }

  location(location: Location): Location {
    return { ...location, uri: this.uri(location.uri) };
  }

  edit(edit: WorkspaceEdit): WorkspaceEdit {
    if (!edit.changes) return edit;
    const changes = Object.fromEntries(Object.entries(edit.changes).map(([uri, edits]) => [this.uri(uri), edits]));
    return { ...edit, changes };
  }

  codeAction(action: CodeAction): CodeAction {
    return action.edit ? { ...action, edit: this.edit(action.edit) } : action;
  }
}
