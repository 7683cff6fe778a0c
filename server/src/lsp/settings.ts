/**
 * The `symcheck` settings the server reads (package.json `contributes.configuration`).
 * `symcheck.trace.server` is the client's business and is not read here.
 */
export interface ServerSettings {
  /** `symcheck.diagnostics.unresolvedDynamicDims`: warn about dynamic dimensions no `size` resolves. */
  unresolvedDynamicDims: boolean;
  numeric: {
    /** `symcheck.numeric.enabled`: the user may turn numeric checks off. */
    enabled: boolean;
    /** `symcheck.numeric.timeoutSeconds`: the longest one run of the model may take. */
    timeoutSeconds: number;
  };
  /**
   * Whether the editor trusts the workspace. Numeric checks run the workspace's models, so they
   * are off in an untrusted one. Not a setting users write: VS Code's extension adds it to the
   * section it answers with (and to the initialization options); other clients never send it.
   */
  workspaceTrusted: boolean;
}

export const DEFAULT_SETTINGS: ServerSettings = { unresolvedDynamicDims: true, numeric: { enabled: true, timeoutSeconds: 60 }, workspaceTrusted: true };

/** The initialization options the server understands: the trust the client starts in, before the first settings arrive. */
export function initialSettings(initializationOptions: unknown): ServerSettings {
  const trusted = isObject(initializationOptions) ? initializationOptions.workspaceTrusted : undefined;
  return { ...DEFAULT_SETTINGS, workspaceTrusted: typeof trusted === "boolean" ? trusted : DEFAULT_SETTINGS.workspaceTrusted };
}

/**
 * Settings from the `symcheck` section as the client sends it. Clients send anything (null,
 * a partial object, a string where a boolean belongs): what is not understood keeps its value in `defaults`.
 */
export function readSettings(section: unknown, defaults: ServerSettings = DEFAULT_SETTINGS): ServerSettings {
  const settings = isObject(section) ? section : {};
  const diagnostics = isObject(settings.diagnostics) ? settings.diagnostics : {};
  const numeric = isObject(settings.numeric) ? settings.numeric : {};
  const timeout = numeric.timeoutSeconds;
  return {
    unresolvedDynamicDims: booleanOr(diagnostics.unresolvedDynamicDims, defaults.unresolvedDynamicDims),
    numeric: {
      enabled: booleanOr(numeric.enabled, defaults.numeric.enabled),
      timeoutSeconds: typeof timeout === "number" && Number.isFinite(timeout) && timeout > 0 ? timeout : defaults.numeric.timeoutSeconds,
    },
    workspaceTrusted: booleanOr(settings.workspaceTrusted, defaults.workspaceTrusted),
  };
}

/** Whether two settings would check specs the same way (the analyses depend on them, the lenses too). */
export function sameSettings(a: ServerSettings, b: ServerSettings): boolean {
  return (
    a.unresolvedDynamicDims === b.unresolvedDynamicDims &&
    a.numeric.enabled === b.numeric.enabled &&
    a.numeric.timeoutSeconds === b.numeric.timeoutSeconds &&
    a.workspaceTrusted === b.workspaceTrusted
  );
}

/** Why numeric checks cannot run with these settings, as a lens title; undefined when they can. */
export function numericChecksOff(settings: ServerSettings): string | undefined {
  if (!settings.workspaceTrusted) return "Numeric checks are off in an untrusted workspace";
  if (!settings.numeric.enabled) return "Numeric checks are off (symcheck.numeric.enabled)";
  return undefined;
}

/** The same, as the message of a refused request: what to do about it. */
export function numericChecksOffMessage(settings: ServerSettings): string | undefined {
  if (!settings.workspaceTrusted) {
    return "numeric checks are off in an untrusted workspace: they run the workspace's models with onnxruntime. Trust the workspace to run them.";
  }
  if (!settings.numeric.enabled) return "numeric checks are turned off: set symcheck.numeric.enabled to true to run them.";
  return undefined;
}

function booleanOr(value: unknown, fallback: boolean): boolean {
  return typeof value === "boolean" ? value : fallback;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
