/**
 * The outline: the model, the declared tensors with their axes, the symmetries, the claims and
 * the check block with its settings, in source order.
 */
import { SymbolKind, type DocumentSymbol } from "vscode-languageserver-types";
import type { Range } from "../common/text";
import type * as ast from "../dsl/ast";
import { describeType } from "../onnx/model";
import type { SpecAnalysis } from "../service/analysis";
import { constructorCall, textIn } from "./sourceText";

/** Editors reject symbols with an empty name; incomplete statements get this one. */
const UNNAMED = "(unnamed)";

export function documentSymbols(analysis: SpecAnalysis): DocumentSymbol[] {
  return analysis.spec.statements.map((statement) => statementSymbol(analysis, statement));
}

function statementSymbol(analysis: SpecAnalysis, statement: ast.Statement): DocumentSymbol {
  switch (statement.kind) {
    case "model":
      return symbol(statement.path?.value || "model", "model", SymbolKind.File, statement.range, statement.path?.range ?? statement.keyword);
    case "tensor":
      return tensorSymbol(analysis, statement);
    case "symmetry":
      return symbol(
        statement.name?.text || UNNAMED,
        constructorCall(analysis.text, statement),
        SymbolKind.Class,
        statement.range,
        statement.name?.range ?? statement.keyword,
      );
    case "claim":
      return symbol(
        `${statement.claimKind} ${namesOf(statement.outputs)} under ${namesOf(statement.symmetries)}`,
        statement.tolerance ? `within ${statement.tolerance.text}` : "",
        SymbolKind.Event,
        statement.range,
        statement.keyword,
      );
    case "check":
      return symbol("check", "", SymbolKind.Namespace, statement.range, statement.keyword, statement.settings.map((setting) => settingSymbol(analysis.text, setting)));
  }
}

function tensorSymbol(analysis: SpecAnalysis, declaration: ast.TensorDeclaration): DocumentSymbol {
  const bound = analysis.bound.tensors.find((tensor) => tensor.declaration === declaration);
  const detail = bound ? `${declaration.direction} ${describeType(bound.valueInfo.type)}` : declaration.direction;
  const axes = declaration.axes.map((axis, index) => {
    const boundAxis = bound?.axes[index];
    const axisDetail = boundAxis ? [boundAxis.modelDim, boundAxis.kind === "plain" ? "" : boundAxis.kind].filter(Boolean).join(", ") : "";
    return symbol(axis.name.text || UNNAMED, axisDetail, SymbolKind.TypeParameter, axis.range, axis.name.range);
  });
  return symbol(declaration.name?.text || UNNAMED, detail, SymbolKind.Variable, declaration.range, declaration.name?.range ?? declaration.keyword, axes);
}

function settingSymbol(text: string, setting: ast.Setting): DocumentSymbol {
  const name = setting.kind === "input" && setting.tensor ? `input ${setting.tensor.text}` : setting.name.text;
  const rest = { start: (setting.kind === "input" && setting.tensor ? setting.tensor : setting.name).range.end, end: setting.range.end };
  return symbol(name, textIn(text, rest).trim(), SymbolKind.Property, setting.range, setting.name.range);
}

function namesOf(names: ast.Name[]): string {
  return names.map((name) => name.text).join(", ") || "?";
}

function symbol(name: string, detail: string, kind: SymbolKind, range: Range, selectionRange: Range, children?: DocumentSymbol[]): DocumentSymbol {
  const result: DocumentSymbol = { name, kind, range, selectionRange };
  if (detail) result.detail = detail;
  if (children) result.children = children;
  return result;
}
