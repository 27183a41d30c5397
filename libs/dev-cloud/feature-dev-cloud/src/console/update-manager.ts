/// <reference lib="dom" />
// Desired state (issue 18): the gateway's UpdateManager feature as a Kanto backend drives it. `apply` with
// the desired state typed here (a fresh activityId each time), `refresh` for the current state; the outbox
// `feedback` messages (SSE) show the activity's status, message and each action; the twin's `inventory`
// property lists the components the gateway runs. Owner consent is not answered from here: Ditto's SSE
// carries a message's payload without its correlation-id, which the gateway needs on the answer.
import { GATEWAY, featurePath, type Api, type Log } from './api';
import { byId, h, onSubmit } from './dom';
import { at, type Twins } from './twins';

const FEATURE = 'UpdateManager';
const FINAL = new Set(['COMPLETED', 'INCOMPLETE', 'INCOMPLETE_INCONSISTENT', 'IDENTIFICATION_FAILED', 'SUPERSEDED']);

/** A first desired state to edit: one container from the image the gateway can reach. */
const EXAMPLE = {
  domains: [
    {
      id: 'containers',
      components: [{ id: 'hello', version: '1', config: [{ key: 'image', value: 'docker.io/library/busybox:latest' }, { key: 'cmd', value: 'sleep' }, { key: 'cmd', value: '3600' }] }],
    },
  ],
};

const newActivityId = () => `console-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

export function mountUpdateManager(api: Api, twins: Twins, log: Log): void {
  const form = byId<HTMLFormElement>('um-form');
  const text = byId<HTMLTextAreaElement>('um-desired');
  const status = byId('um-status');
  const actions = byId('um-actions');
  const inventory = byId('um-inventory');
  const fail = (err: unknown) => log('error', String(err));
  if (text.value.trim() === '') text.value = JSON.stringify(EXAMPLE, null, 2);
  let current = '';

  onSubmit(
    form,
    async () => {
      let desiredState: unknown;
      try {
        desiredState = JSON.parse(text.value);
      } catch (err) {
        throw new Error(`the desired state is not JSON: ${(err as Error).message}`);
      }
      current = newActivityId();
      status.textContent = `sent (${current})`;
      delete status.dataset['state'];
      actions.replaceChildren();
      const reply = await api.send(GATEWAY, FEATURE, 'apply', { activityId: current, timestamp: Date.now(), desiredState });
      if (reply.status >= 400) {
        status.textContent = `refused: ${String(at(reply.value, 'description') ?? reply.status)}`;
        status.dataset['state'] = 'IDENTIFICATION_FAILED';
      }
    },
    fail,
  );
  byId('um-refresh').addEventListener('click', () => void api.send(GATEWAY, FEATURE, 'refresh', { activityId: newActivityId(), timestamp: Date.now() }).catch(fail));

  api.stream(`${featurePath(GATEWAY, FEATURE)}/outbox/messages/feedback`, (v) => {
    const activityId = String(at(v, 'activityId') ?? '');
    const fb = at(v, 'desiredStateFeedback');
    const s = String(at(fb, 'status') ?? '');
    log('event', `UpdateManager feedback ${activityId}: ${s} ${String(at(fb, 'message') ?? '')}`);
    if (current !== '' && activityId !== current) return; // another activity's, e.g. from a CLI
    const message = at(fb, 'message');
    status.textContent = `${s}${typeof message === 'string' && message !== '' ? `: ${message}` : ''} (${activityId})`;
    status.dataset['state'] = s;
    if (FINAL.has(s)) status.dataset['final'] = 'true';
    else delete status.dataset['final'];
    const list = at(fb, 'actions');
    if (!Array.isArray(list)) return;
    actions.replaceChildren(
      ...list.map((a: unknown) =>
        h(
          'tr',
          { 'data-testid': 'um-action' },
          h('td', {}, String(at(a, 'component/id') ?? '')),
          h('td', {}, String(at(a, 'component/version') ?? '')),
          h('td', { 'data-state': String(at(a, 'status') ?? '') }, String(at(a, 'status') ?? '')),
          h('td', {}, String(at(a, 'message') ?? '')),
        ),
      ),
    );
  });

  twins.onProperty(GATEWAY, FEATURE, 'properties/inventory', (inv) => {
    const nodes = at(inv, 'softwareNodes');
    if (!Array.isArray(nodes)) return;
    inventory.replaceChildren(...nodes.map((n: unknown) => h('li', { 'data-testid': 'um-node' }, `${String(at(n, 'id') ?? '')} ${String(at(n, 'version') ?? '')}`, at(n, 'type') ? ` (${String(at(n, 'type'))})` : '')));
  });
}
