/// <reference lib="dom" />
// The dev cloud's web console (apps/dev-cloud/README.md "Console"), bundled for the browser by
// tools/build-app.mjs and served by console-handler.ts. It connects to the Ditto the settings name (this
// dev cloud by default), loads the twins, follows their SSE stream, and mounts one panel per area of the
// page (index.html).
import { createApi, type LogKind } from './api';
import { mountConnection } from './connection';
import { byId, h } from './dom';
import { loadTarget } from './settings';
import { mountContainers, mountInstall } from './software-containers';
import { mountThingsView } from './things-view';
import { createTwins } from './twins';
import { mountUpdateManager } from './update-manager';
import { mountMetrics, mountUploads } from './uploads-metrics';

const MAX_LOG = 300;

/** sessionStorage, or undefined where the browser refuses it (storage disabled): the settings then last until reload. */
function tabStorage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined; // a SecurityError: storage is off for this page
  }
}

function start(): void {
  const logList = byId('log');
  const log = (kind: LogKind, text: string) => {
    logList.append(h('li', { 'data-kind': kind }, `${new Date().toLocaleTimeString()} ${kind}: ${text}`));
    while (logList.childElementCount > MAX_LOG) logList.firstElementChild?.remove();
    logList.scrollTop = logList.scrollHeight;
  };
  const storage = tabStorage();
  const api = createApi(log, { target: loadTarget(storage, location.origin) });
  const twins = createTwins();

  mountThingsView(twins);
  mountInstall(api, twins, log);
  mountContainers(api, twins, log);
  mountUploads(api, twins, log);
  mountMetrics(api, log);
  mountUpdateManager(api, twins, log);
  mountConnection({ api, twins, log, pageOrigin: location.origin, storage });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
