// Every diagnostic code nixkit reports, as closed types: a misspelt code in a rule, a finding or a lookup does not
// compile. Codes are a contract with users (suppression comments, `nixkit.rules` and `nixkit.toml` severities, the
// CLI's JSON and SARIF, the docs' file names), so they live with the other contracts. The lists are also the runtime
// lists user settings are validated against.
//
// A new rule's code is one line in RULE_CODES (the rule itself then goes into server/rules/index.ts; a unit test
// checks that every code has its rule and every rule its code).

export const RULE_CODES = [
  'bootloader-conflict',
  'bootloader-firmware-mismatch',
  'bootloader-missing',
  'configuration-not-followed',
  'device-not-on-target',
  'esp-missing',
  'esp-mount-mismatch',
  'fs-type-mismatch',
  'grub-device-missing',
  'hardware-config-not-imported',
  'host-platform-conflict',
  'host-platform-corrupted',
  'host-platform-unknown',
  'hostname-invalid',
  'initrd-module-missing',
  'interface-not-on-target',
  'lockout-risk',
  'lookup-path-in-flake',
  'luks-not-in-initrd',
  'module-not-found',
  'network-unreachable-after-install',
  'password-hash-invalid',
  'proxy-credentials-in-store',
  'removed-option',
  'root-filesystem-missing',
  'state-version-invalid',
  'state-version-missing',
  'unstable-device-path',
  'vboxsf-without-nofail',
  'vm-guest-support-missing',
] as const;

export type RuleCode = (typeof RULE_CODES)[number];

/**
 * Codes that are not rules of their own (the syntax layer's and the file reader's), with one-line descriptions for
 * hovers, SARIF and the docs. Their severity is fixed.
 */
export const BUILTIN_CODES = {
  'syntax-error': 'The file is not valid Nix: Nix refuses to parse it.',
  'undefined-variable':
    'A variable is used that no enclosing scope defines: Nix refuses to parse the file. In a file loaded with `scopedImport`, a name its scope gives is no finding, and where nixkit cannot list that scope the finding is information.',
  'duplicate-definition': 'The same attribute is defined twice in one set: Nix refuses to evaluate it.',
  'not-text': 'The file contains binary data and cannot be Nix source.',
  'invalid-utf8':
    'The file is not valid UTF-8. Nix accepts any bytes, so this is information: nixkit checked it with replacement characters.',
  'file-too-large': 'The file is larger than the size nixkit checks.',
  'file-encrypted':
    'The file is encrypted (git-crypt or age, in a clone without the key); nixkit cannot read it and treats what it holds as unknown.',
  'syntax-unsupported':
    'The file uses syntax its repository runs Nix with as an experimental feature (the pipe operators: a flake above it enables them, or its machines list them in experimental-features), and nixkit could not read it even with that feature (Nix 2.24 grammar); its contents are unknown.',
  'parse-limit':
    "The file has a shape nixkit's tree parser cannot read within its time bound; only Nix's syntax verdict was checked.",
  'file-unreadable':
    'A file Nix reads (an import, a module, builtins.readFile) cannot be read: permission denied, an I/O error, not a regular file or a symlink loop.',
  'analysis-failed':
    'nixkit could not analyse the configuration (a bug in nixkit); only syntax errors are shown.',
  'internal-error': "One of nixkit's checks failed (a bug in nixkit); its findings are missing.",
} as const;

export type BuiltinCode = keyof typeof BUILTIN_CODES;

/** Problems with nixkit's own inputs: a file it cannot read, a probe file or a settings file it refuses. */
export type InputCode = 'io-error' | 'probe-invalid' | 'config-invalid';

export type DiagnosticCode = RuleCode | BuiltinCode | InputCode;

export function isRuleCode(code: string): code is RuleCode {
  return (RULE_CODES as readonly string[]).includes(code);
}

export function isBuiltinCode(code: string): code is BuiltinCode {
  return Object.prototype.hasOwnProperty.call(BUILTIN_CODES, code);
}

/** The description of a built-in code; undefined for any other string. */
export function builtinDescription(code: string): string | undefined {
  return isBuiltinCode(code) ? BUILTIN_CODES[code] : undefined;
}
