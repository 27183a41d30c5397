// Kanto's own container-management integration suites (spec §8: ctrFactorySuite, ctrInstanceSuite,
// ctrMetricsSuite) replayed over real processes: the broker and container-management bundles, a private
// containerd + runc and a local registry with busybox images. The test client stands in for the connector
// and for Ditto (§3.1 envelopes on command//<thing>/req/…); what Kanto checks through Ditto HTTP and
// WebSocket is checked here on the local wire: response status and error code, twin modify events, live
// `data` messages. Malformed and wrong-typed requests: container-management-bad-input.int.spec.ts.
// One daemon serves every case; each case removes the containers it made.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@ledge/container-management/data-access-containerd/testing';
import { expectNothingFor, fetchText, hasCommand, skipUnlessTools, waitFor } from '@ledge/shared/util/testing';
import { DITTO_TOPIC_PREFIX, type CmStack } from './testing/cm-stack';
import { assertDittoError, ctr, kantoFixture, skipWithoutContainerd, SLEEPER, taskStatus, UUID_RE } from './testing/kanto-fixture';

// A plain `create` joins the default bridge network; port mappings need portmap (as network.int.spec.ts).
const noCni = skipUnlessTools('needs CNI plugins in /usr/lib/cni, iproute2, iptables', !existsSync('/usr/lib/cni/portmap') || !hasCommand('ip') || !hasCommand('iptables'));

type Data = { timestamp: number; snapshot: { originator: string; measurements: { id: string; value: number }[] }[] };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: no such process
    return false;
  }
}

describe('Kanto §8 container-management suites over real processes', { timeout: 180_000, skip: skipWithoutContainerd }, () => {
  const k = kantoFixture('ledge-kanto', { removeBridge: true });
  let s: CmStack;
  before(() => {
    s = k.s;
  });
  const { owned, sleeper, featureOf, eventsAt } = k;

  describe('ctrFactorySuite', () => {
    it('ContainerFactory and Metrics features carry Kanto\'s definitions on the wire', () => {
      const factory = eventsAt('/features/ContainerFactory')[0]!;
      assert.equal(factory.topic, 'demo/gw:edge:containers/things/twin/commands/modify');
      assert.deepEqual(factory.headers?.['response-required'], false);
      assert.deepEqual(factory.value, { definition: ['com.bosch.iot.suite.edge.containers:ContainerFactory:1.3.0'] });
      assert.deepEqual(eventsAt('/features/Metrics')[0]?.value, { definition: ['com.bosch.iot.suite.edge.metric:Metrics:1.0.0'] });
    });

    it('TestCreate: create {imageRef, start:true} → 200 + ID; Container feature with definition and status; RUNNING', { skip: noCni }, async (t) => {
      const r = await s.call('ContainerFactory', 'create', { imageRef: s.reg.singleRef, start: true });
      assert.equal(r.status, 200, JSON.stringify(r.env));
      // §3.1 response: same topic, outbox path, the request's correlation-id, JSON content type.
      assert.equal(r.env.topic, `${DITTO_TOPIC_PREFIX}/create`);
      assert.equal(r.env.path, '/features/ContainerFactory/outbox/messages/create');
      assert.equal(r.env.status, 200);
      assert.match(String(r.env.headers?.['correlation-id']), /^corr-r\d+$/);
      assert.equal(r.env.headers?.['content-type'], 'application/json');
      const id = owned(t, r.env.value as string);
      assert.match(id, UUID_RE);
      const feature = featureOf(id);
      assert.ok(feature, 'Container feature published');
      assert.deepEqual(feature.definition, ['com.bosch.iot.suite.edge.containers:Container:1.5.0']);
      const status = feature.properties.status;
      assert.equal(status.name, 'busybox');
      assert.equal(status.imageRef, s.reg.singleRef);
      assert.match(status.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      assert.deepEqual(status.config['restartPolicy'], { type: 'UNLESS_STOPPED' });
      assert.equal(status.config['networkMode'], 'BRIDGE');
      assert.equal(status.state.status, 'CREATED');
      await s.waitState(id, 'RUNNING');
      assert.ok(ctr(s, ['containers', 'ls', '-q']).split('\n').includes(id), 'the container exists in containerd');
    });

    it('TestCreateWithConfig: name, cmd, env and restart policy reach the real process and the status', async (t) => {
      const id = await sleeper(t, 'kanto-config', true, { env: ['GREETING=from-kanto'], restartPolicy: { type: 'ON_FAILURE', maxRetryCount: 2, retryTimeout: 30 } });
      assert.match(id, UUID_RE);
      const status = featureOf(id)!.properties.status;
      assert.equal(status.name, 'kanto-config');
      assert.deepEqual(status.config['restartPolicy'], { type: 'ON_FAILURE', maxRetryCount: 2, retryTimeout: 30 });
      assert.equal(status.config['networkMode'], 'HOST');
      const running = await s.waitState(id, 'RUNNING');
      assert.ok(running.pid > 0);
      const environ = spawnSync('cat', [`/proc/${running.pid}/environ`], { encoding: 'utf8' }).stdout.split('\0');
      assert.ok(environ.includes('GREETING=from-kanto'), `env in the container: ${environ.join(' ')}`);
      const cmdline = spawnSync('cat', [`/proc/${running.pid}/cmdline`], { encoding: 'utf8' }).stdout.split('\0');
      assert.deepEqual(cmdline.slice(0, 3), SLEEPER);
    });

    it('TestCreateWithConfigPortMapping: bridge + hostPort → busybox httpd answers on the host port; gone after remove', { skip: noCni }, async (t) => {
      const hostPort = await freePort();
      const id = owned(
        t,
        await s.create({
          imageRef: s.reg.singleRef,
          name: 'kanto-httpd',
          start: true,
          config: { cmd: ['/bin/busybox', 'httpd', '-f', '-p', '80', '-h', '/www'], networkMode: 'BRIDGE', restartPolicy: { type: 'NO' }, portMappings: [{ proto: 'tcp', containerPort: 80, hostPort }] },
        }),
      );
      assert.deepEqual(featureOf(id)!.properties.status.config['portMappings'], [{ proto: 'tcp', containerPort: 80, hostIP: '0.0.0.0', hostPort }]);
      await s.waitState(id, 'RUNNING');
      assert.equal(await waitFor(() => fetchText(`http://127.0.0.1:${hostPort}/`), 10_000, 'httpd through the port mapping'), 'hello from ledge\n');
      assert.equal((await s.call(`Container:${id}`, 'remove', true)).status, 204);
      assert.equal(await fetchText(`http://127.0.0.1:${hostPort}/`), undefined, 'port mapping gone');
      assert.equal(existsSync(`/var/run/netns/ledge-${id}`), false, 'netns deleted');
    });
  });

  describe('ctrInstanceSuite', () => {
    it('start → RUNNING; start of a running container → error', async (t) => {
      const id = await sleeper(t, 'kanto-start', false);
      assert.equal(featureOf(id)!.properties.status.state.status, 'CREATED');
      assert.equal(taskStatus(s, id), undefined, 'no task before start');
      assert.equal((await s.call(`Container:${id}`, 'start', {})).status, 204);
      const running = await s.waitState(id, 'RUNNING');
      assert.ok(alive(running.pid), 'task process alive');
      assert.equal(taskStatus(s, id), 'RUNNING');
      assertDittoError(await s.call(`Container:${id}`, 'start', {}), 500, 'messages:execution.failed', /already running/);
      assert.deepEqual(s.states(id).map((x) => x.status), ['RUNNING'], 'the refused start changed nothing');
    });

    it('stop → STOPPED; stop of a stopped container → error', async (t) => {
      const id = await sleeper(t, 'kanto-stop');
      const running = await s.waitState(id, 'RUNNING');
      assert.equal((await s.call(`Container:${id}`, 'stop', {})).status, 204);
      const stopped = await s.waitState(id, 'STOPPED');
      assert.equal(stopped.exitCode, 0, 'SIGTERM handled by the container');
      assert.equal(alive(running.pid), false, 'task process gone');
      assertDittoError(await s.call(`Container:${id}`, 'stop', {}), 500, 'messages:execution.failed', /not running \(STOPPED\)/);
    });

    it('pause → PAUSED; resume → RUNNING', async (t) => {
      const id = await sleeper(t, 'kanto-pause');
      await s.waitState(id, 'RUNNING');
      assert.equal((await s.call(`Container:${id}`, 'pause', {})).status, 204);
      await s.waitState(id, 'PAUSED');
      assert.equal(taskStatus(s, id), 'PAUSED', 'frozen in containerd');
      assert.equal((await s.call(`Container:${id}`, 'resume', {})).status, 204);
      await waitFor(() => s.states(id).filter((x) => x.status === 'RUNNING').length === 2, 10_000, 'RUNNING after resume');
      assert.equal(taskStatus(s, id), 'RUNNING', 'thawed in containerd');
      assert.deepEqual(s.states(id).map((x) => x.status), ['RUNNING', 'PAUSED', 'RUNNING']);
    });

    it('rename → name event', async (t) => {
      const id = await sleeper(t, 'kanto-rename', false);
      assert.equal((await s.call(`Container:${id}`, 'rename', 'kanto-renamed')).status, 204);
      const ev = await waitFor(() => eventsAt(`/features/Container:${id}/properties/status/name`)[0], 10_000, 'name event');
      assert.equal(ev.topic, 'demo/gw:edge:containers/things/twin/commands/modify');
      assert.equal(ev.value, 'kanto-renamed');
      // The name is taken now: a second container cannot be created with it.
      const dup = await s.call('ContainerFactory', 'createWithConfig', { imageRef: s.reg.singleRef, name: 'kanto-renamed' });
      assertDittoError(dup, 500, 'messages:execution.failed', /named kanto-renamed already exists/);
    });

    it('remove of a stopped container with force=false → 204, feature deleted, gone from containerd', async (t) => {
      const id = await sleeper(t, 'kanto-rm-stopped');
      await s.waitState(id, 'RUNNING');
      assert.equal((await s.call(`Container:${id}`, 'stop', {})).status, 204);
      await s.waitState(id, 'STOPPED');
      assert.equal((await s.call(`Container:${id}`, 'remove', false)).status, 204);
      const del = await waitFor(() => s.events.find((e) => e.path === `/features/Container:${id}` && e.topic.endsWith('/twin/commands/delete')), 10_000, 'feature deleted');
      assert.equal(del.topic, 'demo/gw:edge:containers/things/twin/commands/delete');
      assert.equal(ctr(s, ['containers', 'ls', '-q']).split('\n').includes(id), false);
    });

    it('remove of a running container with force=true → 204, task killed', async (t) => {
      const id = await sleeper(t, 'kanto-rm-force');
      const running = await s.waitState(id, 'RUNNING');
      assert.equal((await s.call(`Container:${id}`, 'remove', true)).status, 204);
      await waitFor(() => !s.liveIds().includes(id), 10_000, 'feature deleted');
      assert.equal(alive(running.pid), false);
      assert.equal(ctr(s, ['containers', 'ls', '-q']).split('\n').includes(id), false);
    });

    it('remove of a running container with force=false → error, container keeps running', async (t) => {
      const id = await sleeper(t, 'kanto-rm-refused');
      const running = await s.waitState(id, 'RUNNING');
      assertDittoError(await s.call(`Container:${id}`, 'remove', false), 500, 'messages:execution.failed', /is running; stop it or remove with force/);
      assert.ok(s.liveIds().includes(id), 'feature not deleted');
      assert.ok(alive(running.pid), 'task still alive');
      assert.equal(taskStatus(s, id), 'RUNNING');
    });

    it('stopWithOptions {signal:SIGINT} → STOPPED by that signal', async (t) => {
      const id = await sleeper(t, 'kanto-sigint');
      await s.waitState(id, 'RUNNING');
      // force:false: if SIGINT were not delivered the stop would time out and answer an error instead.
      const r = await s.call(`Container:${id}`, 'stopWithOptions', { signal: 'SIGINT', timeout: 20, force: false });
      assert.equal(r.status, 204, JSON.stringify(r.env));
      const stopped = await s.waitState(id, 'STOPPED');
      assert.equal(stopped.exitCode, 7, 'the container\'s INT trap ran');
    });

    it('update {restartPolicy:{type:ALWAYS}} → config event, and the policy applies to the next crash', async (t) => {
      const id = await sleeper(t, 'kanto-update');
      const first = await s.waitState(id, 'RUNNING');
      assert.equal((await s.call(`Container:${id}`, 'update', { restartPolicy: { type: 'ALWAYS' } })).status, 204);
      const ev = await waitFor(() => eventsAt(`/features/Container:${id}/properties/status/config`)[0], 10_000, 'config event');
      assert.equal(ev.topic, 'demo/gw:edge:containers/things/twin/commands/modify');
      assert.deepEqual((ev.value as Record<string, unknown>)['restartPolicy'], { type: 'ALWAYS' });
      assert.equal((ev.value as Record<string, unknown>)['networkMode'], 'HOST', 'the rest of the config is kept');
      process.kill(first.pid, 'SIGKILL');
      const again = await waitFor(() => s.states(id).filter((x) => x.status === 'RUNNING')[1], 15_000, 'restarted by ALWAYS');
      assert.notEqual(again.pid, first.pid);
      assert.deepEqual(s.states(id).map((x) => x.status), ['RUNNING', 'EXITED', 'RUNNING']);
    });
  });

  describe('ctrMetricsSuite', () => {
    const data = () => s.events.filter((e) => e.path === '/features/Metrics/outbox/messages/data');
    /** data messages published after index `from` of the event log. */
    const dataSince = (from: number) => s.events.slice(from).filter((e) => e.path === '/features/Metrics/outbox/messages/data').map((e) => e.value as Data);
    const originators = (d: Data) => d.snapshot.map((x) => x.originator).sort();
    let a: string;
    let b: string;

    before(async () => {
      const mk = (name: string) => s.create({ imageRef: s.reg.singleRef, name, start: true, config: { cmd: SLEEPER, restartPolicy: { type: 'NO' }, networkMode: 'HOST' } });
      a = await mk('kanto-metrics-a');
      b = await mk('kanto-metrics-b');
      await s.waitState(a, 'RUNNING');
      await s.waitState(b, 'RUNNING');
    });
    after(async () => {
      await s.call('Metrics', 'request', { frequency: '0s' });
      for (const id of [a, b]) if (id !== undefined && s.liveIds().includes(id)) await s.call(`Container:${id}`, 'remove', true);
    });

    it('Metrics feature definition', () => {
      assert.deepEqual(eventsAt('/features/Metrics').at(-1)?.value, { definition: ['com.bosch.iot.suite.edge.metric:Metrics:1.0.0'] });
    });

    it('request {frequency:1s} for all containers → data live messages from Container:<id> of both', async () => {
      const from = s.events.length;
      const r = await s.call('Metrics', 'request', { frequency: '1s' });
      assert.equal(r.status, 204, JSON.stringify(r.env));
      assert.equal(r.env.path, '/features/Metrics/outbox/messages/request');
      // The second round has CPU utilisation (it needs two samples).
      const d = await waitFor(() => dataSince(from).find((x) => x.snapshot.some((c) => c.measurements.some((m) => m.id === 'cpu.utilization'))), 10_000, 'data with cpu.utilization');
      assert.deepEqual(originators(d), [`Container:${a}`, `Container:${b}`].sort());
      const env = data().at(-1)!;
      assert.equal(env.topic, 'demo/gw:edge:containers/things/live/messages/data');
      assert.ok(Math.abs(d.timestamp - Date.now() / 1000) < 10, `timestamp in Unix seconds: ${d.timestamp}`);
      const m = Object.fromEntries(d.snapshot[0]!.measurements.map((x) => [x.id, x.value]));
      assert.deepEqual(Object.keys(m).sort(), ['cpu.utilization', 'io.readBytes', 'io.writeBytes', 'memory.total', 'memory.used', 'memory.utilization', 'net.readBytes', 'net.writeBytes', 'pids']);
      assert.ok(m['memory.used']! > 0, 'real memory figure');
      assert.ok(m['pids']! >= 2, 'sh and sleep');
    });

    it('request with a filter for the first container → data only from Container:<first>', async () => {
      const r = await s.call('Metrics', 'request', { frequency: '1s', filter: [{ id: ['memory.*', 'pids'], originator: `Container:${a}` }] });
      assert.equal(r.status, 204, JSON.stringify(r.env));
      // No wait for a round of the previous request: a round reads the filter after sampling, so what it
      // hands the bus after the request applied is filtered, and what it handed over before went out ahead
      // of the response (one connection, in order).
      const from = s.events.length;
      const got = await waitFor(() => (dataSince(from).length >= 2 ? dataSince(from) : undefined), 10_000, 'two filtered data messages');
      for (const d of got) {
        assert.deepEqual(originators(d), [`Container:${a}`]);
        assert.deepEqual(d.snapshot[0]!.measurements.map((x) => x.id), ['memory.utilization', 'memory.total', 'memory.used', 'pids']);
      }
    });

    it('request with a filter that matches nothing → no data within 3 s; "0s" stops reporting', async () => {
      const none = { frequency: '1s', filter: [{ id: ['no.such.metric'] }, { id: ['*'], originator: 'Container:no-such-container' }] };
      assert.equal((await s.call('Metrics', 'request', none)).status, 204);
      const from = s.events.length; // everything sent before the request applied came ahead of its response
      // Three rounds at 1 s, each of which would send data if the filter matched anything.
      await expectNothingFor(3000, () => dataSince(from).length > 0 && dataSince(from), 'data for a non-matching filter');
      // Data flows again for a matching request, and "0s" ends it.
      const again = s.events.length;
      assert.equal((await s.call('Metrics', 'request', { frequency: '1s' })).status, 204);
      await waitFor(() => dataSince(again).length > 0, 5_000, 'data after a matching request');
      assert.equal((await s.call('Metrics', 'request', { frequency: '0s' })).status, 204);
      const stopped = s.events.length; // a round in flight at "0s" sends nothing (it finds no request active)
      // Two periods of the 1 s request that "0s" ended.
      await expectNothingFor(2500, () => dataSince(stopped).length > 0 && dataSince(stopped), 'data after "0s"');
    });

    it('invalid frequency → 400 parameter.invalid; invalid action → 404 subject.notfound', async () => {
      assertDittoError(await s.call('Metrics', 'request', { frequency: '10 seconds' }), 400, 'messages:parameter.invalid', /frequency: invalid duration '10 seconds'/);
      assertDittoError(await s.call('Metrics', 'request', { frequency: 2 }), 400, 'messages:parameter.invalid', /frequency: must be a string/);
      assertDittoError(await s.call('Metrics', 'request', {}), 400, 'messages:parameter.invalid', /frequency: is required/);
      assertDittoError(await s.call('Metrics', 'subscribe', { frequency: '1s' }), 404, 'messages:subject.notfound', /operation 'subscribe' is not supported/);
    });
  });

});
