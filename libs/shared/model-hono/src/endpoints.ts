// Hono MQTT endpoint names (§1.1, §11): accept short and long forms, emit long forms.

export const HonoEndpoints = Object.freeze({ event: 'event', telemetry: 'telemetry', command: 'command' } as const);
export type HonoEndpoint = (typeof HonoEndpoints)[keyof typeof HonoEndpoints];

export const HonoShortEndpoints = Object.freeze({ event: 'e', telemetry: 't', command: 'c' } as const);

export const HonoCommandDirections = Object.freeze({ request: 'req', response: 'res' } as const);
export const HonoShortCommandDirections = Object.freeze({ request: 'q', response: 's' } as const);
export type HonoCommandDirection = 'request' | 'response';

const ENDPOINTS: Readonly<Record<string, HonoEndpoint>> = Object.freeze({
  e: 'event',
  event: 'event',
  t: 'telemetry',
  telemetry: 'telemetry',
  c: 'command',
  command: 'command',
});

const DIRECTIONS: Readonly<Record<string, HonoCommandDirection>> = Object.freeze({
  q: 'request',
  req: 'request',
  s: 'response',
  res: 'response',
});

/** `e`/`event`, `t`/`telemetry`, `c`/`command` → the long name; anything else → undefined. */
export function normaliseEndpoint(level: string | undefined): HonoEndpoint | undefined {
  return level !== undefined && Object.hasOwn(ENDPOINTS, level) ? ENDPOINTS[level] : undefined;
}

/** `q`/`req` → request, `s`/`res` → response; anything else → undefined. */
export function normaliseCommandDirection(level: string | undefined): HonoCommandDirection | undefined {
  return level !== undefined && Object.hasOwn(DIRECTIONS, level) ? DIRECTIONS[level] : undefined;
}
