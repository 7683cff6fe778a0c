/**
 * The `symcheck` settings the server reads (package.json `contributes.configuration`).
 * `symcheck.trace.server` is the client's business and is not read here.
 */
export interface ServerSettings {
  /** `symcheck.diagnostics.unresolvedDynamicDims`: warn about dynamic dimensions no `size` resolves. */
  unresolvedDynamicDims: boolean;
}

export const DEFAULT_SETTINGS: ServerSettings = { unresolvedDynamicDims: true };

/**
 * Settings from the `symcheck` section as the client sends it. Clients send anything (null,
 * a partial object, a string where a boolean belongs): what is not understood keeps its default.
 */
export function readSettings(section: unknown): ServerSettings {
  const diagnostics = isObject(section) ? section.diagnostics : undefined;
  const unresolvedDynamicDims = isObject(diagnostics) ? diagnostics.unresolvedDynamicDims : undefined;
  return {
    unresolvedDynamicDims: typeof unresolvedDynamicDims === "boolean" ? unresolvedDynamicDims : DEFAULT_SETTINGS.unresolvedDynamicDims,
  };
}

export function sameSettings(a: ServerSettings, b: ServerSettings): boolean {
  return a.unresolvedDynamicDims === b.unresolvedDynamicDims;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
