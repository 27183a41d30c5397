// The `ledge` binary as users run it: the whole stack in one process, a clean Ctrl-C, bad config → exit 2.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { bundlePath, createTempDir, spawnNode } from '@ledge/shared/util/testing';

describe('ledge run (all-in-one)', () => {
  it('hosts the stack in one process, serves MQTT and stops cleanly on SIGINT', async (t) => {
    const dir = createTempDir(t);
    const ledge = spawnNode(t, bundlePath('ledge'), {
      args: ['run', '--dev', '--dev-dir', dir],
      env: { LEDGE_BROKER_PORT: '0' },
    });
    const listening = await ledge.waitForLog((l) => l['msg'] === 'listening' && l['protocol'] === 'tcp');
    await ledge.waitForLog((l) => l['msg'] === 'app started' && l['app'] === 'broker');
    assert.equal(listening['app'], 'broker', 'hosted apps log with an app field');

    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${String(listening['port'])}`, { reconnectPeriod: 0 });
    await client.subscribeAsync('hello/#', { qos: 1 });
    const got = new Promise<string>((res) => client.once('message', (_t, p) => res(p.toString())));
    await client.publishAsync('hello/world', 'hi', { qos: 1 });
    assert.equal(await got, 'hi');
    await client.endAsync();

    assert.equal(await ledge.kill('SIGINT'), 0);
    assert.ok(ledge.logs.some((l) => l['msg'] === 'stopped'));
  });

  it('runs each app as its own process with --processes', async (t) => {
    const dir = createTempDir(t);
    const ledge = spawnNode(t, bundlePath('ledge'), {
      args: ['run', '--processes', '--dev', '--dev-dir', dir],
      env: { LEDGE_BROKER_PORT: '0' },
    });
    const listening = await ledge.waitForLog((l) => l['msg'] === 'listening' && l['name'] === 'broker');
    assert.notEqual(listening['pid'], ledge.child.pid, 'the broker runs in a child process');
    assert.equal(await ledge.kill('SIGTERM'), 0);
  });

  it('exits 2 with a message naming the key on bad config', async (t) => {
    const ledge = spawnNode(t, bundlePath('ledge'), { args: ['run', '--dev', '--dev-dir', createTempDir(t)], env: { LEDGE_BROKER_PORT: 'abc' } });
    assert.equal(await ledge.exited, 2);
    assert.match(ledge.stderr.join(''), /'port'.*LEDGE_BROKER_PORT.*expected a number/);
  });

  it('takes --apps comma-separated, as ledge.service passes it', async (t) => {
    const ledge = spawnNode(t, bundlePath('ledge'), { args: ['run', '--apps', 'broker,connector', '--dev', '--dev-dir', createTempDir(t)], env: { LEDGE_BROKER_PORT: '0' } });
    await ledge.waitForLog((l) => l['msg'] === 'app started' && l['app'] === 'connector');
    assert.ok(!ledge.logs.some((l) => l['msg'] === 'app started' && l['app'] === 'file-upload'), 'only the listed apps');
    assert.equal(await ledge.kill('SIGINT'), 0);
  });

  it('exits 2 on an unknown app or command', async (t) => {
    const a = spawnNode(t, bundlePath('ledge'), { args: ['run', '--apps', 'nope'] });
    assert.equal(await a.exited, 2);
    assert.match(a.stderr.join(''), /unknown app/);
    const b = spawnNode(t, bundlePath('ledge'), { args: ['frobnicate'] });
    assert.equal(await b.exited, 2);
  });

  it('survives garbage on every Ledge topic and keeps serving', async (t) => {
    const dir = createTempDir(t);
    const ledge = spawnNode(t, bundlePath('ledge'), { args: ['run', '--dev', '--dev-dir', dir], env: { LEDGE_BROKER_PORT: '0' } });
    const listening = await ledge.waitForLog((l) => l['msg'] === 'listening' && l['protocol'] === 'tcp');
    await ledge.waitForLog((l) => l['msg'] === 'starting ledge');
    const url = `mqtt://127.0.0.1:${String(listening['port'])}`;
    const c = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    const topics = [
      'edge/thing/request',
      'edge/thing/response',
      'edge/connection/remote/status',
      'e',
      'event',
      't/tenant/dev:ice',
      'e//no-namespace',
      'command//demo:dev/res/1/200',
      'command///res//abc',
      'c//demo:dev/s/x/999',
      'command///req/1/op',
    ];
    const garbage = [
      Buffer.from('not json'),
      Buffer.from('{"topic": 5}'),
      Buffer.from('{"deviceId": {"__proto__": {"x": 1}}}'),
      Buffer.from('['.repeat(10_000)),
      Buffer.from([0xff, 0xfe, 0x00, 0x01]),
      Buffer.alloc(0),
      Buffer.alloc(512 * 1024, 0x7b), // 512 KiB of '{'
      Buffer.from(JSON.stringify({ topic: 'a/b/things/live/messages/x', headers: { 'correlation-id': 'c'.repeat(100_000) }, path: '/features/x' })),
    ];
    for (const topic of topics) for (const g of garbage) await c.publishAsync(topic, g, { qos: 1 });
    await c.publishAsync('edge/connection/remote/status', Buffer.from('garbage'), { qos: 1, retain: true });
    // still serving: a fresh round trip through the broker, and no app logged a crash
    await c.subscribeAsync('still/alive', { qos: 1 });
    const got = new Promise<string>((res) => c.once('message', (_t, p) => res(p.toString())));
    await c.publishAsync('still/alive', 'yes', { qos: 1 });
    assert.equal(await got, 'yes');
    await c.endAsync();
    assert.ok(!ledge.logs.some((l) => l['level'] === 'fatal'), JSON.stringify(ledge.logs.filter((l) => l['level'] === 'fatal')));
    assert.equal(ledge.child.exitCode, null, 'the stack is still running');
    assert.equal(await ledge.kill('SIGTERM'), 0);
  });
});

describe('ledge bundle', () => {
  it('evaluates undici only on the first HTTP request, never at start-up (an idle stack saves ~3 MB RSS)', async () => {
    const { readFile } = await import('node:fs/promises');
    const code = await readFile(bundlePath('ledge'), 'latin1');
    const calls = [...code.matchAll(/require_undici\(\)/g)].map((m) => code.slice(Math.max(0, m.index - 80), m.index + 20));
    assert.ok(calls.length >= 5, 'downloads, the three upload providers and the registry client each load undici');
    for (const call of calls) assert.match(call, /lazy\(\(\)\s*=>\s*Promise\.resolve\(\)\.then\(\(\)\s*=>\s*__toESM\(require_undici\(\)/, call);
  });

  it('bundles Node\'s own streams and a silent debug() in place of readable-stream and debug (tools/shims)', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const app of ['ledge', 'broker', 'connector']) {
      const { sources } = JSON.parse(await readFile(`${bundlePath(app)}.map`, 'utf8')) as { sources: string[] };
      const replaced = sources.filter((s) => /node_modules\/(debug|readable-stream|ms)\//.test(s));
      assert.deepEqual(replaced, [], `${app}: ${replaced.join(', ')}`);
      for (const shim of ['tools/shims/debug.cjs', 'tools/shims/readable-stream.cjs']) {
        assert.ok(sources.some((s) => s.endsWith(shim)), `${app} bundles ${shim}`);
      }
    }
  });
});
