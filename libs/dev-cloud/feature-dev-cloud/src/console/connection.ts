/// <reference lib="dom" />
// The console's connection to Ditto (issue 24, item 3): the settings form in the page header (base URL,
// user, password), applied without reloading (streams reopen at the new Ditto, the twins are read again),
// and the twins' SSE stream with its status: `connected`, or the reason it is not (e.g. `401
// Unauthorized`), also in the log each time it changes.
import type { Api, Log } from './api';
import { byId } from './dom';
import { describeTarget, parseBaseUrl, saveTarget, type DittoTarget } from './settings';
import type { SseState } from './sse-reader';
import type { Twins } from './twins';

export interface ConnectionDeps {
  readonly api: Api;
  readonly twins: Twins;
  readonly log: Log;
  readonly pageOrigin: string;
  /** Where the settings are kept for the tab (sessionStorage); none in a browser that refuses it. */
  readonly storage: Pick<Storage, 'setItem'> | undefined;
}

export function mountConnection(deps: ConnectionDeps): void {
  const { api, twins, log, pageOrigin } = deps;
  const form = byId<HTMLFormElement>('ditto-form');
  const input = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  const streamStatus = byId('stream-status');
  const target = byId('ditto-target');

  const show = (t: DittoTarget) => {
    input('baseUrl').value = t.baseUrl === pageOrigin ? '' : t.baseUrl;
    input('username').value = t.username;
    input('password').value = t.password;
    target.textContent = describeTarget(t, pageOrigin);
  };
  show(api.target);

  // The stream first, then the list: a change between the two is not lost (twins.load applies it again).
  // The stream reconnects by itself; the list is read again each time, for what the gap missed.
  let lastProblem = '';
  let generation = 0; // one per Ditto: a list the previous one sends late is not shown
  const onState = (state: SseState) => {
    if (state.open) {
      lastProblem = '';
      streamStatus.textContent = 'connected';
      streamStatus.dataset['state'] = 'up';
      twins.begin();
      const asked = generation;
      api.things().then(
        (list) => asked === generation && twins.load(list),
        (err: unknown) => log('error', String(err instanceof Error ? err.message : err)),
      );
      return;
    }
    streamStatus.textContent = `reconnecting (${state.reason})`;
    streamStatus.dataset['state'] = 'down';
    if (state.reason !== lastProblem) log('error', `twin stream of ${describeTarget(api.target, pageOrigin)}: ${state.reason}; again in ${(state.retryInMs / 1000).toFixed(1)} s`);
    lastProblem = state.reason;
  };
  api.stream(
    '/api/2/things',
    (fragment) => {
      twins.apply(fragment);
      log('event', `twin ${JSON.stringify(fragment).slice(0, 300)}`);
    },
    onState,
  );

  // method="dialog" in the page: the form never navigates, so the password cannot end up in a URL.
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const base = parseBaseUrl(input('baseUrl').value, pageOrigin);
    if (!base.ok) {
      target.textContent = base.problem;
      log('error', `Ditto settings: ${base.problem}`);
      return;
    }
    const next = { baseUrl: base.baseUrl, username: input('username').value.trim(), password: input('password').value };
    try {
      saveTarget(deps.storage, next);
    } catch (err) {
      log('error', `the settings are not kept for this tab: ${String(err)}`);
    }
    show(next);
    generation++;
    lastProblem = '';
    streamStatus.textContent = 'connecting';
    delete streamStatus.dataset['state'];
    twins.load([]); // what the previous Ditto said no longer holds
    log('command', `Ditto API: ${describeTarget(next, pageOrigin)}`);
    api.configure(next);
  });
}
