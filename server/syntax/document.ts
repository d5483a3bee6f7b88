// One parsed Nix document: its text, its tree-sitter tree (kept only while the document is open), and the
// derived AST and syntax problems, computed lazily and reused until the next edit. A document that is only
// read (a file on disk: the workspace scan, the command line) takes the AST straight from Nix's grammar when
// Nix accepts the file (direct-ast.ts), and asks tree-sitter only for a broken one, to recover from its errors.
import type { Edit, Parser, Tree } from 'web-tree-sitter';
import type { SourceFile } from './ast';
import { buildAst } from './build-ast';
import { directAst } from './direct-ast';
import { PIPE_MESSAGE, syntaxErrors, type FirstError, type SyntaxProblem } from './errors';
import { parseBudgetMs, pathologicalShape, treeSitterText } from './parse-bounds';
import { LineIndex, type Position, type Range } from './positions';
import { recognize } from './recognizer';
import { semanticChecks, type SemanticProblem } from './semantic-checks';

/** An LSP-style content change: a range and its replacement, or (no range) the whole new text. */
export interface TextChange {
  range?: Range;
  text: string;
}

const PIPE_TOKEN = /\|>|<\|/;

export class SyntaxDocument {
  /** undefined when tree-sitter was not used or gave up (see parse-bounds.ts): Nix's verdict only. */
  private tree: Tree | undefined;
  /** Why there is no tree. */
  private limitReason?: string;
  private lines: LineIndex;
  private ast?: SourceFile;
  private errors?: SyntaxProblem[];
  private quickErrors?: SyntaxProblem[];
  private semantic?: SemanticProblem[];
  /** The AST read with the pipe operators (null: not such a text, or not allowed); undefined until asked. */
  private piped?: SourceFile | null;

  constructor(
    private readonly parser: Parser,
    private textValue: string,
    /** Finds the first error as Nix does; the recognizer by default. */
    private firstError: ((text: string) => FirstError | null) | undefined = recognize,
    /** 'read': the text will not be edited (see the header); 'edit' (the default) keeps a tree to reparse. */
    mode: 'edit' | 'read' = 'edit',
    /**
     * Whether the repository runs Nix with the experimental pipe operators (asked only when the text uses them):
     * then a text that is valid with them is read with them, and has no syntax error.
     */
    private readonly pipesAllowed?: () => boolean,
  ) {
    this.lines = new LineIndex(textValue);
    if (mode === 'read' && this.readDirectly(textValue)) return;
    this.tree = this.parse(textValue);
  }

  /**
   * For a document that is only read: when Nix accepts the text, its AST from Nix's grammar, with no tree;
   * false when tree-sitter is needed (a syntax error to recover from, or text direct-ast.ts leaves to it).
   */
  private readDirectly(text: string): boolean {
    // Only with Nix's own verdict (tests may give another) and only where tree-sitter would have read it too.
    if (this.firstError !== recognize || pathologicalShape(text)) return false;
    const ast = directAst(text);
    if (ast) {
      // It answers only for text Nix accepts: no syntax errors.
      this.ast = ast;
      this.errors = [];
      return true;
    }
    const found = this.firstError(text);
    if (!found) return false;
    // Broken: tree-sitter recovers, and the first error (which the syntax check asks for again) is known.
    const firstError = this.firstError;
    this.firstError = (t) => (t === text ? found : firstError(t));
    return false;
  }

  get text(): string {
    return this.textValue;
  }

  get lineIndex(): LineIndex {
    return this.lines;
  }

  /** Applies edits in order (as LSP sends them) and reparses incrementally from the old tree. */
  applyChanges(changes: TextChange[]): void {
    for (const change of changes) {
      if (!change.range) {
        this.tree?.delete();
        this.textValue = change.text;
        this.lines = new LineIndex(change.text);
        this.tree = this.parse(change.text);
        continue;
      }
      const startIndex = this.lines.offsetAt(change.range.start);
      const oldEndIndex = this.lines.offsetAt(change.range.end);
      const newText = this.textValue.slice(0, startIndex) + change.text + this.textValue.slice(oldEndIndex);
      const newLines = this.lines.edited(startIndex, oldEndIndex, change.text.length, newText);
      const old = this.tree;
      // tree-sitter reads a lone CR as LF (parse-bounds.ts), which depends on the character after it: an edit
      // right after a CR changes that CR too. A NUL can change what all the rest of the file means.
      const from = startIndex > 0 && this.textValue[startIndex - 1] === '\r' ? startIndex - 1 : startIndex;
      const incremental = old && !newText.includes('\0') && !this.textValue.includes('\0');
      if (old && incremental) {
        const edit: Edit = {
          startIndex: from,
          oldEndIndex,
          newEndIndex: startIndex + change.text.length,
          startPosition: toPoint(this.lines.positionAt(from)),
          oldEndPosition: toPoint(this.lines.positionAt(oldEndIndex)),
          newEndPosition: toPoint(newLines.positionAt(startIndex + change.text.length)),
        };
        old.edit(edit);
      }
      this.tree = this.parse(newText, incremental ? old : undefined);
      old?.delete();
      this.textValue = newText;
      this.lines = newLines;
    }
    this.ast = undefined;
    this.errors = undefined;
    this.quickErrors = undefined;
    this.semantic = undefined;
    this.piped = undefined;
  }

  /**
   * Why the file was checked by Nix's grammar alone, without a tree (its contents are then unknown to the
   * analysis), or undefined.
   */
  get parseLimit(): string | undefined {
    return this.tree ? undefined : this.limitReason;
  }

  /**
   * The syntax errors. `thorough` (the default) also runs Nix's grammar over a file tree-sitter accepted; the
   * language server skips that on keystrokes in large files and catches up when typing pauses.
   */
  syntaxProblems(thorough = true): SyntaxProblem[] {
    const problems = this.nixProblems(thorough);
    return problems.length && this.withPipes(problems) ? [] : problems;
  }

  /** The AST of a text that is valid with the pipe operators, when the repository uses them. */
  private withPipes(problems: SyntaxProblem[]): SourceFile | undefined {
    if (!this.pipesAllowed) return undefined;
    if (this.piped === undefined)
      this.piped =
        problems[0].message === PIPE_MESSAGE && this.pipesAllowed()
          ? (directAst(this.textValue, { pipes: true }) ?? null)
          : null;
    return this.piped ?? undefined;
  }

  private nixProblems(thorough: boolean): SyntaxProblem[] {
    const tree = this.tree;
    if (!tree) {
      // No tree: Nix's own grammar (linear, any nesting) gives the verdict.
      this.errors ??= verdictOnly(this.textValue, this.firstError);
      return this.errors;
    }
    if (thorough) {
      this.errors ??= syntaxErrors(tree, this.textValue, this.firstError, true);
      return this.errors;
    }
    if (this.errors) return this.errors;
    this.quickErrors ??= syntaxErrors(tree, this.textValue, this.firstError, false);
    return this.quickErrors;
  }

  /** Nix's parse-time checks (duplicates, undefined variables); only meaningful on a tree without errors. */
  semanticProblems(): SemanticProblem[] {
    this.semantic ??= this.syntaxProblems().length ? [] : semanticChecks(this.sourceFile());
    return this.semantic;
  }

  sourceFile(): SourceFile {
    // (a text without `|>` or `<|` is never asked about: keystrokes in large files stay cheap)
    if (this.pipesAllowed && this.piped === undefined && PIPE_TOKEN.test(this.textValue))
      this.syntaxProblems();
    if (this.piped) return this.piped;
    // Without a tree the whole file is one expression nixkit does not know (`error` is read as unknown).
    this.ast ??= this.tree
      ? buildAst(this.tree.rootNode, this.textValue)
      : { expr: { kind: 'error', span: { start: 0, end: this.textValue.length } }, comments: [] };
    return this.ast;
  }

  /** Frees the WASM memory of the tree; the document must not be used afterwards. */
  dispose(): void {
    this.tree?.delete();
    this.tree = undefined;
  }

  /** A tree of `text`, or undefined when tree-sitter must not see it or runs out of time (parse-bounds.ts). */
  private parse(text: string, old?: Tree): Tree | undefined {
    this.limitReason = pathologicalShape(text);
    if (this.limitReason) return undefined;
    const budget = parseBudgetMs(text.length);
    const started = performance.now();
    const tree = this.parser.parse(treeSitterText(text), old ?? null, {
      progressCallback: () => performance.now() - started > budget,
    });
    if (!tree) {
      // A cancelled parse would otherwise resume on the next call.
      this.parser.reset();
      this.limitReason = `nixkit's tree parser did not finish within ${Math.round(budget)} ms`;
      return undefined;
    }
    return tree;
  }
}

/** The first error Nix would report, as the only problem (used when there is no tree). */
function verdictOnly(text: string, firstError?: (text: string) => FirstError | null): SyntaxProblem[] {
  const found = (firstError ?? recognize)(text);
  if (!found) return [];
  const start =
    found.nixOffset !== undefined && found.nixOffset < found.start ? found.nixOffset : found.start;
  return [{ span: { start, end: Math.max(found.end, start) }, message: found.message }];
}

function toPoint(p: Position): { row: number; column: number } {
  return { row: p.line, column: p.character };
}
