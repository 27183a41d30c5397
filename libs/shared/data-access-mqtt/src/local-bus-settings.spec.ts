import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, type LocalBusSettings } from '@ledge/shared/util';
import { localBusClientOptions, toClientUrl } from './local-bus-settings';
import { resolveLocalBusOptions } from './options';

const base: LocalBusSettings = { localAddress: 'tcp://127.0.0.1:1883', localUsername: '', localPassword: '', localPasswordFile: '', localCACert: '', localCert: '', localKey: '' };
const io = (files: Record<string, string>) => ({
  readFile: (p: string) => {
    if (p in files) return Buffer.from(files[p]!);
    throw Object.assign(new Error('nope'), { code: 'EACCES' });
  },
});

describe('localBusClientOptions', () => {
  it("maps Kanto's schemes onto the client's; every mapped URL is one the client accepts", () => {
    const table: [string, string][] = [
      ['tcp://127.0.0.1:1883', 'mqtt://127.0.0.1:1883'],
      ['mqtt://h:1', 'mqtt://h:1'],
      ['ssl://h:8883', 'mqtts://h:8883'],
      ['tls://h:8883', 'mqtts://h:8883'],
      ['tcps://h:8883', 'mqtts://h:8883'],
      ['mqtt+ssl://h:8883', 'mqtts://h:8883'],
      ['mqtts://h:8883', 'mqtts://h:8883'],
      ['ws://h:8080/mqtt', 'ws://h:8080/mqtt'],
      ['wss://h:8443', 'wss://h:8443'],
      ['mqtt+unix:///run/mqtt.sock', 'mqtt+unix:///run/mqtt.sock'],
    ];
    for (const [address, url] of table) {
      assert.equal(toClientUrl(address), url);
      assert.equal(resolveLocalBusOptions(localBusClientOptions({ ...base, localAddress: address }, io({}))).url, url);
    }
  });

  it('reads the CA, client certificate and key; credentials only with a user name', () => {
    const o = localBusClientOptions({ ...base, localAddress: 'tcps://h:8883', localCACert: '/ca', localCert: '/c', localKey: '/k', localUsername: 'u', localPassword: 'p' }, io({ '/ca': 'CA', '/c': 'CERT', '/k': 'KEY' }));
    assert.deepEqual({ ...o, ca: String(o.ca), cert: String(o.cert), key: String(o.key) }, { url: 'mqtts://h:8883', username: 'u', password: 'p', ca: 'CA', cert: 'CERT', key: 'KEY' });
    assert.deepEqual(localBusClientOptions({ ...base, localPassword: 'stray' }, io({})), { url: 'mqtt://127.0.0.1:1883' });
    assert.equal(localBusClientOptions({ ...base, localUsername: 'ledge-connector', localPasswordFile: '/pw' }, io({ '/pw': 's3cret\nignored' })).password, 's3cret', 'first line of localPasswordFile');
  });

  it('a bad value is a config error naming the key', () => {
    const cases: [Partial<LocalBusSettings>, RegExp][] = [
      [{ localCACert: '/missing' }, /config key 'localCACert': cannot read \/missing \(EACCES\)/],
      [{ localCert: '/c' }, /'localCert' and 'localKey': set both/],
      [{ localKey: '/k' }, /'localCert' and 'localKey': set both/],
      [{ localAddress: 'http://h:1' }, /config key 'localAddress'.*unsupported scheme/],
      [{ localPasswordFile: '/nope' }, /config key 'localPasswordFile': cannot read \/nope/],
      [{ localPassword: 'p', localPasswordFile: '/pw' }, /'localPassword' and 'localPasswordFile': set one/],
    ];
    for (const [change, message] of cases) {
      assert.throws(() => localBusClientOptions({ ...base, ...change }, io({ '/c': 'C' })), (e: unknown) => e instanceof ConfigError && message.test(e.message), JSON.stringify(change));
    }
  });
});
