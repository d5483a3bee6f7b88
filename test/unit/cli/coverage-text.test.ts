// The closing lines of `nixkit check`: a fleet whose machines share why they are partly read says it once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coverageText, type ConfigurationCoverage } from '../../../server/analysis/coverage';

const R = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
const machine = (name: string, status: ConfigurationCoverage['status'], reasons: string[]) =>
  ({ name, file: 'flake.nix', range: R, status, reasons }) satisfies ConfigurationCoverage;
const where = (c: ConfigurationCoverage) => `${c.file}:${c.range.start.line + 1}`;
const SOPS = 'the module `sops.nixosModules.sops` comes from input `sops`, which nixkit does not know';

test('reasons every partly read machine shares are said once; a machine with more says only what it adds', () => {
  const lines = coverageText(
    [
      machine('a', 'partial', [SOPS]),
      machine('b', 'partial', [SOPS, 'a module nixkit cannot work out (hosts/b.nix:3)']),
      machine('c', 'partial', [SOPS]),
      machine('d', 'read', []),
    ],
    10,
    where,
  );
  assert.deepEqual(lines, [
    '4 machines: 1 read, 3 partly read (read: d)',
    `  all 3 partly read: ${SOPS}`,
    '  b (flake.nix:1): also partly read: a module nixkit cannot work out (hosts/b.nix:3)',
    '  for that alone: a, c',
  ]);
});

test('two partly read machines, or reasons that differ, are listed machine by machine', () => {
  const lines = coverageText(
    [machine('a', 'partial', [SOPS]), machine('b', 'partial', [SOPS]), machine('x', 'not-followed', ['why'])],
    3,
    where,
  );
  assert.deepEqual(lines, [
    '3 machines: 2 partly read, 1 not followed',
    `  a (flake.nix:1): partly read: ${SOPS}`,
    `  b (flake.nix:1): partly read: ${SOPS}`,
    '  x (flake.nix:1): not followed: why',
  ]);
});

test('machines of one name in several networks are told apart by where they are written', () => {
  const at = (name: string, file: string) => ({ ...machine(name, 'partial', [SOPS]), file });
  const lines = coverageText(
    [at('darcs', 'deploy/ec2.nix'), at('darcs', 'deploy/vbox.nix'), at('hackage', 'deploy/ec2.nix')],
    5,
    where,
  );
  assert.deepEqual(lines, [
    '3 machines: 3 partly read',
    `  all 3 partly read: ${SOPS}`,
    '  for that alone: darcs (deploy/ec2.nix:1), darcs (deploy/vbox.nix:1), hackage',
  ]);
});
