// SAS token and connection parameters (§2.3), checked against a signature computed independently with
// openssl, and the connection-string parser's errors.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { hasCommand, skipUnlessTools } from '@ledge/shared/util/testing';
import { parseAzureConnectionString } from './connection-string';
import { AzureErrorCodes } from './errors';
import { encodeValues, queryEscape } from './query-escape';
import { azureConnectionParams, buildSasToken, parseSasTokenValidity } from './sas-token';

const KEY_B64 = 'c2VjcmV0LWtleS1mb3ItbGVkZ2UtdGVzdHMtMDEyMzQ1Njc4OQ==';
const CS = `HostName=myhub.azure-devices.net;DeviceId=demo:device;SharedAccessKey=${KEY_B64}`;
const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

/** HMAC-SHA256 by openssl, base64: the independent reference. */
function opensslSig(keyB64: string, text: string): string {
  const hexKey = Buffer.from(keyB64, 'base64').toString('hex');
  return execFileSync('openssl', ['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${hexKey}`, '-binary'], { input: text })
    .toString('base64');
}
const escapeB64 = (s: string) => s.replaceAll('+', '%2B').replaceAll('/', '%2F').replaceAll('=', '%3D');

describe('SAS token', { skip: skipUnlessTools('openssl', !hasCommand('openssl')) }, () => {
  it('matches an openssl-computed signature over "<url-encoded sr>\\n<se>"', () => {
    const sr = 'myhub.azure-devices.net%2Fdevices%2Fdemo%3Adevice';
    const se = String(NOW / 1000 + 3600);
    const expected = `SharedAccessSignature sr=${sr}&sig=${escapeB64(opensslSig(KEY_B64, `${sr}\n${se}`))}&se=${se}`;
    const p = azureConnectionParams({ connectionString: CS, nowMs: NOW });
    assert.equal(p.password, expected);
    assert.equal(buildSasToken({ resourceUri: 'myhub.azure-devices.net/devices/demo:device', key: Buffer.from(KEY_B64, 'base64'), expiresAtSeconds: Number(se) }), expected);
  });

  it('adds skn for policy keys', () => {
    const token = buildSasToken({ resourceUri: 'h/devices/d', key: Buffer.from('k'), expiresAtSeconds: 1, keyName: 'device policy' });
    assert.match(token, /&se=1&skn=device\+policy$/);
  });
});

describe('azureConnectionParams', () => {
  it('derives URL, client ID, username and the renewal time (90 % of the validity)', () => {
    const p = azureConnectionParams({ connectionString: CS, nowMs: NOW, sasTokenValidity: '2h' });
    assert.equal(p.url, 'mqtts://myhub.azure-devices.net:8883');
    assert.equal(p.host, 'myhub.azure-devices.net');
    assert.equal(p.hubName, 'myhub');
    assert.equal(p.clientId, 'demo:device');
    assert.equal(p.username, 'myhub.azure-devices.net/demo:device/api-version=2020-09-30');
    assert.equal(p.expiresAtMs, NOW + 7_200_000);
    assert.equal(p.renewAtMs, NOW + 6_480_000);
    assert.match(p.password ?? '', /&se=1735740000$/);
  });

  it('X.509: no password, but a certificate is required', () => {
    const cs = 'HostName=myhub.azure-devices.net;DeviceId=demo:device';
    const p = azureConnectionParams({ connectionString: cs, nowMs: NOW, hasClientCertificate: true });
    assert.equal(p.password, undefined);
    assert.equal(p.renewAtMs, undefined);
    assert.throws(() => azureConnectionParams({ connectionString: cs, nowMs: NOW }), { code: AzureErrorCodes.MISSING_CREDENTIALS });
  });

  const validity: [string, number | undefined][] = [['1m', 60_000], ['1h', 3_600_000], ['7d', 604_800_000], [' 30m ', 1_800_000], ['0h', undefined], ['1', undefined], ['h', undefined], ['1.5h', undefined], ['-1h', undefined], ['1s', undefined], ['', undefined]];
  for (const [value, ms] of validity) {
    it(`sasTokenValidity "${value}" → ${ms ?? 'error'}`, () => {
      if (ms === undefined) assert.throws(() => parseSasTokenValidity(value), { code: AzureErrorCodes.INVALID_SAS_TOKEN_VALIDITY });
      else assert.equal(parseSasTokenValidity(value), ms);
    });
  }
});

describe('parseAzureConnectionString', () => {
  it('parses keys in any order, with an optional key name', () => {
    const cs = parseAzureConnectionString(`SharedAccessKey=${KEY_B64}; DeviceId=d1 ;HostName=hub.azure-devices.net;SharedAccessKeyName=p;`);
    assert.equal(cs.hostName, 'hub.azure-devices.net');
    assert.equal(cs.deviceId, 'd1');
    assert.equal(cs.sharedAccessKeyName, 'p');
    assert.deepEqual(cs.sharedAccessKey, Buffer.from(KEY_B64, 'base64'));
  });

  const bad: [string, string, RegExp][] = [
    ['empty', '', /HostName is required/],
    ['no host', `DeviceId=d;SharedAccessKey=${KEY_B64}`, /HostName is required/],
    ['no device', `HostName=h.azure-devices.net;SharedAccessKey=${KEY_B64}`, /DeviceId is required/],
    ['bad host', 'HostName=h/x;DeviceId=d', /not a host name/],
    ['wildcard device', 'HostName=h;DeviceId=a+b', /DeviceId/],
    ['key not base64', 'HostName=h;DeviceId=d;SharedAccessKey=%%%', /not base64/],
    ['no "="', 'HostName=h;DeviceId=d;garbage', /<key>=<value>/],
    ['duplicate', 'HostName=h;HostName=i;DeviceId=d', /twice/],
  ];
  for (const [name, input, re] of bad) {
    it(`rejects ${name} with a clear message`, () => {
      assert.throws(() => parseAzureConnectionString(input), (err: Error & { code?: string }) => {
        assert.equal(err.code, AzureErrorCodes.INVALID_CONNECTION_STRING);
        assert.match(err.message, re);
        assert.ok(!err.message.includes(KEY_B64), 'the key is not echoed');
        return true;
      });
    });
  }
});

describe('Go url encoding', () => {
  it('queryEscape as url.QueryEscape', () => {
    assert.equal(queryEscape("a b/c:d+e~f_g-h.i!*'()é$"), 'a+b%2Fc%3Ad%2Be~f_g-h.i%21%2A%27%28%29%C3%A9%24');
    assert.equal(queryEscape('\ud800'), '%EF%BF%BD');
  });
  it('encodeValues as url.Values.Encode: sorted keys', () => {
    assert.equal(encodeValues({ b: '2', a: ['1', 'x y'], '$.c': '/' }), '%24.c=%2F&a=1&a=x+y&b=2');
  });
});
