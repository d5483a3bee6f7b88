// One-line descriptions of the finding codes that are not rules of their own (the syntax layer's and the
// file reader's). Rules describe themselves in server/rules; SARIF output and docs read both.
export const BUILTIN_CODES: Record<string, string> = {
  'syntax-error': 'The file is not valid Nix: Nix refuses to parse it.',
  'undefined-variable': 'A variable is used that no enclosing scope defines: Nix refuses to parse the file.',
  'duplicate-definition': 'The same attribute is defined twice in one set: Nix refuses to evaluate it.',
  'not-text': 'The file contains binary data and cannot be Nix source.',
  'invalid-utf8': 'The file is not valid UTF-8; it was checked with replacement characters.',
  'file-too-large': 'The file is larger than the size nixkit checks.',
  'parse-limit':
    "The file has a shape nixkit's tree parser cannot read within its time bound; only Nix's syntax verdict was checked.",
};
