// The help text of `nixkit check`, on its own so the dispatcher (cli/main.ts) can print it without loading the
// checker.
export const CHECK_USAGE = `usage: nixkit check PATH... [--format text|json|sarif] [--max-file-size BYTES] [--config FILE | --no-config]
                    [--probe FILE [--probe-for NAME]] [--eval]
  Checks .nix files (folders are walked) and prints the findings. Rule severities come from the nearest
  nixkit.toml or .nixkit.json above the checked paths (up to the repository root), or from --config FILE.
  A probe of the target (\`nixkit probe TARGET --json\`) adds the probe-aware checks: --probe FILE applies it to
  every configuration, or to the one named by --probe-for; .nixkit/hosts/NAME.json beside a flake applies to
  the configuration NAME. --eval asks Nix (when installed) for each flake's nixosConfigurations names and
  reports those nixkit could not follow (offline first, 60 s per flake, flake.lock never written).
  The text output ends with the machines nixkit found and how much of each it read.
  Exit status: 0 no errors, 1 errors found, 2 usage or I/O problem.`;
