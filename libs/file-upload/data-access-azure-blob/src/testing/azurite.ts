// Azurite (the Azure Storage emulator, devDependency) on a free port for integration tests, with an
// account SAS signed by the emulator's well-known key and a fresh container. Stopped by the test.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { request } from 'undici';
import { createTempDir, repoRoot, spawnProcess, waitFor } from '@ledge/shared/util/testing';

const ACCOUNT = 'devstoreaccount1';
// Azurite's well-known development key (public, documented by Microsoft).
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Account SAS (sv=2019-12-12 string-to-sign) for blob service, all resource types, rwdlac. */
function accountSas(): string {
  const sv = '2019-12-12';
  const se = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const toSign = [ACCOUNT, 'rwdlac', 'b', 'sco', '', se, '', 'http,https', sv, ''].join('\n');
  const sig = createHmac('sha256', Buffer.from(KEY, 'base64')).update(toSign, 'utf8').digest('base64');
  return new URLSearchParams({ sv, ss: 'b', srt: 'sco', sp: 'rwdlac', se, spr: 'http,https', sig }).toString();
}

/** Retries on another port when Azurite dies at start (a free port can be taken before Azurite binds it). */
export async function startAzurite(t: TestContext, attempts = 3): ReturnType<typeof startOnce> {
  try {
    return await startOnce(t);
  } catch (err) {
    if (attempts <= 1 || !String((err as Error).message).includes('azurite exited')) throw err;
    return startAzurite(t, attempts - 1);
  }
}

async function startOnce(t: TestContext) {
  const port = await freePort();
  const dir = createTempDir(t, 'ledge-azurite-');
  let exited = false;
  const proc = spawnProcess(t, join(repoRoot, 'node_modules', '.bin', 'azurite-blob'), { args: ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', dir, '--skipApiVersionCheck', '--loose', '--silent'] });
  void proc.exited.then(() => (exited = true));
  const endpoint = `http://127.0.0.1:${port}/${ACCOUNT}`;
  const sas = accountSas();
  const container = `c${randomBytes(4).toString('hex')}`;
  // Ready = the container can be created. Every request has a deadline: if another process won the race
  // for the port, we must fail instead of waiting on a server that never answers HTTP.
  await waitFor(async () => {
    if (exited) throw new Error('azurite exited (port taken?)');
    try {
      const res = await request(`${endpoint}/${container}?restype=container&${sas}`, { method: 'PUT', headers: { 'x-ms-version': '2021-08-06' }, signal: AbortSignal.timeout(2000) });
      await res.body.text();
      return res.statusCode === 201;
    } catch {
      return false;
    }
  }, 20_000, 'azurite');
  const read = async (name: string): Promise<Buffer | undefined> => {
    const r = await request(`${endpoint}/${container}/${encodeURIComponent(name)}?${sas}`, { headers: { 'x-ms-version': '2021-08-06' }, signal: AbortSignal.timeout(10_000) });
    const b = Buffer.from(await r.body.arrayBuffer());
    return r.statusCode === 200 ? b : undefined;
  };
  // the blob name is the file's base name (Kanto): the contract's key becomes the source path
  return { endpoint, sas, container, read, options: () => ({ 'storage.provider': 'azure', 'azure.storage.endpoint': endpoint, 'azure.shared.access.signature': sas, 'azure.blob.container': container }) };
}

