/**
 * Dynamic dims of declared inputs that nothing sizes: the static checks do not need sizes, but
 * numeric checks must build inputs, so each such axis gets a warning with a fix that sizes it.
 *
 * The batch axis is the exception: an input's leading axis, dynamic in the model and moved by
 * no symmetry. Numeric checks choose its size themselves (they stack the transformed copies
 * of a sample along it), so it needs none, and the spec's own examples need no `size batch`.
 */
import type { Fix } from "../../common/diagnostic";
import type { AxisDeclaration } from "../../dsl/ast";
import type { Dim } from "../../onnx/model";
import type { Accept, BindContext } from "../context";
import { insertFix } from "../fixes";
import { ANONYMOUS_AXIS, type DeclaredTensor } from "../symbols";

/** The size offered when nothing suggests a better one: small, and enough to tell entries apart. */
const DEFAULT_SIZE = 2;

export function dynamicDimsHaveSizes(tensor: DeclaredTensor, accept: Accept, context: BindContext): void {
  const symbols = context.symbols;
  if (context.options.dynamicDimWarnings === false || tensor.declaration.direction !== "input" || !tensor.dims) return;
  tensor.declaration.axes.forEach((axis, index) => {
    const dim = tensor.dims?.[index];
    if (!dim || dim.kind === "static" || axis.size) return;
    const name = axis.name.text;
    if (index === 0 && !symbols.actedAxisNames.has(name)) return;
    if (name === ANONYMOUS_AXIS) {
      const text = ` = ${DEFAULT_SIZE}`;
      accept(
        "warning",
        "bind.dynamic-dim",
        `axis ${index} of ${tensor.name.text} is dynamic in the model (${dimInWords(dim)}); numeric checks need a size: write \`_${text}\``,
        axis.name.range,
        [insertFix(`Write _${text}`, axis.name.range.end, text)],
      );
      return;
    }
    if (symbols.sizeSettings.has(name) || !isFirstUnsized(axis, context)) return;
    const size = suggestedSize(name, context);
    accept(
      "warning",
      "bind.dynamic-dim",
      `${name} is dynamic in the model (${dimInWords(dim)}); numeric checks need a size: add \`size ${name} = ${size}\``,
      axis.name.range,
      [addSizeFix(context, `${name} = ${size}`)],
    );
  });
}

/** One warning per axis name: on its first dynamic, unsized occurrence in a declared input. */
function isFirstUnsized(axis: AxisDeclaration, context: BindContext): boolean {
  const first = context.symbols.occurrences(axis.name.text).find((occurrence) => {
    const dim = occurrence.tensor.dims?.[occurrence.index];
    return occurrence.tensor.declaration.direction === "input" && dim !== undefined && dim.kind !== "static" && !occurrence.axis.size;
  });
  return first?.axis === axis;
}

function dimInWords(dim: Dim): string {
  return dim.kind === "symbolic" ? `dim '${dim.name}'` : "no size given";
}

/** An axis that a symmetry moves must have one size everywhere: offer the one it has elsewhere. */
function suggestedSize(axisName: string, context: BindContext): number {
  if (!context.symbols.actedAxisNames.has(axisName)) return DEFAULT_SIZE;
  for (const occurrence of context.symbols.occurrences(axisName)) {
    const size = context.symbols.knownSize(occurrence);
    if (size !== undefined) return size;
  }
  return DEFAULT_SIZE;
}

/** Adds `axis = n` to the check block's `size` setting, or a `size` setting to the block, or a block. */
function addSizeFix(context: BindContext, assignment: string): Fix {
  const title = `Add size ${assignment}`;
  const spec = context.symbols.spec;
  const block = context.symbols.checkBlocks[0];
  if (!block) {
    const last = spec.statements[spec.statements.length - 1];
    return insertFix(title, last.range.end, `\ncheck { size ${assignment} }`);
  }
  const sizeSetting = block.settings.find((setting) => setting.kind === "size" && setting.sizes.length > 0);
  if (sizeSetting?.kind === "size") return insertFix(title, sizeSetting.sizes[sizeSetting.sizes.length - 1].range.end, `, ${assignment}`);
  const lastSetting = block.settings[block.settings.length - 1];
  if (lastSetting) {
    const onItsOwnLine = lastSetting.range.start.line !== block.keyword.start.line;
    const separator = onItsOwnLine ? `\n${" ".repeat(lastSetting.range.start.character)}` : " ";
    return insertFix(title, lastSetting.range.end, `${separator}size ${assignment}`);
  }
  if (block.bodyRange) {
    const afterBrace = { line: block.bodyRange.start.line, character: block.bodyRange.start.character + 1 };
    return insertFix(title, afterBrace, ` size ${assignment}`);
  }
  return insertFix(title, block.keyword.end, ` { size ${assignment} }`);
}
