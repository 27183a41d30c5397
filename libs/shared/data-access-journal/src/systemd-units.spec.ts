import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseUnitShow, readLedgeUnits } from './systemd-units';

describe("systemd's view of the Ledge units", () => {
  it('parses systemctl show blocks; other units and garbage are left out', () => {
    const text = [
      'NRestarts=2\nMainPID=812\nId=ledge-file-upload.service',
      'Id=ledge.service\nNRestarts=0\nMainPID=0',
      'Id=sshd.service\nNRestarts=1\nMainPID=99',
      'Id=ledge-broker.service\nNRestarts=x\nMainPID=1',
      'garbage',
      '',
    ].join('\n\n');
    assert.deepEqual(parseUnitShow(text), { 'ledge-file-upload.service': { restarts: 2, mainPid: 812 }, 'ledge.service': { restarts: 0, mainPid: 0 } });
    assert.deepEqual(parseUnitShow(''), {});
  });

  it('rejects with why when there is no systemctl', async () => {
    await assert.rejects(readLedgeUnits('/nonexistent/systemctl'), /ENOENT|nonexistent/);
  });
});
