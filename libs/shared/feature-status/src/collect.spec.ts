import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppHealth } from '@ledge/shared/model-edge';
import { withUnitRestarts } from './collect';

const up = (pid: number, restarts?: number): AppHealth => ({ status: 'up', pid, version: '1', since: 0, ...(restarts !== undefined ? { restarts } : {}) });

describe('ledge status: restarts from systemd', () => {
  it("takes the app's own unit, or the all-in-one unit hosting it, when its main process is the one reporting", () => {
    const units = { 'ledge-file-upload.service': { restarts: 2, mainPid: 812 }, 'ledge.service': { restarts: 1, mainPid: 900 }, 'ledge-broker.service': { restarts: 5, mainPid: 1 } };
    const apps = {
      'file-upload': up(812),
      connector: up(900), // hosted by ledge.service
      broker: up(700), // not the unit's process (a broker run by hand): no count
      'software-update': up(555, 3), // told by its supervisor: kept
      'container-management': { ...up(1), status: 'down' as const, reason: 'lost' as const },
    };
    const out = withUnitRestarts(apps, units);
    assert.deepEqual(Object.fromEntries(Object.entries(out).map(([a, h]) => [a, h.restarts])), { 'file-upload': 2, connector: 1, broker: undefined, 'software-update': 3, 'container-management': undefined });
  });
});
