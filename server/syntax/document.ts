// One parsed Nix document: its text, its tree-sitter tree (kept only while the document is open), and the
// derived AST and syntax problems, computed lazily and reused until the next edit.
import type { Edit, Parser, Tree } from 'web-tree-sitter';
import type { SourceFile } from './ast';
import { buildAst } from './build-ast';
import { syntaxErrors, type FirstError, type SyntaxProblem } from './errors';
import { LineIndex, type Position, type Range } from './positions';
import { recognize } from './recognizer';
import { semanticChecks, type SemanticProblem } from './semantic-checks';

/** An LSP-style content change: a range and its replacement, or (no range) the whole new text. */
export interface TextChange {
  range?: Range;
  text: string;
}

export class SyntaxDocument {
  private tree: Tree;
  private lines: LineIndex;
  private ast?: SourceFile;
  private errors?: SyntaxProblem[];
  private quickErrors?: SyntaxProblem[];
  private semantic?: SemanticProblem[];

  constructor(
    private readonly parser: Parser,
    private textValue: string,
    /** Finds the first error as Nix does; the recognizer by default. */
    private readonly firstError: ((text: string) => FirstError | null) | undefined = recognize,
  ) {
    this.tree = this.parse(textValue);
    this.lines = new LineIndex(textValue);
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
        this.tree.delete();
        this.textValue = change.text;
        this.lines = new LineIndex(change.text);
        this.tree = this.parse(change.text);
        continue;
      }
      const startIndex = this.lines.offsetAt(change.range.start);
      const oldEndIndex = this.lines.offsetAt(change.range.end);
      const newText = this.textValue.slice(0, startIndex) + change.text + this.textValue.slice(oldEndIndex);
      const newLines = this.lines.edited(startIndex, oldEndIndex, change.text.length, newText);
      const edit: Edit = {
        startIndex,
        oldEndIndex,
        newEndIndex: startIndex + change.text.length,
        startPosition: toPoint(this.lines.positionAt(startIndex)),
        oldEndPosition: toPoint(this.lines.positionAt(oldEndIndex)),
        newEndPosition: toPoint(newLines.positionAt(startIndex + change.text.length)),
      };
      this.tree.edit(edit);
      const old = this.tree;
      this.tree = this.parse(newText, old);
      old.delete();
      this.textValue = newText;
      this.lines = newLines;
    }
    this.ast = undefined;
    this.errors = undefined;
    this.quickErrors = undefined;
    this.semantic = undefined;
  }

  /**
   * The syntax errors. `thorough` (the default) also runs Nix's grammar over a file tree-sitter accepted; the
   * language server skips that on keystrokes in large files and catches up when typing pauses.
   */
  syntaxProblems(thorough = true): SyntaxProblem[] {
    if (thorough) {
      this.errors ??= syntaxErrors(this.tree, this.textValue, this.firstError, true);
      return this.errors;
    }
    if (this.errors) return this.errors;
    this.quickErrors ??= syntaxErrors(this.tree, this.textValue, this.firstError, false);
    return this.quickErrors;
  }

  /** Nix's parse-time checks (duplicates, undefined variables); only meaningful on a tree without errors. */
  semanticProblems(): SemanticProblem[] {
    this.semantic ??= this.syntaxProblems().length ? [] : semanticChecks(this.sourceFile());
    return this.semantic;
  }

  sourceFile(): SourceFile {
    this.ast ??= buildAst(this.tree.rootNode, this.textValue);
    return this.ast;
  }

  /** Frees the WASM memory of the tree; the document must not be used afterwards. */
  dispose(): void {
    this.tree.delete();
  }

  private parse(text: string, old?: Tree): Tree {
    const tree = this.parser.parse(text, old ?? null);
    if (!tree) throw new Error('nixkit: the Nix parser returned no tree');
    return tree;
  }
}

function toPoint(p: Position): { row: number; column: number } {
  return { row: p.line, column: p.character };
}
