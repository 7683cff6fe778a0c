/**
 * The open specs and their analyses. Each open document has at most one analysis that is
 * current; typing re-checks after a short pause, and an analysis that finishes after the text,
 * its model or the settings changed again is discarded instead of published. Requests (hover,
 * completion...) always get the analysis of the text as it is now, computed on the spot if the
 * pause has not ended yet. All specs share one ModelCache, so a model is read once however many
 * specs name it. Specs that are not open (the Test Explorer lists every spec of the workspace)
 * are analysed from the disk on request, and not kept.
 */
import { readFile } from "node:fs/promises";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { ModelCache } from "../onnx/cache";
import { analyzeSpec, type SpecAnalysis } from "../service/analysis";
import { DEFAULT_SETTINGS, sameSettings, type ServerSettings } from "./settings";
import { filePathOf, specPathOf } from "./uris";

export interface WorkspaceOptions {
  models: ModelCache;
  /** Where documents that are not files (untitled ones) resolve relative model paths. */
  untitledFolder(): string;
  /** A current analysis, for publishing its diagnostics. */
  analyzed(document: TextDocument, analysis: SpecAnalysis): Promise<void>;
  /** An analysis or its publication failed (a bug, or a closed connection): the server logs it. */
  failed(uri: string, error: unknown): void;
  /** How long typing must pause before the spec is re-checked. */
  debounceMs: number;
}

interface OpenSpec {
  document: TextDocument;
  /** Bumped whenever the text, the model or the settings change: older analyses are stale. */
  revision: number;
  /** The analysis of one revision, finished or in flight. */
  analysis?: { revision: number; result: Promise<SpecAnalysis> };
  /** The pending re-check, while typing. */
  timer?: NodeJS.Timeout;
  /** The model file that the latest published analysis looked for (present or not); none before the first one, or while a `model` statement has no path. */
  modelPath?: string;
  /** The input files (`from "FILE.npy"`) of the latest published analysis. */
  inputFiles: string[];
}

export class SpecWorkspace {
  private readonly specs = new Map<string, OpenSpec>();
  private settings: Promise<ServerSettings> = Promise.resolve(DEFAULT_SETTINGS);

  constructor(private readonly options: WorkspaceOptions) {}

  /** A document was opened (checked at once) or edited (checked when typing pauses). */
  update(document: TextDocument): void {
    const known = this.specs.get(document.uri);
    if (!known) {
      const spec: OpenSpec = { document, revision: 0, inputFiles: [] };
      this.specs.set(document.uri, spec);
      void this.analyze(spec);
      return;
    }
    known.document = document;
    this.recheckSoon(known);
  }

  close(uri: string): void {
    const spec = this.specs.get(uri);
    if (spec) clearTimeout(spec.timer);
    this.specs.delete(uri);
  }

  /** The analysis of the document's current text; undefined when the document is not open. */
  analysisOf(uri: string): Promise<SpecAnalysis> | undefined {
    const spec = this.specs.get(uri);
    if (!spec) return undefined;
    return spec.analysis?.revision === spec.revision ? spec.analysis.result : this.analyze(spec);
  }

  /** The URIs of the open specs. */
  openUris(): string[] {
    return [...this.specs.keys()];
  }

  /** The document open at `uri`, if any. */
  documentOf(uri: string): TextDocument | undefined {
    return this.specs.get(uri)?.document;
  }

  /**
   * The analysis of the spec at `uri`: of its text in the editor when it is open, else of the
   * file on disk. Rejects with a message for the user when the file cannot be read.
   */
  async analysisOfFile(uri: string): Promise<SpecAnalysis> {
    const open = this.analysisOf(uri);
    if (open) return open;
    const specPath = filePathOf(uri);
    if (!specPath) throw new Error(`${uri} is not open and is not a file`);
    const text = await readFile(specPath, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot read ${specPath} (${error.code ?? error.message})`);
    });
    return this.analyzeText(specPath, text);
  }

  /** The settings in force (once the pending ones have arrived). */
  currentSettings(): Promise<ServerSettings> {
    return this.settings;
  }

  /**
   * Model or input files (`.onnx`, `.npy`) were created, changed or deleted: forget the models and
   * re-check the specs that read them (a missing one too, which may just have been created), and
   * the specs whose model is not known yet (their first analysis may have read the old file).
   */
  filesChanged(paths: readonly string[]): void {
    for (const file of paths) this.options.models.invalidate(file);
    const changed = new Set(paths);
    for (const spec of this.specs.values()) {
      const reads = spec.modelPath === undefined || changed.has(spec.modelPath) || spec.inputFiles.some((file) => changed.has(file));
      if (reads) this.recheckSoon(spec);
    }
  }

  /** New settings (a promise, so that analyses started meanwhile wait for them); re-checks everything if they differ. */
  async useSettings(next: Promise<ServerSettings>): Promise<void> {
    const previous = this.settings;
    this.settings = next;
    if (sameSettings(await previous, await next)) return;
    for (const spec of this.specs.values()) this.recheckSoon(spec);
  }

  private recheckSoon(spec: OpenSpec): void {
    spec.revision++;
    clearTimeout(spec.timer);
    spec.timer = setTimeout(() => void this.analyze(spec), this.options.debounceMs);
  }

  /** Analyses the spec's current revision and publishes the result unless it is stale by then. */
  private analyze(spec: OpenSpec): Promise<SpecAnalysis> {
    clearTimeout(spec.timer);
    const { document, revision } = spec;
    const result = this.analyzeText(specPathOf(document.uri, this.options.untitledFolder()), document.getText());
    spec.analysis = { revision, result };
    result
      .then((analysis) => {
        if (this.specs.get(document.uri) !== spec || spec.revision !== revision) return;
        spec.modelPath = analysis.model?.reference.path;
        spec.inputFiles = analysis.inputFiles.map((file) => file.path);
        return this.options.analyzed(document, analysis);
      })
      .catch((error: unknown) => this.options.failed(document.uri, error));
    return result;
  }

  /** Analyses a spec's text with the settings in force once the pending ones have arrived. */
  private async analyzeText(specPath: string, text: string): Promise<SpecAnalysis> {
    const settings = await this.settings;
    return analyzeSpec(specPath, text, this.options.models, { dynamicDimWarnings: settings.unresolvedDynamicDims });
  }
}
