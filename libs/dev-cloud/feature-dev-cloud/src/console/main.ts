/// <reference lib="dom" />
// The dev cloud's web console (apps/dev-cloud/README.md "Console"), bundled for the browser by
// tools/build-app.mjs and served by console-handler.ts. It loads the twins, follows their SSE stream, and
// mounts one panel per area of the page (index.html).
import { createApi, streamJson, type LogKind } from './api';
import { byId, h } from './dom';
import { mountContainers, mountInstall } from './software-containers';
import { mountThingsView } from './things-view';
import { createTwins } from './twins';
import { mountUpdateManager } from './update-manager';
import { mountMetrics, mountUploads } from './uploads-metrics';

const MAX_LOG = 300;

function start(): void {
  const logList = byId('log');
  const log = (kind: LogKind, text: string) => {
    logList.append(h('li', { 'data-kind': kind }, `${new Date().toLocaleTimeString()} ${kind}: ${text}`));
    while (logList.childElementCount > MAX_LOG) logList.firstElementChild?.remove();
    logList.scrollTop = logList.scrollHeight;
  };
  const api = createApi(log);
  const twins = createTwins();
  const streamStatus = byId('stream-status');

  mountThingsView(twins);
  mountInstall(api, twins, log);
  mountContainers(api, twins, log);
  mountUploads(api, twins, log);
  mountMetrics(api, log);
  mountUpdateManager(api, twins, log);

  // The stream first, then the list: a change between the two is not lost (twins.load applies it again).
  // EventSource reconnects by itself; the list is read again each time, for what the gap missed.
  streamJson(
    '/api/2/things',
    (fragment) => {
      twins.apply(fragment);
      log('event', `twin ${JSON.stringify(fragment).slice(0, 300)}`);
    },
    (open) => {
      streamStatus.textContent = open ? 'connected' : 'reconnecting';
      streamStatus.dataset['state'] = open ? 'up' : 'down';
      if (open) {
        twins.begin();
        api.things().then((list) => twins.load(list), (err: unknown) => log('error', String(err)));
      }
    },
  );
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
