/// <reference lib="dom" />
// Software update and containers. Install: the chosen or dropped file goes to the artifact store, then the
// gateway's SoftwareUpdatable gets `install` with the store's URL, size and SHA-256; the operation's progress
// is the twin's `status/lastOperation`, live. Containers: ContainerFactory `createWithConfig` on the
// containers thing, each `Container:<id>` feature's start/stop/remove, and its logs through the gateway's
// Logs feature (`tail` with `{container}`).
import { CONTAINERS, GATEWAY, correlationId, type Api, type Log } from './api';
import { byId, fields, h, onSubmit, splitCommand } from './dom';
import { at, type Twins } from './twins';

const archive = /\.(zip|tar|tar\.gz|tgz)$/i;

export function mountInstall(api: Api, twins: Twins, log: Log): void {
  const form = byId<HTMLFormElement>('install-form');
  const input = byId<HTMLInputElement>('install-file');
  const drop = byId('drop-zone');
  const status = byId('install-status');

  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer?.files.length) {
      input.files = e.dataTransfer.files;
      drop.textContent = `Chosen: ${e.dataTransfer.files[0]!.name}`;
    }
  });

  onSubmit(
    form,
    async () => {
      const file = input.files?.[0];
      if (!file) throw new Error('choose a file to install');
      const f = fields(form);
      const stored = await api.putArtifact(file);
      const type = f['type'] === 'auto' ? (archive.test(file.name) ? 'archive' : 'plain') : f['type'];
      // Kanto runs a plain module's install.sh: a lone shell script is that script, whatever its name here.
      const filename = type === 'plain' && file.name.endsWith('.sh') ? 'install.sh' : stored.name;
      const id = correlationId('install');
      status.textContent = `sent (${id})`;
      delete status.dataset['state'];
      await api.send(GATEWAY, 'SoftwareUpdatable', 'install', {
        correlationId: id,
        softwareModules: [
          {
            softwareModule: { name: f['name'], version: f['version'] },
            metaData: { 'artifact-type': type },
            artifacts: [{ filename, size: stored.size, download: { HTTP: { url: stored.url } }, checksums: { SHA256: stored.sha256 } }],
          },
        ],
      });
    },
    (err) => log('error', String(err)),
  );

  twins.onProperty(GATEWAY, 'SoftwareUpdatable', 'properties/status/lastOperation', (op) => {
    const st = String(at(op, 'status') ?? '');
    const progress = at(op, 'progress');
    const message = at(op, 'message');
    status.textContent = [st, progress !== undefined ? `${String(progress)} %` : '', message ? `— ${String(message)}` : '', `(${String(at(op, 'correlationId') ?? '')})`].filter(Boolean).join(' ');
    status.dataset['state'] = st;
    log('event', `SoftwareUpdatable lastOperation: ${JSON.stringify(op)}`);
  });
}

interface ContainerStatus {
  name?: string;
  imageRef?: string;
  state?: { status?: string; exitCode?: number; error?: string };
}

export function mountContainers(api: Api, twins: Twins, log: Log): void {
  const form = byId<HTMLFormElement>('create-form');
  const tbody = byId('containers');
  const logs = byId('container-logs');
  const logsOf = byId('logs-of');
  const fail = (err: unknown) => log('error', String(err));

  onSubmit(
    form,
    async () => {
      const f = fields(form);
      const cmd = splitCommand(f['cmd'] ?? '');
      const start = (form.elements.namedItem('start') as HTMLInputElement).checked;
      await api.send(CONTAINERS, 'ContainerFactory', 'createWithConfig', { imageRef: f['imageRef'], ...(f['name'] ? { name: f['name'] } : {}), start, ...(cmd.length ? { config: { cmd } } : {}) }, 60);
    },
    fail,
  );

  const tail = async (name: string) => {
    logsOf.textContent = `of ${name}`;
    const r = await api.send(GATEWAY, 'Logs', 'tail', { container: name, lines: 100 }, 15);
    const lines = at(r.value, 'lines');
    if (r.status !== 200 || !Array.isArray(lines)) {
      logs.textContent = `${r.status}: ${JSON.stringify(r.value)}`;
      return;
    }
    // json-file lines: {"log","stream","time"}; show the text
    logs.textContent = lines.map((l: unknown) => {
      try {
        const o = typeof l === 'string' ? (JSON.parse(l) as unknown) : l;
        return typeof at(o, 'log') === 'string' ? String(at(o, 'log')).replace(/\n$/, '') : String(l);
      } catch {
        return String(l); // a plain line
      }
    }).join('\n');
  };

  let last = '';
  twins.onChange(() => {
    const features = Object.entries(twins.get(CONTAINERS)?.features ?? {}).filter(([id]) => id.startsWith('Container:'));
    const text = JSON.stringify(features.map(([id, f]) => [id, f.properties?.['status']]));
    if (text === last) return;
    last = text;
    tbody.replaceChildren(
      ...features.map(([id, f]) => {
        const s = (f.properties?.['status'] ?? {}) as ContainerStatus;
        const name = s.name ?? id.slice('Container:'.length);
        const state = s.state?.status ?? 'UNKNOWN';
        const op = (subject: string, value: unknown, text: string) =>
          h('button', { type: 'button', 'aria-label': `${text} ${name}`, onclick: () => void api.send(CONTAINERS, id, subject, value, 60).catch(fail) }, text);
        return h(
          'tr',
          { 'data-testid': `container-${name}` },
          h('td', {}, name),
          h('td', {}, s.imageRef ?? ''),
          h('td', { 'data-testid': 'container-state', 'data-state': state }, state, s.state?.error ? ` (${s.state.error})` : ''),
          h('td', {}, op('start', {}, 'Start'), ' ', op('stop', {}, 'Stop'), ' ', op('remove', true, 'Remove'), ' ', h('button', { type: 'button', 'aria-label': `Logs of ${name}`, onclick: () => void tail(name).catch(fail) }, 'Logs')),
        );
      }),
    );
  });
}
