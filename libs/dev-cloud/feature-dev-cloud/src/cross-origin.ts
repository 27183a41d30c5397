// Which web pages of other origins may do what on the dev cloud's HTTP side (issue 24, item 3). By default
// none: only the console's own page writes (crossSiteWrite, against CSRF and DNS rebinding) and browsers
// keep other pages from reading. `corsOrigins` names the origins that may call it as a browser calls a
// real Ditto from another page (Fetch standard, "CORS protocol"): preflights answered, the
// Access-Control-Allow-Origin of each response echoing the allowed origin, and writes let through from
// exactly those origins. No Access-Control-Allow-Credentials, as Ditto's own CorsEnablingDirective: the
// console sends its Authorization header itself, so a browser never lends a page its cached Basic
// credentials or cookies for this server.
import type { IncomingMessage, ServerResponse } from 'node:http';

type RequestHead = Pick<IncomingMessage, 'method' | 'headers'>;

export interface CrossOriginPolicy {
  /** Listening on loopback: the Host must be a loopback name too. */
  readonly loopback: boolean;
  /** http or https: the scheme of this server's own origin. */
  readonly scheme?: string;
  /** Origins whose pages may call this server (config `corsOrigins`). */
  readonly corsOrigins?: ReadonlySet<string>;
}

export const CORS_ALLOW_METHODS = 'GET, POST, PUT';
/** What the console sends beyond the CORS-safelisted headers: its credentials, JSON bodies, Ditto's correlation-id. */
export const CORS_ALLOW_HEADERS = 'authorization, content-type, correlation-id';
const PREFLIGHT_MAX_AGE_S = '600';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why a write is refused, or undefined. A web page on another site must not drive the gateway through the
 * developer's browser (CSRF): a browser names the page's origin on every write, and only the console's own
 * (the origin of the Host asked for) and the configured `corsOrigins` may write. Listening on loopback, the
 * Host must be a loopback name too, so a DNS name rebound to 127.0.0.1 cannot pass as same-origin. Clients
 * without a browser (curl) send no Origin.
 */
export function crossSiteWrite(req: RequestHead, policy: CrossOriginPolicy): string | undefined {
  const origin = req.headers.origin;
  if (req.method === 'GET' || req.method === 'HEAD' || origin === undefined) return undefined;
  const scheme = policy.scheme ?? 'http';
  const host = req.headers.host ?? '';
  if (origin !== `${scheme}://${host}` && !policy.corsOrigins?.has(origin)) return `writes from ${origin} are refused: only pages of ${scheme}://${host}${policy.corsOrigins?.size ? ` and of corsOrigins` : ''} may write`;
  if (policy.loopback && !LOOPBACK_NAMES.has(host.replace(/:\d+$/, ''))) return `writes through the name ${host} are refused: use 127.0.0.1 or localhost`;
  return undefined;
}

/**
 * The CORS headers of any response to this request: Access-Control-Allow-Origin only for an allowed
 * Origin, and `Vary: Origin` whenever some origins are allowed (the answer then depends on it, for caches).
 * Set on every response, errors included, so that a page can read a 401 rather than see a network error.
 */
export function corsHeaders(req: RequestHead, corsOrigins: ReadonlySet<string>): Record<string, string> {
  if (corsOrigins.size === 0) return {};
  const origin = req.headers.origin;
  return origin !== undefined && corsOrigins.has(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
}

export interface OptionsAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Why it was refused (a JSON body), or undefined. */
  readonly refused?: string;
}

/**
 * The answer to an OPTIONS request: a CORS preflight (Origin and Access-Control-Request-Method) from an
 * allowed origin gets 204 with the methods and headers the console uses; from any other origin 403 (the
 * browser then does not send the request). A plain OPTIONS (curl) gets 204 with `Allow`. Never needs
 * credentials: a browser sends none with a preflight.
 */
export function answerOptions(req: RequestHead, corsOrigins: ReadonlySet<string>): OptionsAnswer {
  const origin = req.headers.origin;
  const requested = req.headers['access-control-request-method'];
  if (origin === undefined || requested === undefined) return { status: 204, headers: { allow: 'GET, HEAD, POST, PUT, DELETE, OPTIONS' } };
  if (!corsOrigins.has(origin)) return { status: 403, headers: corsHeaders(req, corsOrigins), refused: `cross-origin requests from ${origin} are refused: add it to the dev cloud's corsOrigins` };
  return {
    status: 204,
    headers: {
      ...corsHeaders(req, corsOrigins),
      'access-control-allow-methods': CORS_ALLOW_METHODS,
      'access-control-allow-headers': CORS_ALLOW_HEADERS,
      'access-control-max-age': PREFLIGHT_MAX_AGE_S,
    },
  };
}

/**
 * The cross-origin steps every request goes through first, in order: the CORS headers (kept by every
 * later writeHead), the answer to OPTIONS, the refusal of a cross-site write. True when it answered.
 */
export function guardCrossOrigin(req: RequestHead, res: Pick<ServerResponse, 'setHeader' | 'writeHead'>, policy: CrossOriginPolicy): boolean {
  const allowed = policy.corsOrigins ?? new Set<string>();
  for (const [name, value] of Object.entries(corsHeaders(req, allowed))) res.setHeader(name, value);
  const problem = (status: number, message: string, headers: Record<string, string> = {}) =>
    res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify({ status, message }));
  if (req.method === 'OPTIONS') {
    const answer = answerOptions(req, allowed);
    if (answer.refused === undefined) res.writeHead(answer.status, answer.headers).end();
    else problem(answer.status, answer.refused, answer.headers);
    return true;
  }
  const refused = crossSiteWrite(req, policy);
  if (refused !== undefined) problem(403, refused);
  return refused !== undefined;
}
