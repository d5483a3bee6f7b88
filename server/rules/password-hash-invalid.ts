import type { Definition } from '../model/modules';
import type { Rule, RuleFix } from '../rule-api/rule';
import { compareReleases, nixpkgsRelease, type NixpkgsRelease } from '../data/releases';

const B64 = '[./A-Za-z0-9]';

/** crypt(3) formats NixOS's libxcrypt verifies (it is built with the strong hashes only), with their shapes. */
const SUPPORTED: { name: string; prefix: RegExp; shape: RegExp }[] = [
  {
    name: 'yescrypt',
    prefix: /^\$(y|gy|sm3y)\$/,
    shape: new RegExp(`^\\$(?:y|gy|sm3y)\\$${B64}+\\$${B64}+\\$${B64}{43}$`),
  },
  { name: 'scrypt', prefix: /^\$7\$/, shape: new RegExp(`^\\$7\\$${B64}{11}${B64}+\\$${B64}{43}$`) },
  {
    name: 'bcrypt',
    prefix: /^\$2[aby]\$/,
    shape: new RegExp(`^\\$2[aby]\\$(0[4-9]|[12]\\d|3[01])\\$${B64}{53}$`),
  },
  {
    name: 'SHA-512 crypt',
    prefix: /^\$6\$/,
    shape: new RegExp(`^\\$6\\$(?:rounds=\\d+\\$)?[^$:\\n]{1,16}\\$${B64}{86}$`),
  },
];

/** Formats crypt(3) knows elsewhere that NixOS's libxcrypt no longer verifies: the user cannot log in. */
const UNSUPPORTED: { name: string; prefix: RegExp }[] = [
  { name: 'SHA-256 crypt ($5$)', prefix: /^\$5\$/ },
  { name: 'MD5 crypt ($1$)', prefix: /^\$1\$/ },
  { name: 'SHA-1 crypt ($sha1$)', prefix: /^\$sha1\$/ },
  { name: 'Sun MD5 crypt ($md5)', prefix: /^\$md5[$,]/ },
  { name: 'NT hash ($3$)', prefix: /^\$3\$/ },
  { name: 'bcrypt ($2x$)', prefix: /^\$2x\$/ },
];

export type HashVerdict =
  | { ok: true }
  | { ok: false; why: string; plaintext?: boolean; colon?: boolean; weak?: boolean };

/** Whether a `hashedPassword` value is something a NixOS login can check. */
export function checkPasswordHash(h: string): HashVerdict {
  // Locked accounts (`!`, `*`, `!$6$…`) and "no password" (`""`) are deliberate.
  if (h === '' || h.startsWith('!') || h.startsWith('*')) return { ok: true };
  if (/[:\n]/.test(h))
    return { ok: false, why: 'contains a ":" or a line break, which /etc/shadow cannot hold', colon: true };
  if (!h.startsWith('$'))
    return {
      ok: false,
      why: 'is not a password hash; it looks like a plain password',
      plaintext: true,
    };
  for (const s of SUPPORTED) {
    if (!s.prefix.test(h)) continue;
    if (s.shape.test(h)) return { ok: true };
    return {
      ok: false,
      why: `starts like a ${s.name} hash but is not shaped like one (cut short, or edited?)`,
    };
  }
  for (const u of UNSUPPORTED)
    if (u.prefix.test(h))
      return {
        ok: false,
        why: `is a ${u.name} hash, which NixOS's libxcrypt no longer verifies: the user cannot log in with it`,
        weak: true,
      };
  return { ok: false, why: 'is not a crypt(3) hash NixOS knows' };
}

const HASH_OPTIONS = ['hashedPassword', 'initialHashedPassword'];

export const passwordHashInvalid: Rule = {
  code: 'password-hash-invalid',
  severity: 'error',
  title: 'A hashed password that is not a password hash NixOS can check',
  explanation:
    '`hashedPassword` and `initialHashedPassword` go into /etc/shadow as they are written, and the login compares ' +
    'what you type against them with crypt(3). A value that is not a hash (often the plain password itself, put in ' +
    'the wrong option), a hash cut short when pasting, or a format NixOS no longer supports (MD5 `$1$`, SHA-256 ' +
    "`$5$`: NixOS's libxcrypt verifies only yescrypt, scrypt, bcrypt and SHA-512) never matches, and the user " +
    'cannot log in after the install. Make a hash with `mkpasswd` (yescrypt by default); `"!"` locks an account on ' +
    'purpose and `""` means no password. Text that is no hash at all is a warning, as NixOS makes it: an install ' +
    'script may put the hash in its place.',
  bad: {
    files: {
      'configuration.nix': `{ ... }:
{
  users.users.alice = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
    # a yescrypt hash cut short when pasting
    hashedPassword = "$y$j9T$F5Jx5fExrKuJp1k8qoz0X.$pdytyw03jKhz5rTErqBRDGpNO6gzt4E";
  };
  system.stateVersion = "24.11";
}
`,
    },
    expect: ['configuration.nix:7'],
  },
  good: {
    files: {
      'configuration.nix': `{ ... }:
{
  users.users.alice = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
    hashedPassword = "$y$j9T$F5Jx5fExrKuJp1k8qoz0X.$pdytyw03jKhz5rTErqBRDGpNO6gzt4Ezt6Dscxadns2";
  };
  system.stateVersion = "24.11";
}
`,
    },
  },
  checkConfiguration(ctx) {
    let release: { known: NixpkgsRelease | undefined } | undefined;
    for (const users of [
      ['users', 'users'],
      ['users', 'extraUsers'],
    ]) {
      for (const def of ctx.config.defsUnder(users)) {
        if (def.path.length !== 4 || !HASH_OPTIONS.includes(def.path[3])) continue;
        if (def.value.t !== 'str' || ctx.config.applies(def, ctx.force) !== true) continue;
        const at = def.value.src ?? def.valueAt;
        if (!at) continue;
        const verdict = checkPasswordHash(def.value.v);
        if (verdict.ok) continue;
        const option = `users.users.${def.path[2]}.${def.path[3]}`;
        if (verdict.weak) {
          // Before NixOS 23.05 crypt(3) was glibc's, which still verified these formats.
          const weakFrom = '23.05';
          release ??= { known: nixpkgsRelease(ctx.config, ctx.unit.evaluator) };
          const r = release.known;
          const before = r && (r.exact ? r.release : r.atMost);
          if (before && compareReleases(before, weakFrom) < 0) continue;
          const sure = r && compareReleases(r.release, weakFrom) >= 0;
          if (!sure) {
            ctx.report({
              at,
              severity: 'warning',
              message: `${option} ${verdict.why.replace("NixOS's libxcrypt no longer verifies", `NixOS ${weakFrom} and later no longer verify`)} (nixkit cannot tell this configuration's release)`,
            });
            continue;
          }
        }
        ctx.report({
          at,
          // Text that is no hash at all is as often a placeholder an install script replaces (`sed` on
          // "ROOT_HASH") as a password in the wrong option; NixOS itself only warns about it ("may be invalid").
          ...(verdict.plaintext ? { severity: 'warning' as const } : {}),
          message: `${option} ${verdict.why}`,
          fixes: verdict.plaintext ? plaintextFix(def) : [],
        });
      }
    }
  },
};

/** A plain password in hashedPassword: make it an initialPassword (to be changed after the first login). */
function plaintextFix(def: Definition): RuleFix[] {
  const key = def.pathAt[3];
  if (!key) return [];
  return [
    {
      title: 'Use it as initialPassword (readable in the Nix store: change it after the first login)',
      edits: [{ at: key, newText: 'initialPassword' }],
    },
  ];
}
