// The `ledge` binary as users run it: the whole stack in one process, a clean Ctrl-C, bad config → exit 2.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { bundlePath, createTempDir, spawnNode } from '@ledge/util/testing';

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

  it('exits 2 on an unknown app or command', async (t) => {
    const a = spawnNode(t, bundlePath('ledge'), { args: ['run', '--apps', 'nope'] });
    assert.equal(await a.exited, 2);
    assert.match(a.stderr.join(''), /unknown app/);
    const b = spawnNode(t, bundlePath('ledge'), { args: ['frobnicate'] });
    assert.equal(await b.exited, 2);
  });
});
