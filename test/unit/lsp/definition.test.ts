import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { definition } from '../../../server/lsp/features/definition';
import { tempDir } from '../../helpers';
import { memoryWorkspace } from './setup';

test('definition: a path in imports goes to the file', async () => {
  const ws = await memoryWorkspace({
    'configuration.nix': '{ ... }:\n{\n  imports = [ ./hardware-configuration.nix ];\n}\n',
    'hardware-configuration.nix': '{ }\n',
  });
  const locs = definition(ws.state, {
    textDocument: { uri: ws.uri('configuration.nix') },
    position: ws.at('configuration.nix', './hardware', 4),
  });
  assert.deepEqual(locs, [
    {
      uri: ws.uri('hardware-configuration.nix'),
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    },
  ]);
  // Not on a path, or a path to nothing: no answer.
  assert.equal(
    definition(ws.state, {
      textDocument: { uri: ws.uri('configuration.nix') },
      position: { line: 2, character: 3 },
    }),
    null,
  );
});

test('definition: ./dir means ./dir/default.nix; ./. + "/x.nix" is followed; missing files give nothing', async () => {
  // Directories are on disk: use a real folder for them.
  const dir = tempDir('definition');
  fs.mkdirSync(path.join(dir, 'hosts/demo'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'hosts/demo/default.nix'), '{ }\n');
  fs.writeFileSync(path.join(dir, 'common.nix'), '{ }\n');
  const flake =
    '{\n  outputs = { nixpkgs, ... }: {\n    nixosConfigurations.demo = nixpkgs.lib.nixosSystem {\n      modules = [ ./hosts/demo (./. + "/common.nix") ./missing.nix ];\n    };\n  };\n}\n';
  fs.writeFileSync(path.join(dir, 'flake.nix'), flake);
  const ws = await memoryWorkspace({});
  const uri = pathToFileURL(path.join(dir, 'flake.nix')).toString();
  const at = (needle: string, delta: number) => {
    const i = flake.indexOf(needle) + delta;
    const before = flake.slice(0, i).split('\n');
    return { line: before.length - 1, character: before[before.length - 1].length };
  };
  const go = (needle: string, delta: number) =>
    definition(ws.state, { textDocument: { uri }, position: at(needle, delta) });
  assert.equal(
    go('./hosts/demo', 3)?.[0].uri,
    pathToFileURL(path.join(dir, 'hosts/demo/default.nix')).toString(),
  );
  assert.equal(go('"/common.nix"', 3)?.[0].uri, pathToFileURL(path.join(dir, 'common.nix')).toString());
  assert.equal(go('./missing.nix', 3), null);
  fs.rmSync(dir, { recursive: true, force: true });
});
