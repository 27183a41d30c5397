// The devices the development cloud lets in, kept in `<dataDir>/devices.json` (0600: it holds passwords).
// The first start creates one gateway device with a random password, which `ledge run --dev-cloud` hands
// to the connector; a developer adds a Raspberry Pi by adding an entry.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseDeviceCredentials, type DeviceCredential } from '@ledge/dev-cloud/model-dev-cloud';
import { ConfigError, writeFileDurably } from '@ledge/shared/util';

/** The gateway device of a fresh development cloud. */
export const DEV_GATEWAY = Object.freeze({ authId: 'gateway', deviceId: 'dev:gateway' });

/** Reads the devices file, creating it with the gateway device when it does not exist. */
export async function ensureDevices(file: string, tenant: string): Promise<DeviceCredential[]> {
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file });
  }
  if (text === undefined) {
    const devices: DeviceCredential[] = [{ tenant, ...DEV_GATEWAY, password: randomBytes(18).toString('base64url') }];
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    await writeFileDurably(file, `${JSON.stringify(devices, null, 2)}\n`, { mode: 0o600 });
    return devices;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not JSON (${(err as Error).message})`, { file });
  }
  const devices = parseDeviceCredentials(parsed);
  if (typeof devices === 'string') throw new ConfigError(`${file}: ${devices}`, { file });
  return devices;
}
