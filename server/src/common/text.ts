/**
 * Positions and ranges in a spec's text. Zero-based line and character (UTF-16 code units),
 * the same shape as LSP's, so the protocol layer passes them through unchanged.
 */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export function range(startLine: number, startChar: number, endLine: number, endChar: number): Range {
  return { start: { line: startLine, character: startChar }, end: { line: endLine, character: endChar } };
}

/** The smallest range that covers both. */
export function spanOf(first: Range, last: Range): Range {
  return { start: first.start, end: last.end };
}

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

/** True when the position lies inside the range or touches its end (where a cursor sits after typing). */
export function containsPosition(r: Range, p: Position): boolean {
  return comparePositions(r.start, p) <= 0 && comparePositions(p, r.end) <= 0;
}

const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;

/**
 * Converts between offsets in a text and positions in it: zero-based lines and characters in
 * UTF-16 code units, lines ending at `\n`, `\r\n` or `\r` (as LSP counts them). The lexer and
 * parser track offsets only (it is faster), so every range in the tree and the diagnostics
 * comes from here; the editor features convert the client's positions back.
 */
export class SourcePositions {
  /** The offset at which each line starts. */
  private readonly lineStarts: number[] = [0];
  /** The line of the last lookup: the tree is built in source order, so the next one is usually on it. */
  private lastLine = 0;

  constructor(private readonly text: string) {
    for (let offset = 0; offset < text.length; offset++) {
      const char = text.charCodeAt(offset);
      if (char === CARRIAGE_RETURN && text.charCodeAt(offset + 1) === LINE_FEED) offset++;
      if (char === LINE_FEED || char === CARRIAGE_RETURN) this.lineStarts.push(offset + 1);
    }
  }

  at(offset: number): Position {
    const line = this.onLastLine(offset) ? this.lastLine : this.lineOf(offset);
    this.lastLine = line;
    return { line, character: offset - this.lineStarts[line] };
  }

  /** `end` is exclusive. */
  range(start: number, end: number): Range {
    return { start: this.at(start), end: this.at(end) };
  }

  /**
   * The offset of a position, the inverse of `at`. A character past its line's end clamps to
   * that end (before the line break), a line past the last to the end of the text.
   */
  offsetAt(position: Position): number {
    if (position.line >= this.lineStarts.length) return this.text.length;
    const lineStart = this.lineStarts[position.line];
    return lineStart + Math.min(position.character, this.lineEnd(position.line) - lineStart);
  }

  /** The offset at which the line's text ends: before its line break, or at the end of the text. */
  lineEnd(line: number): number {
    let end = this.lineStarts[line + 1] ?? this.text.length;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === LINE_FEED) end--;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === CARRIAGE_RETURN) end--;
    return end;
  }

  private onLastLine(offset: number): boolean {
    const next = this.lineStarts[this.lastLine + 1];
    return this.lineStarts[this.lastLine] <= offset && (next === undefined || offset < next);
  }

  private lineOf(offset: number): number {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}
