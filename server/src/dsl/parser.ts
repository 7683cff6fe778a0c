/**
 * The grammar of the spec language: a chevrotain CstParser with error recovery, built once
 * (chevrotain's advice: the grammar analysis is costly) and reused for every parse.
 *
 * Keywords are contextual (see lexer.ts), which makes recovery delicate: after a mistake, the
 * parser must re-sync at the next statement, yet `output` may be an axis name. The rule used
 * throughout: a keyword is read as a name unless it is followed by what it introduces
 * (`output logits`, `model "x"`, `check {`, `under shift`, `within 1e-3`) and not by what may
 * follow that name. Valid text never meets that case, so it only decides how incomplete
 * text recovers.
 */
import {
  CstParser,
  defaultParserErrorProvider,
  EOF,
  tokenMatcher,
  type CstElement,
  type CstNode,
  type CstNodeLocation,
  type IOrAlt,
  type IParserErrorMessageProvider,
  type IRecognitionException,
  type IToken,
  type ITokenGrammarPath,
  type OrMethodOpts,
  type TokenType,
} from "chevrotain";
import { listInWords, nearest } from "../common/suggest";
import { AXIS_KINDS, CONSTRUCTORS, DISTRIBUTIONS, STATEMENT_KEYWORDS } from "./vocabulary";
import {
  ALL_TOKENS,
  Check,
  Colon,
  Comma,
  Equals,
  Equivariant,
  From,
  Identifier,
  Input,
  Invariant,
  isStatementKeyword,
  LBrace,
  LBracket,
  LParen,
  Model,
  Name,
  NumberLiteral,
  NumberSettingKeyword,
  Output,
  QuotedString,
  RBrace,
  RBracket,
  RParen,
  Size,
  STATEMENT_KEYWORD_TOKENS,
  stringValue,
  Symmetry,
  Tilde,
  Under,
  Within,
} from "./lexer";

/** What a name stands for where the grammar reads one: for messages, and for what may follow it. */
type NameRole =
  | "tensor"
  | "axis"
  | "axisKind"
  | "symmetry"
  | "constructor"
  | "argument"
  | "optionValue"
  | "output"
  | "claimSymmetry"
  | "sizeAxis"
  | "inputTensor"
  | "distribution";

interface NameRoleInfo {
  /** In words, for "expected ... after ...". */
  description: string;
  /** Every token that may follow the name in valid text. */
  follow: readonly TokenType[];
  /** The name's key among the children of its node in the tree. */
  label: string;
}

const NAME_ROLES: Record<NameRole, NameRoleInfo> = {
  tensor: { description: "a tensor name", follow: [LBracket], label: "name" },
  axis: { description: "an axis name", follow: [Comma, RBracket, Equals, Colon], label: "axisName" },
  axisKind: {
    description: `an axis kind (${listInWords(AXIS_KINDS.map((kind) => kind.name))}, or a finite symmetry's name)`,
    follow: [Comma, RBracket, Equals],
    label: "kind",
  },
  symmetry: { description: "a name for the symmetry", follow: [Equals], label: "symmetryName" },
  constructor: {
    description: `a group constructor (${listInWords(CONSTRUCTORS.map((c) => c.name))})`,
    follow: [LParen],
    label: "constructorName",
  },
  argument: { description: "an argument", follow: [Comma, RParen, Equals], label: "head" },
  optionValue: { description: "the option's value", follow: [Comma, RParen], label: "optionValue" },
  output: { description: "an output name", follow: [Comma, Under], label: "output" },
  claimSymmetry: { description: "a symmetry name", follow: [Comma, Within, EOF, ...STATEMENT_KEYWORD_TOKENS], label: "symmetry" },
  sizeAxis: { description: "an axis name", follow: [Equals], label: "axis" },
  inputTensor: { description: "an input name", follow: [Tilde, Equals, From], label: "tensor" },
  distribution: { description: `a distribution (${listInWords(DISTRIBUTIONS.map((d) => d.name))})`, follow: [LParen], label: "distribution" },
};

const NAME_ROLE_LIST = Object.keys(NAME_ROLES) as NameRole[];

function isNameRole(text: string | undefined): text is NameRole {
  return text !== undefined && Object.hasOwn(NAME_ROLES, text);
}

/**
 * The options of a SUBRULE that reads a name in a role, made once per role rather than at each
 * name read. The label is the name's key in its statement's tree (toAst reads it).
 */
const NAME_AS = Object.fromEntries(
  NAME_ROLE_LIST.map((role) => [role, { ARGS: [role] as [NameRole], LABEL: NAME_ROLES[role].label }]),
) as Record<NameRole, { ARGS: [NameRole]; LABEL: string }>;

/** Tokens that introduce a name: a statement keyword right after one of them is that name. */
const NAME_INTRODUCERS: readonly TokenType[] = [Comma, LBracket, LParen, Colon, Equals, Tilde, Under];

/** Values are never invented in recovery: a made-up number or name would hide the mistake. */
const VALUE_TOKENS: readonly TokenType[] = [NumberLiteral, QuotedString, Name];

/**
 * Where the parse is, for messages, and what recovery did: kept by the grammar's actions
 * (which chevrotain skips while it records the grammar) and read by the message provider.
 */
class ParseState {
  /** The tensor or symmetry that the statement or setting being read is about (the axis of `size`). */
  subject: string | undefined;
  /** The axis being declared. */
  axis: string | undefined;
  /** The constructor or distribution whose arguments are being read. */
  callee: string | undefined;
  /** Where recovery assumed a missing token, by the token found instead: the missing token's text, for a quick fix. */
  insertions = new Map<IToken, string>();
  /** Misspelt keywords read as the keyword (`undr` for `under`): the keyword. */
  misspellings = new Map<IToken, string>();
  /** Whether an error was found yet: the message provider hears of each one as chevrotain records it. */
  errorFound = false;
  /** The tokens placed in the tree from the first error on (see ParsedTokens). */
  written = new Set<IToken>();
  /** Receives each statement's tree as soon as it is parsed. */
  takeStatement: TakeStatement = () => {};
  lastHandedOver: CstNode | undefined;

  reset(takeStatement: TakeStatement): void {
    this.startStatement();
    this.insertions = new Map();
    this.misspellings = new Map();
    this.errorFound = false;
    this.written = new Set();
    this.takeStatement = takeStatement;
    this.lastHandedOver = undefined;
  }

  /** Notes that an error was found; returns its message. */
  noteError(message: string): string {
    this.errorFound = true;
    return message;
  }

  startStatement(): void {
    this.subject = undefined;
    this.axis = undefined;
    this.callee = undefined;
  }
}

/** The fixed text of a keyword or punctuation token. */
function tokenText(tokenType: TokenType): string {
  return typeof tokenType.PATTERN === "string" ? tokenType.PATTERN : tokenType.name;
}

/** A token as the user wrote it, for "found ...". */
function describeToken(token: IToken): string {
  if (tokenMatcher(token, EOF)) return "the end of the file";
  const shown = token.image.length > 30 ? `${token.image.slice(0, 27)}...` : token.image;
  return tokenMatcher(token, QuotedString) ? shown : `'${shown}'`;
}

function isRealToken(token: IToken): boolean {
  return !Number.isNaN(token.startOffset);
}

/** What the parser says where a statement should start. */
export function unknownStatementMessage(found: IToken): string {
  return `expected a statement (${STATEMENT_KEYWORDS.join(", ")}), found ${describeToken(found)}`;
}

/** Messages that say what was expected in words, in the context of the statement being read. */
function messagesFor(state: ParseState): IParserErrorMessageProvider {
  const quoted = (text: string | undefined) => (text === undefined ? "" : ` '${text}'`);
  const after = (previous: IToken) => (isRealToken(previous) ? ` after '${previous.image}'` : "");

  /**
   * `]`, `)` or `}` was expected. Where the text goes on with a statement, the list was not
   * closed; elsewhere the list itself has a mistake: say what may come next in it.
   */
  function closing(bracket: string, list: string, item: string, found: IToken, previous: IToken): string {
    if (tokenMatcher(found, EOF) || isStatementKeyword(found)) return `'${bracket}' to close ${list}`;
    const afterOpening = ["[", "(", "{"].includes(previous.image);
    const next = afterOpening || bracket === "}" ? item : "','";
    return `${next} or '${bracket}' in ${list}`;
  }

  function expectation(ruleName: string, expected: TokenType, found: IToken, previous: IToken): string {
    switch (expected) {
      case QuotedString:
        return ruleName === "modelStatement"
          ? "the model's path in double quotes after 'model'"
          : "a file path in double quotes after 'from'";
      case LBracket:
        return `'[' to list the axes of${quoted(state.subject) || " the tensor"}`;
      case RBracket:
        return closing("]", `the axes of${quoted(state.subject) || " the tensor"}`, "an axis name", found, previous);
      case LParen:
        return `'(' after${quoted(state.callee)}`;
      case RParen:
        return closing(")", `the arguments of${quoted(state.callee)}`, "an argument", found, previous);
      case LBrace:
        return "'{' after 'check'";
      case RBrace:
        return closing("}", "the check block", "a setting", found, previous);
      case Equals:
        return ruleName === "symmetryDeclaration"
          ? `'=' after the symmetry's name${quoted(state.subject)}`
          : `'=' after${quoted(state.subject)} (as in 'size batch = 2')`;
      case Under:
        return tokenMatcher(found, EOF) || isStatementKeyword(found)
          ? "'under' and the symmetries after the claim's outputs"
          : "',' or 'under' after the claim's outputs";
      case NumberLiteral:
        return numberExpectation(ruleName, previous);
      default:
        return `'${tokenText(expected)}'`;
    }
  }

  function numberExpectation(ruleName: string, previous: IToken): string {
    switch (ruleName) {
      case "axis":
        return `the size of axis${quoted(state.axis)} after '='`;
      case "sizeAssignment":
        return `the size of${quoted(state.subject)} after '='`;
      case "claim":
        return "a tolerance after 'within' (as in 'within 1e-3')";
      default:
        return `a number${after(previous)}`;
    }
  }

  function noViableAlternative(found: string, previous: IToken, ruleName: string, customUserDescription: string | undefined): string {
    if (isNameRole(customUserDescription)) {
      return `expected ${NAME_ROLES[customUserDescription].description}${after(previous)}, found ${found}`;
    }
    switch (ruleName) {
      case "argument":
        return previous.image === "="
          ? `expected the option's value after '=', found ${found}`
          : `expected an argument${after(previous)}, found ${found}`;
      case "inputSetting": {
        const setting = state.subject === undefined ? "input" : `input ${state.subject}`;
        return `expected '~ DISTRIBUTION(...)', '= VALUE' or 'from "FILE"' after '${setting}', found ${found}`;
      }
      default:
        return `unexpected ${found}`;
    }
  }

  // Chevrotain asks for a message as it records each error: so the state learns of every error.
  return {
    buildMismatchTokenMessage: ({ expected, actual, previous, ruleName }) =>
      state.noteError(
        ruleName === "spec"
          ? unknownStatementMessage(actual)
          : `expected ${expectation(ruleName, expected, actual, previous)}, found ${describeToken(actual)}`,
      ),
    buildNotAllInputParsedMessage: ({ firstRedundant }) => state.noteError(unknownStatementMessage(firstRedundant)),
    buildNoViableAltMessage: ({ actual, previous, ruleName, customUserDescription }) =>
      state.noteError(noViableAlternative(describeToken(actual[0]), previous, ruleName, customUserDescription)),
    // The grammar has no AT_LEAST_ONE: chevrotain's wording is only a safety net.
    buildEarlyExitMessage: (options) => state.noteError(defaultParserErrorProvider.buildEarlyExitMessage(options)),
  };
}

/** The text of a name, for messages (`undefined` while chevrotain records the grammar). */
function nameText(node: CstNode): string | undefined {
  const token = (node.children.Name?.[0] ?? node.children.QuotedString?.[0]) as IToken | undefined;
  if (!token || !isRealToken(token)) return undefined;
  return tokenMatcher(token, QuotedString) ? stringValue(token) : token.image;
}

class SpecParser extends CstParser {
  constructor(private readonly state: ParseState) {
    super(ALL_TOKENS, {
      recoveryEnabled: true,
      nodeLocationTracking: "onlyOffset",
      errorMessageProvider: messagesFor(state),
    });
    this.performSelfAnalysis();
  }

  readonly spec = this.RULE("spec", () => {
    this.MANY({
      GATE: () => this.mayStartStatementHere(),
      DEF: () => {
        const statement = this.SUBRULE(this.statement);
        this.ACTION(() => this.handOver(statement));
      },
    });
  });

  // Each OR's alternatives are built once, as chevrotain advises: built at every OR, they made
  // much of the garbage of a parse.

  private readonly statementKinds: IOrAlt<CstNode>[] = [
    { ALT: () => this.SUBRULE(this.modelStatement) },
    { ALT: () => this.SUBRULE(this.tensorDeclaration) },
    { ALT: () => this.SUBRULE(this.symmetryDeclaration) },
    { ALT: () => this.SUBRULE(this.claim) },
    { ALT: () => this.SUBRULE(this.checkBlock) },
  ];

  readonly statement = this.RULE("statement", () => {
    this.ACTION(() => this.state.startStatement());
    this.OR(this.statementKinds);
  });

  /** `model "PATH"` */
  readonly modelStatement = this.RULE("modelStatement", () => {
    this.CONSUME(Model);
    this.CONSUME(QuotedString, { LABEL: "path" });
  });

  /** `input NAME [AXES]`, `output NAME [AXES]` */
  readonly tensorDeclaration = this.RULE("tensorDeclaration", () => {
    this.OR(this.directions);
    const tensor = this.SUBRULE(this.name, NAME_AS.tensor);
    this.ACTION(() => (this.state.subject = nameText(tensor)));
    this.CONSUME(LBracket);
    this.OPTION({
      GATE: () => !this.startsStatement(),
      DEF: () => {
        this.SUBRULE(this.axis);
        this.MANY(() => {
          this.CONSUME(Comma);
          this.SUBRULE2(this.axis);
        });
      },
    });
    this.CONSUME(RBracket);
  });

  private readonly directions: IOrAlt<IToken>[] = [
    { ALT: () => this.CONSUME(Input, { LABEL: "direction" }) },
    { ALT: () => this.CONSUME(Output, { LABEL: "direction" }) },
  ];

  /** `NAME`, `NAME = N`, `NAME: KIND`, `NAME = N: KIND`, `NAME: KIND = N` */
  readonly axis = this.RULE("axis", () => {
    const axis = this.SUBRULE(this.name, NAME_AS.axis);
    this.ACTION(() => (this.state.axis = nameText(axis)));
    this.OPTION(() => this.OR(this.axisDetails));
  });

  private readonly axisDetails: IOrAlt<void>[] = [
    {
      ALT: () => {
        this.CONSUME(Equals);
        this.CONSUME(NumberLiteral, { LABEL: "size" });
        this.OPTION2(() => {
          this.CONSUME(Colon);
          this.SUBRULE2(this.name, NAME_AS.axisKind);
        });
      },
    },
    {
      ALT: () => {
        this.CONSUME2(Colon);
        this.SUBRULE3(this.name, NAME_AS.axisKind);
        this.OPTION3(() => {
          this.CONSUME2(Equals);
          this.CONSUME2(NumberLiteral, { LABEL: "size" });
        });
      },
    },
  ];

  /** `symmetry NAME = CONSTRUCTOR(ARGS)` */
  readonly symmetryDeclaration = this.RULE("symmetryDeclaration", () => {
    this.CONSUME(Symmetry);
    const symmetry = this.SUBRULE(this.name, NAME_AS.symmetry);
    this.ACTION(() => (this.state.subject = nameText(symmetry)));
    this.CONSUME(Equals);
    const constructorName = this.SUBRULE2(this.name, NAME_AS.constructor);
    this.ACTION(() => (this.state.callee = nameText(constructorName)));
    this.CONSUME(LParen);
    this.OPTION({
      GATE: () => !this.startsStatement(),
      DEF: () => {
        this.SUBRULE(this.argument);
        this.MANY(() => {
          this.CONSUME(Comma);
          this.SUBRULE2(this.argument);
        });
      },
    });
    this.CONSUME(RParen);
  });

  /** `y`, `"input.1"`, `3`, or an option `step=2` */
  readonly argument = this.RULE("argument", () => {
    this.OR(this.argumentForms);
  });

  private readonly argumentForms: IOrAlt<void>[] = [
    {
      ALT: () => {
        this.SUBRULE(this.name, NAME_AS.argument);
        this.OPTION(() => {
          this.CONSUME(Equals);
          this.OR2(this.optionValues);
        });
      },
    },
    { ALT: () => this.CONSUME2(NumberLiteral, { LABEL: "number" }) },
  ];

  private readonly optionValues: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(NumberLiteral, { LABEL: "number" }) },
    { ALT: () => this.SUBRULE2(this.name, NAME_AS.optionValue) },
  ];

  /** `invariant OUT, ... under SYM, ... within TOL` and its `equivariant` twin */
  readonly claim = this.RULE("claim", () => {
    this.OR(this.claimKinds);
    this.SUBRULE(this.name, NAME_AS.output);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.name, NAME_AS.output);
    });
    this.CONSUME(Under);
    this.SUBRULE3(this.name, NAME_AS.claimSymmetry);
    this.MANY2(() => {
      this.CONSUME2(Comma);
      this.SUBRULE4(this.name, NAME_AS.claimSymmetry);
    });
    this.OPTION(() => {
      this.CONSUME(Within);
      this.CONSUME(NumberLiteral, { LABEL: "tolerance" });
    });
  });

  private readonly claimKinds: IOrAlt<IToken>[] = [
    { ALT: () => this.CONSUME(Invariant, { LABEL: "claimKind" }) },
    { ALT: () => this.CONSUME(Equivariant, { LABEL: "claimKind" }) },
  ];

  /** `check { SETTINGS }` */
  readonly checkBlock = this.RULE("checkBlock", () => {
    this.CONSUME(Check);
    this.CONSUME(LBrace);
    this.MANY({ GATE: () => !this.endsCheckBlock(), DEF: () => this.SUBRULE(this.setting) });
    this.CONSUME(RBrace);
  });

  private readonly settingKinds: IOrAlt<CstNode>[] = [
    { ALT: () => this.SUBRULE(this.numberSetting) },
    { ALT: () => this.SUBRULE(this.sizeSetting) },
    { ALT: () => this.SUBRULE(this.inputSetting) },
    { ALT: () => this.SUBRULE(this.unknownSetting) },
  ];

  readonly setting = this.RULE("setting", () => {
    this.OR(this.settingKinds);
  });

  /** `samples 8`, `seed 0`, `tolerance 1e-4` */
  readonly numberSetting = this.RULE("numberSetting", () => {
    this.CONSUME(NumberSettingKeyword, { LABEL: "keyword" });
    this.CONSUME(NumberLiteral, { LABEL: "value" });
  });

  /** `size batch = 2, y = 32` */
  readonly sizeSetting = this.RULE("sizeSetting", () => {
    this.CONSUME(Size, { LABEL: "keyword" });
    this.SUBRULE(this.sizeAssignment);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.sizeAssignment);
    });
  });

  readonly sizeAssignment = this.RULE("sizeAssignment", () => {
    const axis = this.SUBRULE(this.name, NAME_AS.sizeAxis);
    this.ACTION(() => (this.state.subject = nameText(axis)));
    this.CONSUME(Equals);
    this.CONSUME(NumberLiteral, { LABEL: "value" });
  });

  /** `input NAME ~ DIST(ARGS)`, `input NAME = VALUE`, `input NAME from "FILE"` */
  readonly inputSetting = this.RULE("inputSetting", () => {
    this.CONSUME(Input, { LABEL: "keyword" });
    const tensor = this.SUBRULE(this.name, NAME_AS.inputTensor);
    this.ACTION(() => (this.state.subject = nameText(tensor)));
    this.OR(this.inputSources);
  });

  private readonly inputSources: IOrAlt<void>[] = [
    {
      ALT: () => {
        this.CONSUME(Tilde);
        const distribution = this.SUBRULE2(this.name, NAME_AS.distribution);
        this.ACTION(() => (this.state.callee = nameText(distribution)));
        this.CONSUME(LParen);
        this.OPTION(() => {
          this.CONSUME(NumberLiteral, { LABEL: "argument" });
          this.MANY(() => {
            this.CONSUME(Comma);
            this.CONSUME2(NumberLiteral, { LABEL: "argument" });
          });
        });
        this.CONSUME(RParen);
      },
    },
    {
      ALT: () => {
        this.CONSUME(Equals);
        this.CONSUME3(NumberLiteral, { LABEL: "value" });
      },
    },
    {
      ALT: () => {
        this.CONSUME(From);
        this.CONSUME(QuotedString, { LABEL: "path" });
      },
    },
  ];

  /** A setting the language does not know, with its values: kept for the binder to name and suggest. */
  readonly unknownSetting = this.RULE("unknownSetting", () => {
    this.CONSUME(Identifier, { LABEL: "keyword" });
    this.MANY(() => this.OR(this.settingValues));
  });

  private readonly settingValues: IOrAlt<IToken>[] = [
    { ALT: () => this.CONSUME(NumberLiteral, { LABEL: "value" }) },
    { ALT: () => this.CONSUME(QuotedString, { LABEL: "value" }) },
  ];

  /**
   * An identifier, a keyword used as a name, or a quoted name. A rule of its own, so that
   * recovery from a missing name re-syncs at what follows the name. Every SUBRULE passes the
   * role (optional only because chevrotain 11 types rules as `() => void`; chevrotain calls
   * the rule without it while it records the grammar); it reaches the message provider as
   * the alternation's description.
   */
  readonly name = this.RULE("name", (role?: NameRole) => {
    this.OR(role === undefined ? this.anyName : this.nameAlternatives[role]);
  });

  private readonly nameAlternatives = Object.fromEntries(
    NAME_ROLE_LIST.map((role) => [role, this.nameAlternativesFor(role)]),
  ) as Record<NameRole, OrMethodOpts<IToken>>;
  /** A name in no particular role: only read while chevrotain records the grammar. */
  private readonly anyName = this.nameAlternativesFor(undefined);

  private nameAlternativesFor(role: NameRole | undefined): OrMethodOpts<IToken> {
    return {
      DEF: [
        { GATE: () => role === undefined || this.mayReadAsName(role), ALT: () => this.CONSUME(Name) },
        { ALT: () => this.CONSUME(QuotedString) },
      ],
      ERR_MSG: role,
    };
  }

  /** The next tokens read as the start of a statement: `output logits`, `model "x"`, `check {`. */
  private startsStatement(): boolean {
    const first = this.LA(1).tokenType;
    const second = this.LA(2);
    if (first === Model) return tokenMatcher(second, QuotedString);
    if (first === Check) return tokenMatcher(second, LBrace);
    return STATEMENT_KEYWORD_TOKENS.includes(first) && (tokenMatcher(second, Name) || tokenMatcher(second, QuotedString));
  }

  /** `under s`, `within 1e-3`, `from "x.npy"`: the keywords inside statements, followed by what they introduce. */
  private startsClause(): boolean {
    const first = this.LA(1).tokenType;
    const second = this.LA(2);
    if (first === Under) return tokenMatcher(second, Name) || tokenMatcher(second, QuotedString);
    if (first === Within) return tokenMatcher(second, NumberLiteral);
    if (first === From) return tokenMatcher(second, QuotedString);
    return false;
  }

  /**
   * Whether the next token is a name here. A keyword is, unless what follows it is not what
   * may follow the name but is what the keyword introduces (see the header).
   */
  private mayReadAsName(role: NameRole): boolean {
    if (tokenMatcher(this.LA(1), Identifier)) return true;
    const next = this.LA(2);
    if (NAME_ROLES[role].follow.some((tokenType) => tokenMatcher(next, tokenType))) return true;
    return !this.startsStatement() && !this.startsClause();
  }

  /**
   * A statement keyword starts a statement, unless it comes right after a token that
   * introduces a name (`[batch, output]`): that matters while skipping a mistake.
   */
  private mayStartStatementHere(): boolean {
    return this.startsStatement() || !NAME_INTRODUCERS.includes(this.LA(0).tokenType);
  }

  /** A statement inside a check block means its `}` is missing; `input x [` is a declaration, `input x ~` a setting. */
  private endsCheckBlock(): boolean {
    if (this.LA(1).tokenType === Input) return tokenMatcher(this.LA(3), LBracket);
    return this.startsStatement();
  }

  /** When the expected token comes right after the wrong one (`invariant a b under s`), skipping that one is the better guess. */
  protected override canTokenTypeBeInsertedInRecovery(tokenType: TokenType): boolean {
    return !VALUE_TOKENS.includes(tokenType) && !tokenMatcher(this.LA(2), tokenType);
  }

  /** A token that starts the next statement is never skipped to recover the current one. */
  protected override canTokenTypeBeDeletedInRecovery(): boolean {
    return !this.startsStatement();
  }

  /**
   * Recovery assumes a missing keyword or punctuation token. When the next token is a
   * misspelling of the missing keyword (`undr` for `under`) and a name follows it, as after
   * the keyword, it is read as that keyword instead (not while it is still being typed).
   */
  protected override getTokenToInsert(tokenType: TokenType): IToken {
    const next = this.LA(1);
    const text = tokenText(tokenType);
    const nameFollows = tokenMatcher(this.LA(2), Name) || tokenMatcher(this.LA(2), QuotedString);
    if (tokenMatcher(next, Identifier) && /^[a-z]+$/.test(text) && nearest(next.image, [text]) && nameFollows) {
      this.state.misspellings.set(next, text);
      this.SKIP_TOKEN();
      return next;
    }
    this.state.insertions.set(next, text);
    return super.getTokenToInsert(tokenType);
  }

  /**
   * Chevrotain recomputes the tokens that may follow a grammar position each time it recovers
   * there; they depend on the position only, and a file with thousands of mistakes would
   * recompute them thousands of times.
   */
  private readonly followsByPath = new Map<string, TokenType[]>();

  protected override getNextPossibleTokenTypes(path: ITokenGrammarPath): TokenType[] {
    const key = `${path.ruleStack.join("/")}|${path.occurrenceStack.join("/")}|${path.lastTok.name}|${path.lastTokOccurrence}`;
    let follows = this.followsByPath.get(key);
    if (!follows) {
      follows = super.getNextPossibleTokenTypes(path);
      this.followsByPath.set(key, follows);
    }
    return follows;
  }

  /**
   * Hands a statement's tree over as soon as it is parsed, then empties it. The concrete tree
   * of a big file is many times the size of its text: kept whole to the end of the parse, it
   * outlived the young generation's garbage collections, which then spent longer per line the
   * longer the file. An error's token is never before the error, so the tokens of statements
   * parsed before the first error are not needed to diagnose it.
   */
  private handOver(statement: CstNode): void {
    if (this.state.errorFound) addWrittenTokens(statement, this.state.written);
    this.state.takeStatement(statement, { lastToken: this.LA(0), clean: !this.state.errorFound });
    this.state.lastHandedOver = statement;
    for (const child of Object.keys(statement.children)) delete statement.children[child];
  }

  /** Parses a token vector from `start`; the parser instance is reused, so this resets its state first. */
  parseTokens(tokens: IToken[], start: number, takeStatement: TakeStatement): ParsedTokens {
    this.state.reset(takeStatement);
    this.input = tokens;
    // Skipped, not left out: the token before the start stays the one the parser sees before it (LA(0)).
    for (let index = 0; index < start; index++) this.SKIP_TOKEN();
    // Chevrotain makes an Error per syntax error; their stack traces are never read, and
    // capturing them is most of what a mistake costs.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      const spec = this.spec();
      // A statement that nothing up to the end of the file lets recover ends the parse: its
      // partial tree comes back inside the spec's, without the action that follows it.
      const last = spec.children.statement?.at(-1);
      if (last && last !== this.state.lastHandedOver) this.handOver(last as CstNode);
      const { insertions, misspellings, written } = this.state;
      return { errors: this.errors, insertions, misspellings, written };
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }
}

/** Every token the parser placed in the tree (recovery skips the others). */
function addWrittenTokens(element: CstElement, written: Set<IToken>): void {
  if ("children" in element) {
    for (const children of Object.values(element.children)) for (const child of children) addWrittenTokens(child, written);
  } else if (!element.isInsertedInRecovery) {
    written.add(element);
  }
}

export interface ParsedTokens {
  errors: IRecognitionException[];
  /** Where recovery assumed a missing keyword or punctuation token, by the token found instead: its text. */
  insertions: ReadonlyMap<IToken, string>;
  /** Misspelt keywords read as the keyword, with the keyword. */
  misspellings: ReadonlyMap<IToken, string>;
  /**
   * The tokens the parser placed in the tree (recovery skips others), from the first error on:
   * the tokens that errors are about, which come after it.
   */
  written: ReadonlySet<IToken>;
}

const specParser = new SpecParser(new ParseState());

/** How a statement was parsed. */
export interface StatementParse {
  /** The last token the parser read for it. */
  lastToken: IToken;
  /** No error was found up to its end (errors are only found at or after the token they are about). */
  clean: boolean;
}

/** Receives a statement's concrete tree: partial where an error was recovered from, and emptied right after. */
export type TakeStatement = (statement: CstNode, parse: StatementParse) => void;

/**
 * Parses the statements of a spec from its token at `start`: 0, or the first token after a
 * statement parsed before without errors. Parsing from there gives what parsing the whole
 * token vector would from there on, as long as the tokens the parser looked at to finish
 * the earlier statement are unchanged (at most three after it). Each statement's tree goes to
 * `takeStatement` in source order as soon as it is parsed.
 */
export function parseTokens(tokens: IToken[], start: number, takeStatement: TakeStatement): ParsedTokens {
  return specParser.parseTokens(tokens, start, takeStatement);
}

/** The base class of CST visitors: it checks that a visitor has a method for every rule. */
export const BaseCstVisitor = specParser.getBaseCstVisitorConstructor<CstNodeLocation, unknown>();
