/// <reference lib="dom" />
// The cloud connection: whether the gateway is online (its twin is here and its connector says `up` in the
// `Health` feature), each app's health, and every thing with its features (definition and properties).
import { GATEWAY } from './api';
import { byId, h } from './dom';
import { at, type Thing, type Twins } from './twins';

export type GatewayState = 'waiting' | 'online' | 'offline';

export function gatewayState(gateway: Thing | undefined): GatewayState {
  if (!gateway) return 'waiting';
  const health = gateway.features?.['Health']?.properties;
  if (!health) return 'online'; // the twin is here, so the connector got it here
  return at(health, 'connector/status') === 'down' ? 'offline' : 'online';
}

const label: Record<GatewayState, string> = { waiting: 'waiting for the gateway…', online: 'online', offline: 'offline (its connector is down)' };

export function mountThingsView(twins: Twins): void {
  const status = byId('gateway-status');
  const healthList = byId('health');
  const thingsDiv = byId('things');
  const open = new Set<string>(); // <details> the user opened, kept across renders

  const renderHealth = (gateway: Thing | undefined) => {
    const apps = Object.entries(gateway?.features?.['Health']?.properties ?? {}).sort(([a], [b]) => a.localeCompare(b));
    if (apps.length === 0) return healthList.replaceChildren(h('li', {}, 'none reported yet'));
    healthList.replaceChildren(
      ...apps.map(([app, v]) => {
        const st = String(at(v, 'status') ?? 'unknown');
        const reason = at(v, 'reason');
        return h('li', { 'data-testid': `health-${app}` }, `${app}: `, h('strong', { 'data-state': st }, st), reason ? ` (${String(reason)})` : '');
      }),
    );
  };

  const renderThings = () => {
    const things = twins.all();
    if (things.length === 0) return thingsDiv.replaceChildren(h('p', {}, 'no things yet'));
    thingsDiv.replaceChildren(
      ...things.map((t) =>
        h(
          'div',
          { 'data-testid': `thing-${t.thingId}` },
          h('h4', {}, t.thingId),
          h(
            'ul',
            { 'aria-label': `Features of ${t.thingId}` },
            ...Object.entries(t.features ?? {})
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([id, f]) => {
                const key = `${t.thingId}/${id}`;
                const details = h(
                  'details',
                  { open: open.has(key), ontoggle: () => (details.open ? open.add(key) : open.delete(key)) },
                  h('summary', { 'data-testid': 'feature' }, id, f.definition?.[0] ? h('small', {}, `  ${f.definition[0]}`) : ''),
                  h('pre', {}, JSON.stringify(f.properties ?? {}, null, 2)),
                );
                return h('li', {}, details);
              }),
          ),
        ),
      ),
    );
  };

  let pending = false;
  twins.onChange(() => {
    if (pending) return;
    pending = true; // many fragments in one burst: one render
    setTimeout(() => {
      pending = false;
      const gateway = twins.get(GATEWAY);
      const st = gatewayState(gateway);
      status.textContent = label[st];
      status.dataset['state'] = st;
      renderHealth(gateway);
      renderThings();
    }, 30);
  });
}
