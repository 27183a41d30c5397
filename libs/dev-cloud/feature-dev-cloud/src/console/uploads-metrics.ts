/// <reference lib="dom" />
// File upload and metrics. AutoUploadable: `trigger` → one outbox `request` per file (from the outbox SSE
// stream) → this page answers each with `start` and an `https.url` into the upload sink, as a backend
// would; the sink's list links each file. Metrics: `request` with a frequency; the outbox `data` messages
// feed a hand-drawn SVG line of the gateway's cpu.utilization.
import { GATEWAY, correlationId, featurePath, type Api, type Log } from './api';
import { byId, fields, h, onSubmit } from './dom';
import { at, type Twins } from './twins';

const formatSize = (n: number) => (n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`);

export function mountUploads(api: Api, twins: Twins, log: Log): void {
  const form = byId<HTMLFormElement>('upload-form');
  const status = byId('upload-status');
  const sink = byId('sink');
  const fail = (err: unknown) => log('error', String(err));

  const refresh = async () => {
    const files = await api.listUploads();
    if (files.length === 0) return sink.replaceChildren(h('li', {}, 'empty'));
    sink.replaceChildren(...files.map((f) => h('li', { 'data-testid': 'sink-file' }, h('a', { href: `/uploads/${f.name.split('/').map(encodeURIComponent).join('/')}`, download: f.name.split('/').pop() }, f.name), ` ${formatSize(f.size)}`)));
  };
  byId('sink-refresh').addEventListener('click', () => void refresh().catch(fail));
  void refresh().catch(fail);

  onSubmit(
    form,
    async () => {
      const glob = fields(form)['files'];
      await api.send(GATEWAY, 'AutoUploadable', 'trigger', { correlationId: correlationId('upload'), options: glob ? { 'upload.files': glob } : {} });
    },
    fail,
  );

  // Every request the gateway offers is answered, as the cloud's backend does: the file goes to the sink
  // under its base name, in a folder per request.
  api.stream(`${featurePath(GATEWAY, 'AutoUploadable')}/outbox/messages/request`, (v) => {
    const id = at(v, 'correlationId');
    const path = at(v, 'options/file.path');
    if (typeof id !== 'string' || typeof path !== 'string') return;
    log('event', `AutoUploadable request ${id}: ${path}`);
    const name = `${id.replace(/[^\w.-]+/g, '_')}/${path.split('/').pop() ?? 'file'}`;
    const url = `${location.origin}/uploads/${name.split('/').map(encodeURIComponent).join('/')}`;
    void api.send(GATEWAY, 'AutoUploadable', 'start', { correlationId: id, options: { 'storage.provider': 'generic', 'https.url': url, 'https.method': 'PUT' } }).catch(fail);
  });

  twins.onProperty(GATEWAY, 'AutoUploadable', 'properties/lastUpload', (up) => {
    const state = String(at(up, 'state') ?? '');
    const progress = at(up, 'progress');
    status.textContent = `${state}${progress !== undefined ? ` ${String(progress)} %` : ''} (${String(at(up, 'correlationId') ?? '')})`;
    status.dataset['state'] = state;
    log('event', `AutoUploadable lastUpload: ${JSON.stringify(up)}`);
    if (state === 'SUCCESS') void refresh().catch(fail);
  });
}

export function mountMetrics(api: Api, log: Log): void {
  const form = byId<HTMLFormElement>('metrics-form');
  const value = byId('cpu-value');
  const chart = byId('cpu-chart') as unknown as SVGSVGElement;
  const points: number[] = [];
  const MAX = 60; // points kept

  onSubmit(form, async () => void (await api.send(GATEWAY, 'Metrics', 'request', { frequency: fields(form)['frequency'] })), (err) => log('error', String(err)));

  const draw = () => {
    const ns = 'http://www.w3.org/2000/svg';
    const top = Math.max(10, Math.ceil((Math.max(...points) * 1.2) / 10) * 10); // the y axis grows with the values
    const line = document.createElementNS(ns, 'polyline');
    const span = Math.max(points.length - 1, 1); // the line spans the width from its second point on
    line.setAttribute('points', points.map((p, i) => `${(i * 300) / span},${100 - (p / top) * 100}`).join(' '));
    const scale = document.createElementNS(ns, 'text');
    scale.setAttribute('x', '2');
    scale.setAttribute('y', '10');
    scale.setAttribute('font-size', '9');
    scale.setAttribute('fill', 'currentColor');
    scale.textContent = `${top.toFixed(0)} %`;
    chart.replaceChildren(scale, line);
  };

  api.stream(`${featurePath(GATEWAY, 'Metrics')}/outbox/messages/data`, (v) => {
    const snapshot = at(v, 'snapshot');
    if (!Array.isArray(snapshot)) return;
    const system = snapshot.find((s: unknown) => at(s, 'originator') === 'SYSTEM') as unknown;
    const measurements = at(system, 'measurements');
    const cpu = Array.isArray(measurements) ? (measurements.find((m: unknown) => at(m, 'id') === 'cpu.utilization') as unknown) : undefined;
    const n = Number(at(cpu, 'value'));
    if (!Number.isFinite(n)) return;
    points.push(n);
    if (points.length > MAX) points.shift();
    value.textContent = `${n.toFixed(1)} %`;
    value.dataset['samples'] = String(points.length);
    log('event', `Metrics data: cpu.utilization ${n.toFixed(1)} %`);
    draw();
  });
}
