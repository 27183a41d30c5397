// Issue 21 on the packaged stack: the Logs feature, driven from the cloud. An `upload` of the broker's
// journal for a window of the last minutes goes to the host's HTTP sink; the archive holds exactly the
// broker's journal lines of that window (compared with journalctl on the gateway), and `tail` answers the
// last lines inline.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { client, close, waitFor } from '../lib/guest-checks';
import { closeCloud, commandEnvelope, commandTopic, connectCloud, DEVICE, hostUrl } from '../lib/cloud';
import type { Scenario } from '../scenarios';

export const logsUpload: Scenario = {
  name: 'logs-upload',
  proves: 'the Logs feature from the cloud: upload of the broker\'s journal for a window of time reaches the host\'s HTTP sink as a tar.gz whose broker.log is exactly journalctl\'s lines of that window on the gateway; tail answers the broker\'s last lines inline',
  timeoutMs: 3 * 60_000,
  skip: ({ apps }) => (apps.some((a) => a.app === 'file-upload') && apps.some((a) => a.app === 'connector') ? false : 'file upload or the connector not packaged'),
  async run({ vm, cloud, log }) {
    const id = randomUUID().slice(0, 8);
    const north = await connectCloud(cloud);
    const dir = mkdtempSync(join(tmpdir(), 'ledge-e2e-logs-'));
    try {
      const responses = new Map<string, { status: number; value: unknown }>();
      let last: { state?: string; message?: string; correlationId?: string } = {};
      north.on('message', (topic, payload) => {
        let env: { path?: string; value?: unknown; status?: number };
        try {
          env = JSON.parse(payload.toString()) as typeof env;
        } catch {
          return;
        }
        const res = /^command\/\/[^/]*\/res\/([^/]+)\/(\d+)$/.exec(topic);
        if (res) responses.set(res[1]!, { status: Number(res[2]), value: env.value });
        else if (env.path === '/features/Logs/properties/lastUpload' && (env.value as { correlationId?: string }).correlationId === `logs-${id}`) last = env.value as typeof last;
      });
      await north.subscribeAsync(['command//+/res/#', 'event/#'], { qos: 1 });
      const send = async (subject: string, value: unknown) => {
        const rid = `e2e-logs-${subject}-${id}`;
        await north.publishAsync(commandTopic(DEVICE, rid, subject), JSON.stringify(commandEnvelope({ thingId: DEVICE, featureId: 'Logs', subject, correlationId: rid, value })), { qos: 1 });
        await waitFor(`the answer to ${subject}`, 60_000, async () => responses.has(rid));
        return responses.get(rid)!;
      };
      // A window of this scenario's own making (ledge.service, whose hosted broker would log too, is off
      // by now): a local client connects and leaves, which the broker logs; the window is closed before
      // the upload, so nothing is added to it while the test compares.
      const guestNow = async () => Number((await vm.sh('date +%s')).stdout.trim());
      const sinceS = await guestNow();
      await close(await client(vm, 'logs-window'));
      const untilS = (await guestNow()) + 1; // the broker's disconnect line included
      await waitFor('the window to close', 10_000, async () => (await guestNow()) > untilS);
      const sink = `/upload/ledge-logs-${id}.tar.gz`;
      const up = await send('upload', { correlationId: `logs-${id}`, since: sinceS, until: untilS, apps: ['broker'], options: { 'https.url': hostUrl(sink), 'https.method': 'PUT' } });
      assert.equal(up.status, 204, JSON.stringify(up.value));
      await waitFor('the logs upload to end', 90_000, async () => last.state === 'SUCCESS' || last.state === 'FAILED');
      assert.equal(last.state, 'SUCCESS', last.message);
      const archive = cloud.uploads.get(sink);
      assert.ok(archive, `nothing at ${sink}`);
      writeFileSync(join(dir, 'a.tar.gz'), archive);
      execFileSync('tar', ['-xzf', join(dir, 'a.tar.gz'), '-C', dir]);
      const got = readFileSync(join(dir, 'logs', 'broker.log'), 'utf8').split('\n').filter(Boolean);
      const want = (await vm.sh(`journalctl -u ledge-broker.service --since @${sinceS} --until @${untilS} -o cat --no-pager`)).stdout.split('\n').filter(Boolean);
      assert.ok(want.length > 0, 'the broker logged in the window');
      assert.deepEqual(got, want, 'exactly the journal\'s lines of the window');
      const tail = await send('tail', { app: 'broker', lines: 3 });
      assert.equal(tail.status, 200);
      const lines = (tail.value as { lines: string[] }).lines;
      assert.equal(lines.length, 3);
      for (const l of lines) assert.equal((JSON.parse(l) as { name?: string }).name, 'broker');
      log(`logs upload of ${want.length} broker lines (${archive.length} bytes) and a tail of 3`);
    } finally {
      await closeCloud(north);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
