// `ledge diag` (issue 21) as an operator runs it: every app's config merged from files and env, secrets in
// all the places they live (a cloud password, an Azure connection string, broker users, a local password
// file), no broker running. The archive has every app's config and no secret in any file.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bundlePath, createTempDir, extractTarGz } from '@ledge/shared/util/testing';

const SECRETS = {
  cloud: 'cloud-Passw0rd-4711',
  sas: 'c2FzLWtleS1mb3ItdGVzdHMtMzJieXRlcyEhISE=',
  brokerUser: 'alice-Passw0rd-0815',
  localFile: 'file-upload-local-Passw0rd',
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

describe('ledge diag', { timeout: 60_000 }, () => {
  it('writes a tar.gz with versions, status, every app\'s config and the journal, and no secret in it', async (t) => {
    const dir = createTempDir(t, 'ledge-diag-');
    writeFileSync(join(dir, 'connector.json'), JSON.stringify({ password: SECRETS.cloud, connectionString: `HostName=hub.azure-devices.net;DeviceId=demo:device;SharedAccessKey=${SECRETS.sas}` }));
    writeFileSync(join(dir, 'broker.json'), JSON.stringify({ users: [{ username: 'alice', password: SECRETS.brokerUser }] }));
    writeFileSync(join(dir, 'file-upload.password'), `${SECRETS.localFile}\n`);
    writeFileSync(join(dir, 'local-bus.json'), '{}');
    const out = join(dir, 'bundle.tar.gz');
    const env = {
      ...process.env,
      LEDGE_LOCAL_BUS_CONFIG: join(dir, 'local-bus.json'),
      LEDGE_CONNECTOR_CONFIG: join(dir, 'connector.json'),
      LEDGE_BROKER_CONFIG: join(dir, 'broker.json'),
      LEDGE_FILE_UPLOAD_LOCAL_USERNAME: 'ledge-file-upload',
      LEDGE_FILE_UPLOAD_LOCAL_PASSWORD_FILE: join(dir, 'file-upload.password'),
    };
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [bundlePath('ledge'), 'diag', '-o', out, '--address', 'tcp://127.0.0.1:1', '--wait', '0', '--data-dir', dir], { env, timeout: 30_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
      ),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /bundle\.tar\.gz \(\d+ files, \d+ bytes\)/);
    assert.equal(statSync(out).mode & 0o777, 0o600, 'only its owner reads a support bundle');
    const x = extractTarGz(t, readFileSync(out)).dir;
    const files = walk(x).map((f) => f.slice(x.length + 1)).sort();
    for (const app of ['broker', 'connector', 'container-management', 'file-upload', 'software-update']) assert.ok(files.includes(`ledge-diag/config/${app}.json`), `${app}: ${files.join(', ')}`);
    for (const f of ['versions.json', 'status.json', 'journal.log']) assert.ok(files.includes(`ledge-diag/${f}`), f);
    for (const f of walk(x)) {
      const text = readFileSync(f, 'utf8');
      for (const [what, secret] of Object.entries(SECRETS)) assert.ok(!text.includes(secret), `the ${what} secret in ${f}`);
    }
    const connector = JSON.parse(readFileSync(join(x, 'ledge-diag/config/connector.json'), 'utf8')) as { configFile: string; config: Record<string, unknown> };
    assert.equal(connector.configFile, join(dir, 'connector.json'));
    assert.equal(connector.config['password'], '[redacted]');
    const status = JSON.parse(readFileSync(join(x, 'ledge-diag/status.json'), 'utf8')) as { bus: { reachable: boolean } };
    assert.equal(status.bus.reachable, false, 'the status as ledge status sees it (no broker here)');
  });
});
