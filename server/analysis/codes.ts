// One-line descriptions of the finding codes that are not rules of their own (the syntax layer's and the
// file reader's). Rules describe themselves in server/rules; SARIF output and docs read both.
export const BUILTIN_CODES: Record<string, string> = {
  'syntax-error': 'The file is not valid Nix: Nix refuses to parse it.',
  'undefined-variable': 'A variable is used that no enclosing scope defines: Nix refuses to parse the file.',
  'duplicate-definition': 'The same attribute is defined twice in one set: Nix refuses to evaluate it.',
  'not-text': 'The file contains binary data and cannot be Nix source.',
  'invalid-utf8': 'The file is not valid UTF-8; it was checked with replacement characters.',
  'file-too-large': 'The file is larger than the size nixkit checks.',
  'file-unreadable':
    'A file Nix reads (an import, a module, builtins.readFile) cannot be read: permission denied, an I/O error, not a regular file or a symlink loop.',
  'analysis-failed':
    'nixkit could not analyse the configuration (a bug in nixkit); only syntax errors are shown.',
  'internal-error': "One of nixkit's checks failed (a bug in nixkit); its findings are missing.",
};
