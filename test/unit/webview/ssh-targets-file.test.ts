// `.nixkit/targets.json` parsing (extension/ssh-targets-file.ts): targets validated, secrets refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTargetsFile } from '../../../extension/ssh-targets-file';

describe('.nixkit/targets.json', () => {
  it('reads strings and objects, and skips invalid targets with a reason', () => {
    const { targets, problems } = parseTargetsFile(
      JSON.stringify({
        targets: [
          'root@192.0.2.1',
          { target: 'admin@rescue:2222', name: 'rescue', identityFile: '~/.ssh/id_rescue' },
          { target: '-oProxyCommand=touch /tmp/x' },
          { name: 'no target' },
          7,
        ],
      }),
    );
    assert.deepEqual(
      targets.map((t) => [t.target, t.name, t.identityFile]),
      [
        ['root@192.0.2.1', undefined, undefined],
        ['admin@rescue:2222', 'rescue', '~/.ssh/id_rescue'],
      ],
    );
    assert.equal(problems.length, 3);
    assert.match(problems[0], /targets\[2\]/);
  });

  it('refuses secrets in the file and says where they belong', () => {
    const { targets, problems } = parseTargetsFile(
      JSON.stringify({ targets: [{ target: 'root@host', password: 'hunter2', passphrase: 'x' }] }),
    );
    assert.equal(targets.length, 1);
    assert.deepEqual(Object.keys(targets[0]).sort(), ['identityFile', 'name', 'source', 'target']);
    assert.ok(!JSON.stringify(targets).includes('hunter2'));
    assert.match(problems[0], /password, passphrase ignored.*secret storage/);
  });

  it('reports broken JSON and a wrong shape', () => {
    assert.match(parseTargetsFile('{').problems[0], /not valid JSON/);
    assert.match(parseTargetsFile('[]').problems[0], /expected/);
  });
});
