// Tokenizes real Nix snippets with syntaxes/nix.tmLanguage.json through vscode-textmate + vscode-oniguruma
// (the same engine VS Code uses) and asserts the exact scopes of exact tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';

function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

const ROOT = repoRoot();
const GRAMMAR_PATH = path.join(ROOT, 'syntaxes', 'nix.tmLanguage.json');
const LANG_CONFIG_PATH = path.join(ROOT, 'syntaxes', 'language-configuration.json');

let grammarPromise: Promise<vsctm.IGrammar> | undefined;

function loadGrammar(): Promise<vsctm.IGrammar> {
  grammarPromise ??= (async () => {
    const wasm = fs.readFileSync(path.join(ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) =>
        scopeName === 'source.nix'
          ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH)
          : null,
    });
    const grammar = await registry.loadGrammar('source.nix');
    if (!grammar) throw new Error('source.nix did not load');
    return grammar;
  })();
  return grammarPromise;
}

interface Token {
  line: number;
  text: string;
  scopes: string[];
}

interface Tokenized {
  tokens: Token[];
  /** Depth of the rule stack after the last line: 1 means every begin/end rule was closed. */
  endDepth: number;
}

async function tokenize(source: string): Promise<Tokenized> {
  const grammar = await loadGrammar();
  let state = vsctm.INITIAL;
  const tokens: Token[] = [];
  source.split('\n').forEach((lineText, line) => {
    const result = grammar.tokenizeLine(lineText, state);
    for (const t of result.tokens) {
      tokens.push({ line, text: lineText.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    }
    state = result.ruleStack;
  });
  return { tokens, endDepth: state.depth };
}

/** The scopes (without the root `source.nix`) of the `nth` token whose text is exactly `text`. */
async function scopesOf(source: string, text: string, nth = 0): Promise<string[]> {
  const { tokens } = await tokenize(source);
  const matches = tokens.filter((t) => t.text === text);
  const token = matches[nth];
  if (!token) {
    const seen = tokens.map((t) => JSON.stringify(t.text)).join(' ');
    assert.fail(
      `no token #${nth} with text ${JSON.stringify(text)} in ${JSON.stringify(source)}; tokens: ${seen}`,
    );
  }
  assert.equal(token.scopes[0], 'source.nix');
  return token.scopes.slice(1);
}

const STR = 'string.quoted.double.nix';
const IND = 'string.quoted.other.nix';
const EMB = 'meta.embedded.line.nix';
const ESC = 'constant.character.escape.nix';
const PATH = 'string.unquoted.path.nix';
const ATTR = 'entity.other.attribute-name.nix';
const PARAM = 'variable.parameter.nix';

test('grammar file declares source.nix', () => {
  const raw = JSON.parse(fs.readFileSync(GRAMMAR_PATH, 'utf8')) as { scopeName: string; name: string };
  assert.equal(raw.scopeName, 'source.nix');
  assert.equal(raw.name, 'Nix');
});

test('line comments and block comments', async () => {
  assert.deepEqual(await scopesOf('x = 1; # comment here', ' comment here'), [
    'comment.line.number-sign.nix',
  ]);
  assert.deepEqual(await scopesOf('x = 1; # comment here', '#'), [
    'comment.line.number-sign.nix',
    'punctuation.definition.comment.nix',
  ]);
  const block = '/* a\n   "not a string" */ x';
  assert.deepEqual(await scopesOf(block, '   "not a string" '), ['comment.block.nix']);
  assert.deepEqual(await scopesOf(block, 'x'), ['variable.other.nix']);
  // `#` inside a string is not a comment
  assert.deepEqual(await scopesOf('"a # b"', 'a # b'), [STR]);
});

test('double-quoted string with ${} interpolation', async () => {
  const src = 'name = "web-${name}-x";';
  assert.deepEqual(await scopesOf(src, '"'), [STR, 'punctuation.definition.string.begin.nix']);
  assert.deepEqual(await scopesOf(src, 'web-'), [STR]);
  assert.deepEqual(await scopesOf(src, '${'), [STR, EMB, 'punctuation.section.embedded.begin.nix']);
  assert.deepEqual(await scopesOf(src, 'name', 1), [STR, EMB, 'variable.other.nix']);
  assert.deepEqual(await scopesOf(src, '}'), [STR, EMB, 'punctuation.section.embedded.end.nix']);
  assert.deepEqual(await scopesOf(src, '-x'), [STR]);
  assert.deepEqual(await scopesOf(src, ';'), ['punctuation.terminator.binding.nix']);
});

test('interpolation with nested braces and nested strings', async () => {
  const src = 's = "a ${ { b = "}"; }.b } c ${"x ${"y"}"}";';
  // the `}` inside the nested string does not end anything
  assert.deepEqual(await scopesOf(src, '}'), [STR, EMB, STR]);
  // the attrset's `}` closes the attrset, not the interpolation
  assert.deepEqual(await scopesOf(src, '}', 1), [STR, EMB, 'punctuation.definition.attrset.end.nix']);
  assert.deepEqual(await scopesOf(src, 'b', 1), [STR, EMB, 'variable.other.member.nix']);
  assert.deepEqual(await scopesOf(src, '}', 2), [STR, EMB, 'punctuation.section.embedded.end.nix']);
  assert.deepEqual(await scopesOf(src, ' c '), [STR]);
  assert.deepEqual(await scopesOf(src, 'y'), [STR, EMB, STR, EMB, STR]);
  assert.deepEqual(await scopesOf(src, '"', 7), [STR, 'punctuation.definition.string.end.nix']);
  assert.equal((await tokenize(src)).endDepth, 1);
});

test('escapes in double-quoted strings; \\${ and $${ do not interpolate', async () => {
  const src = '"q\\"t \\${a} $${b} \\\\ \\n"; x';
  assert.deepEqual(await scopesOf(src, '\\"'), [STR, ESC]);
  assert.deepEqual(await scopesOf(src, '\\$'), [STR, ESC]);
  assert.deepEqual(await scopesOf(src, '\\\\'), [STR, ESC]);
  assert.deepEqual(await scopesOf(src, '\\n'), [STR, ESC]);
  assert.deepEqual(await scopesOf(src, '{a} '), [STR]);
  assert.deepEqual(await scopesOf(src, '$$'), [STR]);
  assert.deepEqual(await scopesOf(src, '{b} '), [STR]);
  const { tokens } = await tokenize(src);
  assert.ok(!tokens.some((t) => t.scopes.includes(EMB)), 'nothing in this string is interpolated');
  // the escaped quote did not end the string, the last one did
  assert.deepEqual(await scopesOf(src, 'x'), ['variable.other.nix']);
  // $$${x}: `$$` is literal, the following ${ interpolates
  assert.deepEqual(await scopesOf('"$$${x}"', 'x'), [STR, EMB, 'variable.other.nix']);
});

test("indented string: ''$ ''' and ''\\n are escapes and do not end the string", async () => {
  const src = ["t = ''", "  echo ''${HOME} '''q''' ''\\n ${name} $${lit}", '  done', "'';", 'y = 1;'].join(
    '\n',
  );
  assert.deepEqual(await scopesOf(src, "''"), [IND, 'punctuation.definition.string.begin.nix']);
  assert.deepEqual(await scopesOf(src, "''$"), [IND, ESC]);
  assert.deepEqual(await scopesOf(src, '{HOME} '), [IND]);
  assert.deepEqual(await scopesOf(src, "'''"), [IND, ESC]);
  assert.deepEqual(await scopesOf(src, 'q'), [IND]);
  assert.deepEqual(await scopesOf(src, "'''", 1), [IND, ESC]);
  assert.deepEqual(await scopesOf(src, "''\\n"), [IND, ESC]);
  assert.deepEqual(await scopesOf(src, '${'), [IND, EMB, 'punctuation.section.embedded.begin.nix']);
  assert.deepEqual(await scopesOf(src, 'name'), [IND, EMB, 'variable.other.nix']);
  assert.deepEqual(await scopesOf(src, '$$'), [IND]);
  assert.deepEqual(await scopesOf(src, '{lit}'), [IND]);
  assert.deepEqual(await scopesOf(src, '  done'), [IND]);
  assert.deepEqual(await scopesOf(src, "''", 1), [IND, 'punctuation.definition.string.end.nix']);
  assert.deepEqual(await scopesOf(src, 'y'), [ATTR]);
});

test("indented string: '' followed by anything else ends it", async () => {
  const src = "x = '' a ''; b = '' ' '' ;";
  assert.deepEqual(await scopesOf(src, "''", 1), [IND, 'punctuation.definition.string.end.nix']);
  assert.deepEqual(await scopesOf(src, 'b'), [ATTR]);
  assert.deepEqual(await scopesOf(src, " ' "), [IND]);
  assert.equal((await tokenize(src)).endDepth, 1);
});

test('paths', async () => {
  const src = 'imports = [ ./hardware-configuration.nix ../x /etc/nixos ~/src <nixpkgs> <nixpkgs/lib> ];';
  assert.deepEqual(await scopesOf(src, '.'), [PATH]);
  assert.deepEqual(await scopesOf(src, '/hardware-configuration.nix'), [PATH]);
  assert.deepEqual(await scopesOf(src, '..'), [PATH]);
  assert.deepEqual(await scopesOf(src, '/x'), [PATH]);
  assert.deepEqual(await scopesOf(src, '/etc/nixos'), [PATH]);
  assert.deepEqual(await scopesOf(src, '~'), [PATH]);
  assert.deepEqual(await scopesOf(src, '/src'), [PATH]);
  assert.deepEqual(await scopesOf(src, 'nixpkgs'), ['string.unquoted.path.search.nix']);
  assert.deepEqual(await scopesOf(src, 'nixpkgs/lib'), ['string.unquoted.path.search.nix']);
  assert.deepEqual(await scopesOf(src, '<'), [
    'string.unquoted.path.search.nix',
    'punctuation.definition.path.begin.nix',
  ]);
  assert.deepEqual(await scopesOf(src, ']'), ['punctuation.definition.list.end.nix']);
});

test('path with interpolation', async () => {
  const src = 'p = ./dir/${name}.nix;';
  assert.deepEqual(await scopesOf(src, '/dir'), [PATH]);
  assert.deepEqual(await scopesOf(src, '${'), [PATH, EMB, 'punctuation.section.embedded.begin.nix']);
  assert.deepEqual(await scopesOf(src, 'name'), [PATH, EMB, 'variable.other.nix']);
  assert.deepEqual(await scopesOf(src, '.nix'), [PATH]);
  assert.deepEqual(await scopesOf(src, ';'), ['punctuation.terminator.binding.nix']);
});

test('division and // are operators, not paths', async () => {
  const src = 'x = a / b // c //d;';
  assert.deepEqual(await scopesOf(src, '/'), ['keyword.operator.arithmetic.nix']);
  assert.deepEqual(await scopesOf(src, '//'), ['keyword.operator.update.nix']);
  assert.deepEqual(await scopesOf(src, '//', 1), ['keyword.operator.update.nix']);
  assert.deepEqual(await scopesOf(src, 'd'), ['variable.other.nix']);
});

test('URIs', async () => {
  const src = 'src = fetchTarball https://example.org/x-1.0.tar.gz;';
  assert.deepEqual(await scopesOf(src, 'https://example.org/x-1.0.tar.gz'), [
    'string.unquoted.url.nix',
    'markup.underline.link.nix',
  ]);
  assert.deepEqual(await scopesOf(src, 'fetchTarball'), ['support.function.builtin.nix']);
});

test('numbers', async () => {
  const src = 'x = [ 1 22 2.5 .5 1.5e3 ];';
  assert.deepEqual(await scopesOf(src, '22'), ['constant.numeric.integer.nix']);
  assert.deepEqual(await scopesOf(src, '2.5'), ['constant.numeric.float.nix']);
  assert.deepEqual(await scopesOf(src, '.5'), ['constant.numeric.float.nix']);
  assert.deepEqual(await scopesOf(src, '1.5e3'), ['constant.numeric.float.nix']);
  // digits inside an identifier are not a number
  assert.deepEqual(await scopesOf('y = x86_64;', 'x86_64'), ['variable.other.nix']);
});

test('keywords', async () => {
  const src = 'let a = rec { }; in assert a; with a; if a then b else c.d or null';
  assert.deepEqual(await scopesOf(src, 'let'), ['keyword.control.let.nix']);
  assert.deepEqual(await scopesOf(src, 'rec'), ['keyword.control.rec.nix']);
  assert.deepEqual(await scopesOf(src, 'in'), ['keyword.control.in.nix']);
  assert.deepEqual(await scopesOf(src, 'assert'), ['keyword.control.assert.nix']);
  assert.deepEqual(await scopesOf(src, 'with'), ['keyword.control.with.nix']);
  assert.deepEqual(await scopesOf(src, 'if'), ['keyword.control.conditional.nix']);
  assert.deepEqual(await scopesOf(src, 'then'), ['keyword.control.conditional.nix']);
  assert.deepEqual(await scopesOf(src, 'else'), ['keyword.control.conditional.nix']);
  assert.deepEqual(await scopesOf(src, 'or'), ['keyword.operator.or.nix']);
  // identifiers that merely start with a keyword
  assert.deepEqual(await scopesOf('x = inputs // letter // in-tree;', 'inputs'), ['variable.other.nix']);
  assert.deepEqual(await scopesOf('x = inputs // letter // in-tree;', 'letter'), ['variable.other.nix']);
  assert.deepEqual(await scopesOf('x = inputs // letter // in-tree;', 'in-tree'), ['variable.other.nix']);
});

test('inherit and inherit (src)', async () => {
  const src = '{ inherit (pkgs.lib) mkIf mkOption; inherit name; x = 1; }';
  assert.deepEqual(await scopesOf(src, 'inherit'), ['keyword.control.inherit.nix']);
  assert.deepEqual(await scopesOf(src, 'pkgs'), ['variable.other.nix']);
  assert.deepEqual(await scopesOf(src, 'lib'), ['variable.other.member.nix']);
  assert.deepEqual(await scopesOf(src, 'mkIf'), [ATTR]);
  assert.deepEqual(await scopesOf(src, 'mkOption'), [ATTR]);
  assert.deepEqual(await scopesOf(src, 'inherit', 1), ['keyword.control.inherit.nix']);
  assert.deepEqual(await scopesOf(src, 'name'), [ATTR]);
  assert.deepEqual(await scopesOf(src, ';'), ['punctuation.terminator.binding.nix']);
  assert.deepEqual(await scopesOf(src, 'x'), [ATTR]);
});

test('constants and builtins', async () => {
  const src = 'x = [ true false null builtins.map import toString ];';
  assert.deepEqual(await scopesOf(src, 'true'), ['constant.language.boolean.nix']);
  assert.deepEqual(await scopesOf(src, 'false'), ['constant.language.boolean.nix']);
  assert.deepEqual(await scopesOf(src, 'null'), ['constant.language.null.nix']);
  assert.deepEqual(await scopesOf(src, 'builtins'), ['support.function.builtin.nix']);
  assert.deepEqual(await scopesOf(src, 'map'), ['variable.other.member.nix']);
  assert.deepEqual(await scopesOf(src, 'import'), ['support.function.builtin.nix']);
  // `lib.map` is not the builtin
  assert.deepEqual(await scopesOf('lib.map', 'map'), ['variable.other.member.nix']);
});

test('operators', async () => {
  const src = 'x = a == b != c <= d >= e && f || !g -> h // i ++ j + k - l * m / n ? o |> p <| q < r > s;';
  const ops: [string, string][] = [
    ['==', 'comparison'],
    ['!=', 'comparison'],
    ['<=', 'comparison'],
    ['>=', 'comparison'],
    ['&&', 'logical'],
    ['||', 'logical'],
    ['!', 'logical'],
    ['->', 'logical'],
    ['//', 'update'],
    ['++', 'concat'],
    ['+', 'arithmetic'],
    ['-', 'arithmetic'],
    ['*', 'arithmetic'],
    ['/', 'arithmetic'],
    ['?', 'has-attr'],
    ['|>', 'pipe'],
    ['<|', 'pipe'],
    ['<', 'comparison'],
    ['>', 'comparison'],
    ['=', 'assignment'],
  ];
  for (const [op, kind] of ops) {
    assert.deepEqual(await scopesOf(src, op), [`keyword.operator.${kind}.nix`], op);
  }
  for (const v of ['a', 'h', 'o', 'p', 'q', 's']) {
    assert.deepEqual(await scopesOf(src, v), ['variable.other.nix'], v);
  }
});

test('attribute paths in bindings', async () => {
  const src = 'foo.bar.baz = true;';
  assert.deepEqual(await scopesOf(src, 'foo'), [ATTR]);
  assert.deepEqual(await scopesOf(src, '.'), ['punctuation.accessor.nix']);
  assert.deepEqual(await scopesOf(src, 'bar'), [ATTR]);
  assert.deepEqual(await scopesOf(src, 'baz'), [ATTR]);
  assert.deepEqual(await scopesOf(src, '='), ['keyword.operator.assignment.nix']);
  // an expression that selects attributes is not a binding
  assert.deepEqual(await scopesOf('x = foo.bar;', 'foo'), ['variable.other.nix']);
  assert.deepEqual(await scopesOf('x = foo.bar;', 'bar'), ['variable.other.member.nix']);
  assert.deepEqual(await scopesOf('foo == bar', 'foo'), ['variable.other.nix']);
  // primes and dashes belong to the name
  assert.deepEqual(await scopesOf("pkgs' = 1; the-answer = 2;", "pkgs'"), [ATTR]);
  assert.deepEqual(await scopesOf("pkgs' = 1; the-answer = 2;", 'the-answer'), [ATTR]);
  // `or` is allowed as an attribute name
  assert.deepEqual(await scopesOf('{ or = 1; }', 'or'), [ATTR]);
});

test('quoted and interpolated attribute names', async () => {
  const src = 'services.nginx.virtualHosts."example.org".root = "/var"; "foo.bar" = 1; ${name}.x = 2;';
  assert.deepEqual(await scopesOf(src, 'virtualHosts'), [ATTR]);
  assert.deepEqual(await scopesOf(src, 'example.org'), [STR, ATTR]);
  assert.deepEqual(await scopesOf(src, '"'), [STR, ATTR, 'punctuation.definition.string.begin.nix']);
  assert.deepEqual(await scopesOf(src, 'root'), [ATTR]);
  assert.deepEqual(await scopesOf(src, '/var'), [STR]);
  assert.deepEqual(await scopesOf(src, 'foo.bar'), [STR, ATTR]);
  assert.deepEqual(await scopesOf(src, '${'), [EMB, 'punctuation.section.embedded.begin.nix']);
  assert.deepEqual(await scopesOf(src, 'name'), [EMB, 'variable.other.nix']);
  assert.deepEqual(await scopesOf(src, 'x'), [ATTR]);
  const src2 = '"${n}-suffix".enable = true;';
  assert.deepEqual(await scopesOf(src2, 'n'), [STR, ATTR, EMB, 'variable.other.nix']);
  assert.deepEqual(await scopesOf(src2, '-suffix'), [STR, ATTR]);
  assert.deepEqual(await scopesOf(src2, 'enable'), [ATTR]);
});

test('function heads: formals, defaults, ellipsis, @-patterns', async () => {
  const src = '{ config, lib, pkgs ? import <nixpkgs> { }, ... }@args:';
  assert.deepEqual(await scopesOf(src, '{'), ['punctuation.definition.attrset.begin.nix']);
  assert.deepEqual(await scopesOf(src, 'config'), [PARAM]);
  assert.deepEqual(await scopesOf(src, ','), ['punctuation.separator.comma.nix']);
  assert.deepEqual(await scopesOf(src, 'lib'), [PARAM]);
  assert.deepEqual(await scopesOf(src, 'pkgs'), [PARAM]);
  assert.deepEqual(await scopesOf(src, '?'), ['keyword.operator.default.nix']);
  assert.deepEqual(await scopesOf(src, 'import'), ['support.function.builtin.nix']);
  assert.deepEqual(await scopesOf(src, '...'), ['keyword.other.ellipsis.nix']);
  assert.deepEqual(await scopesOf(src, '@'), ['punctuation.separator.at.nix']);
  assert.deepEqual(await scopesOf(src, 'args'), [PARAM]);
  assert.deepEqual(await scopesOf(src, ':'), ['punctuation.separator.lambda.nix']);

  const prefix = 'inputs@{ self, nixpkgs }: self';
  assert.deepEqual(await scopesOf(prefix, 'inputs'), [PARAM]);
  assert.deepEqual(await scopesOf(prefix, 'self'), [PARAM]);
  assert.deepEqual(await scopesOf(prefix, 'nixpkgs'), [PARAM]);
  assert.deepEqual(await scopesOf(prefix, 'self', 1), ['variable.other.nix']);
});

test('function heads: one formal per line (nixfmt style)', async () => {
  const src = [
    '{',
    '  config,',
    '  lib,',
    '  b ? 1,',
    '  ...',
    '}:',
    '{',
    '  environment.systemPackages = [',
    '    git',
    '  ];',
    '}',
  ].join('\n');
  assert.deepEqual(await scopesOf(src, 'config'), [PARAM]);
  assert.deepEqual(await scopesOf(src, 'lib'), [PARAM]);
  assert.deepEqual(await scopesOf(src, 'b'), [PARAM]);
  assert.deepEqual(await scopesOf(src, '?'), ['keyword.operator.default.nix']);
  assert.deepEqual(await scopesOf(src, '...'), ['keyword.other.ellipsis.nix']);
  assert.deepEqual(await scopesOf(src, 'environment'), [ATTR]);
  // a lone identifier in a list is not a parameter
  assert.deepEqual(await scopesOf(src, 'git'), ['variable.other.nix']);
});

test('simple lambdas x: and curried x: y:', async () => {
  const src = 'f = x: y: x + y;';
  assert.deepEqual(await scopesOf(src, 'x'), [PARAM]);
  assert.deepEqual(await scopesOf(src, 'y'), [PARAM]);
  assert.deepEqual(await scopesOf(src, ':'), ['punctuation.separator.lambda.nix']);
  assert.deepEqual(await scopesOf(src, 'x', 1), ['variable.other.nix']);
  // without a space `x:y` is a URI literal in Nix
  assert.deepEqual(await scopesOf('f = x:y;', 'x:y'), [
    'string.unquoted.url.nix',
    'markup.underline.link.nix',
  ]);
});

test('a whole NixOS configuration tokenizes and closes every construct', async () => {
  const src = `# Edit this configuration file to define what should be installed on your system.
{ config, lib, pkgs, ... }:

let
  user = "alice";
  /* a block
     comment */
  script = pkgs.writeShellScript "hello" ''
    echo "hi ''\${USER}" > /tmp/''\${user}
    exec \${pkgs.hello}/bin/hello
  '';
in
{
  imports = [ ./hardware-configuration.nix ];

  boot.loader.systemd-boot.enable = true;
  networking.hostName = "nixos"; # Define your hostname.
  users.users.\${user} = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
  };
  environment.systemPackages = with pkgs; [ vim git ];
  nix.settings.experimental-features = [ "nix-command" "flakes" ];
  system.stateVersion = "24.05";
}
`;
  const { tokens, endDepth } = await tokenize(src);
  assert.equal(endDepth, 1);
  const last = tokens.filter((t) => t.text === '}').pop();
  assert.deepEqual(last?.scopes, ['source.nix', 'punctuation.definition.attrset.end.nix']);
  assert.deepEqual(await scopesOf(src, '/bin/hello'), [IND]);
  assert.deepEqual(await scopesOf(src, 'hello', 1), [IND, EMB, 'variable.other.member.nix']);
  assert.deepEqual(await scopesOf(src, 'user', 1), [EMB, 'variable.other.nix']);
  assert.deepEqual(await scopesOf(src, 'stateVersion'), [ATTR]);
  assert.deepEqual(await scopesOf(src, ' Define your hostname.'), ['comment.line.number-sign.nix']);
  assert.deepEqual(await scopesOf(src, '     comment '), ['comment.block.nix']);
});

// ---------------------------------------------------------------------------------------------------------
// language-configuration.json

interface OnEnterRule {
  beforeText: string;
  afterText?: string;
  previousLineText?: string;
  action: { indent: string; appendText?: string; removeText?: number };
}

interface LanguageConfiguration {
  comments: { lineComment: string; blockComment: [string, string] };
  brackets: [string, string][];
  autoClosingPairs: { open: string; close: string; notIn?: string[] }[];
  surroundingPairs: [string, string][];
  wordPattern: string;
  folding: { markers: { start: string; end: string } };
  indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
  onEnterRules: OnEnterRule[];
}

function langConfig(): LanguageConfiguration {
  return JSON.parse(fs.readFileSync(LANG_CONFIG_PATH, 'utf8')) as LanguageConfiguration;
}

/** The action VS Code would take on Enter: the first onEnterRule that matches wins. */
function onEnter(before: string, after = '', previousLine = ''): string | undefined {
  for (const rule of langConfig().onEnterRules) {
    if (!new RegExp(rule.beforeText).test(before)) continue;
    if (rule.afterText !== undefined && !new RegExp(rule.afterText).test(after)) continue;
    if (rule.previousLineText !== undefined && !new RegExp(rule.previousLineText).test(previousLine))
      continue;
    return rule.action.indent;
  }
  return undefined;
}

test('language-configuration.json parses and every regex compiles', () => {
  const cfg = langConfig();
  assert.deepEqual(cfg.comments, { lineComment: '#', blockComment: ['/*', '*/'] });
  assert.deepEqual(cfg.brackets, [
    ['{', '}'],
    ['[', ']'],
    ['(', ')'],
  ]);
  const opens = cfg.autoClosingPairs.map((p) => p.open);
  for (const open of ['{', '[', '(', '"', "''"]) assert.ok(opens.includes(open), open);
  const quote = cfg.autoClosingPairs.find((p) => p.open === '"');
  assert.ok(quote?.notIn?.includes('string'));
  assert.ok(cfg.surroundingPairs.length >= 4);
  const regexes = [
    cfg.wordPattern,
    cfg.folding.markers.start,
    cfg.folding.markers.end,
    cfg.indentationRules.increaseIndentPattern,
    cfg.indentationRules.decreaseIndentPattern,
    ...cfg.onEnterRules.flatMap((r) => [r.beforeText, r.afterText, r.previousLineText]),
  ];
  for (const source of regexes) {
    if (source !== undefined) assert.doesNotThrow(() => new RegExp(source), source);
  }
  for (const rule of cfg.onEnterRules) {
    assert.ok(['none', 'indent', 'indentOutdent', 'outdent'].includes(rule.action.indent));
  }
});

test('wordPattern selects whole Nix identifiers', () => {
  const word = new RegExp(langConfig().wordPattern, 'g');
  assert.deepEqual("lib.mkIf cfg.x-y pkgs' a_b 42 1.5".match(word), [
    'lib',
    'mkIf',
    'cfg',
    'x-y',
    "pkgs'",
    'a_b',
    '42',
    '1.5',
  ]);
});

test('indentationRules: indent after { [ ( let = then else and opening indented string', () => {
  const inc = new RegExp(langConfig().indentationRules.increaseIndentPattern);
  for (const line of [
    '{',
    '  foo = {',
    '  imports = [',
    '  x = f (',
    'let',
    '  let # bindings',
    '  foo =',
    '  foo = # comment',
    '  x = if c then',
    '  else',
    "  text = ''",
    '{ config, ... }: {',
  ]) {
    assert.ok(inc.test(line), `should indent after ${JSON.stringify(line)}`);
  }
  for (const line of [
    '  foo = 1;',
    '  x = a ==',
    '  foo = { };',
    '  inlet',
    '# foo =',
    "  '';",
    '}',
    '  outlet = true;',
  ]) {
    assert.ok(!inc.test(line), `should not indent after ${JSON.stringify(line)}`);
  }
  const dec = new RegExp(langConfig().indentationRules.decreaseIndentPattern);
  for (const line of ['}', '  };', '  ]', ')', 'in', '  in {', '  else', "  '';"]) {
    assert.ok(dec.test(line), `should dedent ${JSON.stringify(line)}`);
  }
  for (const line of ['  inputs = 1;', '  in-tree = 1;', '  elsewhere', "  ''${x}", '  x = }']) {
    assert.ok(!dec.test(line), `should not dedent ${JSON.stringify(line)}`);
  }
});

test('onEnterRules', () => {
  assert.equal(onEnter('  foo ='), 'indent');
  assert.equal(onEnter('  foo = # why'), 'indent');
  assert.equal(onEnter('let'), 'indent');
  assert.equal(onEnter('  x = if c then'), 'indent');
  assert.equal(onEnter('  foo = { # section'), 'indent');
  assert.equal(onEnter("  text = ''", "''"), 'indentOutdent');
  assert.equal(onEnter("  text = ''"), 'indent');
  assert.equal(onEnter('    bar;', '', '  foo ='), 'outdent');
  assert.equal(onEnter('  x = a =='), undefined);
  assert.equal(onEnter('  # a = '), undefined);
  assert.equal(onEnter('  foo = 1;', '', '  bar = 2;'), undefined);
  // plain brackets are left to VS Code's own bracket handling (indent, or indentOutdent before a closer)
  assert.equal(onEnter('  foo = {', '}'), undefined);
});
