/**
 * Turns the concrete syntax tree into the typed tree of ast.ts. The CST may be partial (the
 * parser recovers from errors): every part that was not typed, or that recovery invented
 * (an assumed `]`), is left out, so the tree holds exactly what the user wrote.
 */
import { tokenMatcher, type CstNode, type CstNodeLocation, type IToken } from "chevrotain";
import type { Position, Range } from "../common/text";
import type {
  Argument,
  AxisDeclaration,
  CheckBlock,
  Claim,
  InputSetting,
  InputSource,
  ModelStatement,
  Name,
  NumberLiteral,
  NumberSetting,
  Setting,
  SizeAssignment,
  SizeSetting,
  SpecFile,
  Statement,
  StringLiteral,
  SymmetryDeclaration,
  TensorDeclaration,
  UnknownSetting,
} from "./ast";
import { Input, Invariant, numberValue, QuotedString, stringValue, type TokenPositions } from "./lexer";
import { BaseCstVisitor } from "./parser";

type Tokens = IToken[] | undefined;
type Nodes = CstNode[] | undefined;

// The children of each rule's CST node, by the labels the grammar gives them (parser.ts).
interface SpecChildren {
  statement?: CstNode[];
}
interface StatementChildren {
  modelStatement?: CstNode[];
  tensorDeclaration?: CstNode[];
  symmetryDeclaration?: CstNode[];
  claim?: CstNode[];
  checkBlock?: CstNode[];
}
interface ModelStatementChildren {
  Model: IToken[];
  path?: IToken[];
}
interface TensorDeclarationChildren {
  direction: IToken[];
  name?: CstNode[];
  LBracket?: IToken[];
  axis?: CstNode[];
  RBracket?: IToken[];
}
interface AxisChildren {
  axisName?: CstNode[];
  size?: IToken[];
  kind?: CstNode[];
}
interface SymmetryDeclarationChildren {
  Symmetry: IToken[];
  symmetryName?: CstNode[];
  constructorName?: CstNode[];
  LParen?: IToken[];
  argument?: CstNode[];
  RParen?: IToken[];
}
interface ArgumentChildren {
  head?: CstNode[];
  Equals?: IToken[];
  number?: IToken[];
  optionValue?: CstNode[];
}
interface ClaimChildren {
  claimKind: IToken[];
  output?: CstNode[];
  symmetry?: CstNode[];
  tolerance?: IToken[];
}
interface CheckBlockChildren {
  Check: IToken[];
  LBrace?: IToken[];
  setting?: CstNode[];
  RBrace?: IToken[];
}
interface SettingChildren {
  numberSetting?: CstNode[];
  sizeSetting?: CstNode[];
  inputSetting?: CstNode[];
  unknownSetting?: CstNode[];
}
interface NumberSettingChildren {
  keyword: IToken[];
  value?: IToken[];
}
interface SizeSettingChildren {
  keyword: IToken[];
  sizeAssignment?: CstNode[];
}
interface SizeAssignmentChildren {
  axis?: CstNode[];
  value?: IToken[];
}
interface InputSettingChildren {
  keyword: IToken[];
  tensor?: CstNode[];
  Tilde?: IToken[];
  distribution?: CstNode[];
  argument?: IToken[];
  Equals?: IToken[];
  value?: IToken[];
  From?: IToken[];
  path?: IToken[];
}
interface NameChildren {
  Name?: IToken[];
  QuotedString?: IToken[];
}
interface UnknownSettingChildren {
  keyword: IToken[];
  value?: IToken[];
}

/** The first token that the user wrote (recovery may have inserted virtual ones). */
function written(tokens: Tokens): IToken | undefined {
  // A loop rather than `find`: this runs for most tokens of the file, and a callback per call is garbage.
  for (const token of tokens ?? []) if (!token.isInsertedInRecovery) return token;
  return undefined;
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/**
 * One method per grammar rule (chevrotain checks that none is missing). Each receives its
 * node's children and location, and returns its part of the tree, or `undefined` when
 * recovery left nothing of it. Optional properties are only set when they have a value.
 */
class AstBuilder extends BaseCstVisitor {
  constructor(private readonly positions: TokenPositions) {
    super();
    this.validateVisitor();
  }

  private build<T>(node: CstNode | undefined): T | undefined {
    return node && (this.visit(node, node.location) as T | undefined);
  }

  private buildAll<T>(nodes: Nodes): T[] {
    const built: T[] = [];
    for (const node of nodes ?? []) {
      const part = this.build<T>(node);
      if (part !== undefined) built.push(part);
    }
    return built;
  }

  private nameOf(nodes: Nodes): Name | undefined {
    return this.build<Name>(nodes?.[0]);
  }

  /** A keyword read as the name of a setting (`samples`). */
  private keywordName(token: IToken): Name {
    return { text: token.image, range: this.positions.ofToken(token), quoted: false };
  }

  private numberLiteral(token: IToken | undefined): NumberLiteral | undefined {
    return token && { value: numberValue(token), text: token.image, range: this.positions.ofToken(token) };
  }

  private stringLiteral(token: IToken | undefined): StringLiteral | undefined {
    return token && { value: stringValue(token), range: this.positions.ofToken(token) };
  }

  /** From an opening bracket to its closing one, or to the end of the statement when it is missing. */
  private bracketed(open: Tokens, close: Tokens, statement: Range): Range | undefined {
    const opening = written(open);
    if (!opening) return undefined;
    const closing = written(close);
    return { start: this.positions.at(opening.startOffset), end: closing ? this.positions.after(closing) : statement.end };
  }

  /** Not visited (the parser hands statements over one by one), but a visitor has a method per rule. */
  spec(children: SpecChildren): Statement[] {
    return this.buildAll<Statement>(children.statement);
  }

  statement(children: StatementChildren): Statement | undefined {
    const [node] =
      children.modelStatement ?? children.tensorDeclaration ?? children.symmetryDeclaration ?? children.claim ?? children.checkBlock ?? [];
    return this.build<Statement>(node);
  }

  modelStatement(children: ModelStatementChildren, location: CstNodeLocation): ModelStatement {
    const statement: ModelStatement = {
      kind: "model",
      keyword: this.positions.ofToken(children.Model[0]),
      range: this.positions.ofLocation(location),
    };
    const path = this.stringLiteral(written(children.path));
    if (path) statement.path = path;
    return statement;
  }

  tensorDeclaration(children: TensorDeclarationChildren, location: CstNodeLocation): TensorDeclaration {
    const direction = children.direction[0];
    const range = this.positions.ofLocation(location);
    const statement: TensorDeclaration = {
      kind: "tensor",
      direction: tokenMatcher(direction, Input) ? "input" : "output",
      keyword: this.positions.ofToken(direction),
      range,
      axes: this.buildAll<AxisDeclaration>(children.axis),
    };
    const name = this.nameOf(children.name);
    if (name) statement.name = name;
    const axesRange = this.bracketed(children.LBracket, children.RBracket, range);
    if (axesRange) statement.axesRange = axesRange;
    return statement;
  }

  axis(children: AxisChildren, location: CstNodeLocation): AxisDeclaration | undefined {
    const name = this.nameOf(children.axisName);
    if (!name) return undefined;
    const axis: AxisDeclaration = { name, range: this.positions.ofLocation(location) };
    const size = this.numberLiteral(written(children.size));
    if (size) axis.size = size;
    const axisKind = this.nameOf(children.kind);
    if (axisKind) axis.axisKind = axisKind;
    return axis;
  }

  symmetryDeclaration(children: SymmetryDeclarationChildren, location: CstNodeLocation): SymmetryDeclaration {
    const range = this.positions.ofLocation(location);
    const statement: SymmetryDeclaration = {
      kind: "symmetry",
      keyword: this.positions.ofToken(children.Symmetry[0]),
      range,
      args: this.buildAll<Argument>(children.argument),
    };
    const name = this.nameOf(children.symmetryName);
    if (name) statement.name = name;
    const constructorName = this.nameOf(children.constructorName);
    if (constructorName) statement.constructorName = constructorName;
    const argsRange = this.bracketed(children.LParen, children.RParen, range);
    if (argsRange) statement.argsRange = argsRange;
    return statement;
  }

  argument(children: ArgumentChildren, location: CstNodeLocation): Argument | undefined {
    const head = this.nameOf(children.head);
    const number = this.numberLiteral(written(children.number));
    const argument: Argument = { range: this.positions.ofLocation(location) };
    if (written(children.Equals)) {
      // `step=2`: an option; a quoted value is a string, not a name.
      if (head) argument.option = head;
      const name = this.nameOf(children.optionValue);
      const value = name?.quoted ? { value: name.text, range: name.range } : name;
      if (number ?? value) argument.value = number ?? value;
      return argument;
    }
    const value = head ?? number;
    if (!value) return undefined;
    argument.value = value;
    return argument;
  }

  claim(children: ClaimChildren, location: CstNodeLocation): Claim {
    const keyword = children.claimKind[0];
    const claim: Claim = {
      kind: "claim",
      claimKind: tokenMatcher(keyword, Invariant) ? "invariant" : "equivariant",
      keyword: this.positions.ofToken(keyword),
      range: this.positions.ofLocation(location),
      outputs: this.buildAll<Name>(children.output),
      symmetries: this.buildAll<Name>(children.symmetry),
    };
    const tolerance = this.numberLiteral(written(children.tolerance));
    if (tolerance) claim.tolerance = tolerance;
    return claim;
  }

  checkBlock(children: CheckBlockChildren, location: CstNodeLocation): CheckBlock {
    const range = this.positions.ofLocation(location);
    const block: CheckBlock = {
      kind: "check",
      keyword: this.positions.ofToken(children.Check[0]),
      range,
      settings: this.buildAll<Setting>(children.setting),
    };
    const bodyRange = this.bracketed(children.LBrace, children.RBrace, range);
    if (bodyRange) block.bodyRange = bodyRange;
    return block;
  }

  setting(children: SettingChildren): Setting | undefined {
    const [node] = children.numberSetting ?? children.sizeSetting ?? children.inputSetting ?? children.unknownSetting ?? [];
    return this.build<Setting>(node);
  }

  numberSetting(children: NumberSettingChildren, location: CstNodeLocation): NumberSetting {
    const setting: NumberSetting = {
      kind: "number",
      name: this.keywordName(children.keyword[0]),
      range: this.positions.ofLocation(location),
    };
    const value = this.numberLiteral(written(children.value));
    if (value) setting.value = value;
    return setting;
  }

  sizeSetting(children: SizeSettingChildren, location: CstNodeLocation): SizeSetting {
    return {
      kind: "size",
      name: this.keywordName(children.keyword[0]),
      sizes: this.buildAll<SizeAssignment>(children.sizeAssignment),
      range: this.positions.ofLocation(location),
    };
  }

  sizeAssignment(children: SizeAssignmentChildren, location: CstNodeLocation): SizeAssignment | undefined {
    const axis = this.nameOf(children.axis);
    if (!axis) return undefined;
    const assignment: SizeAssignment = { axis, range: this.positions.ofLocation(location) };
    const value = this.numberLiteral(written(children.value));
    if (value) assignment.value = value;
    return assignment;
  }

  inputSetting(children: InputSettingChildren, location: CstNodeLocation): InputSetting {
    const range = this.positions.ofLocation(location);
    const setting: InputSetting = { kind: "input", name: this.keywordName(children.keyword[0]), range };
    const tensor = this.nameOf(children.tensor);
    if (tensor) setting.tensor = tensor;
    const source = this.inputSource(children, range.end);
    if (source) setting.source = source;
    return setting;
  }

  /** The source runs from `~`, `=` or `from` to the end of the setting. */
  private inputSource(children: InputSettingChildren, end: Position): InputSource | undefined {
    const from = (token: IToken): Range => ({ start: this.positions.at(token.startOffset), end });
    const tilde = written(children.Tilde);
    const distribution = this.nameOf(children.distribution);
    if (tilde && distribution) {
      const args = (children.argument ?? []).map((token) => this.numberLiteral(token)).filter(isDefined);
      return { kind: "distribution", distribution, args, range: from(tilde) };
    }
    const equals = written(children.Equals);
    const value = this.numberLiteral(written(children.value));
    if (equals && value) return { kind: "fixed", value, range: from(equals) };
    const fromKeyword = written(children.From);
    const path = this.stringLiteral(written(children.path));
    if (fromKeyword && path) return { kind: "file", path, range: from(fromKeyword) };
    return undefined;
  }

  unknownSetting(children: UnknownSettingChildren, location: CstNodeLocation): UnknownSetting {
    const values = (children.value ?? []).map((token) =>
      tokenMatcher(token, QuotedString) ? this.stringLiteral(token) : this.numberLiteral(token),
    );
    return {
      kind: "unknown",
      name: this.keywordName(children.keyword[0]),
      values: values.filter(isDefined),
      range: this.positions.ofLocation(location),
    };
  }

  name(children: NameChildren): Name | undefined {
    const identifier = written(children.Name);
    if (identifier) return { text: identifier.image, range: this.positions.ofToken(identifier), quoted: false };
    const quoted = written(children.QuotedString);
    return quoted && { text: stringValue(quoted), range: this.positions.ofToken(quoted), quoted: true };
  }
}

/**
 * Builds the typed tree of a spec statement by statement, as the parser hands each one over
 * (see parseTokens): no concrete tree of the whole file is ever kept.
 */
export class SpecFileBuilder {
  private readonly builder: AstBuilder;
  private readonly statements: Statement[] = [];

  /** `reused`: statements of an earlier parse that this one starts with (see reuse.ts). */
  constructor(
    private readonly positions: TokenPositions,
    reused: readonly { statement: Statement | undefined }[] = [],
  ) {
    this.builder = new AstBuilder(positions);
    for (const { statement } of reused) if (statement) this.statements.push(statement);
  }

  /** Builds a statement from its concrete tree and adds it; undefined when recovery left nothing of it. */
  addStatement(statement: CstNode): Statement | undefined {
    const built = this.builder.statement(statement.children as StatementChildren);
    if (built) this.statements.push(built);
    return built;
  }

  /** The typed tree of the statements added; `comments` are the comment tokens the lexer set aside. */
  finish(comments: IToken[]): SpecFile {
    return { statements: this.statements, comments: comments.map((comment) => this.positions.ofToken(comment)) };
  }
}
