/// <reference lib="dom" />
// Which Ditto the console drives (issue 24, item 3): the dev cloud that serves the page (the default), or a
// real Eclipse Ditto at another base URL with its HTTP Basic credentials. Kept in sessionStorage for the
// tab's life; the password never goes to localStorage or into a URL. The artifact store and the upload
// sink are not Ditto's: they stay on the page's own origin whatever the Ditto.

export interface DittoTarget {
  /** Scheme, host, port and any path prefix before `/api/2`, without a trailing slash. */
  readonly baseUrl: string;
  /** '' = send no Authorization (the dev cloud without auth, or credentials the browser asked for itself). */
  readonly username: string;
  readonly password: string;
}

export const SETTINGS_KEY = 'ledge-console.ditto';

export type BaseUrlResult = { readonly ok: true; readonly baseUrl: string } | { readonly ok: false; readonly problem: string };

/** The base URL typed in the form → the one to use; '' is the page's own origin. Pure. */
export function parseBaseUrl(text: string, pageOrigin: string): BaseUrlResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, baseUrl: pageOrigin };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, problem: `not a URL: ${trimmed} (e.g. http://localhost:8080)` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, problem: `not http or https: ${trimmed}` };
  if (url.username !== '' || url.password !== '') return { ok: false, problem: 'put the user and the password in their fields, not in the URL' };
  if (url.search !== '' || url.hash !== '') return { ok: false, problem: 'the base URL takes no ?query or #fragment' };
  // Ditto's docs name the API root `…/api/2`: accept that too.
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/2$/, '');
  return { ok: true, baseUrl: `${url.origin}${path}` };
}

/** `Authorization: Basic …` of RFC 7617 (user-id and password as UTF-8), or undefined without a user. Pure. */
export function basicAuthorization(target: Pick<DittoTarget, 'username' | 'password'>): string | undefined {
  if (target.username === '') return undefined;
  const bytes = new TextEncoder().encode(`${target.username}:${target.password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

/** The target kept for this tab, or the page's own origin without credentials. */
export function loadTarget(storage: Pick<Storage, 'getItem'> | undefined, pageOrigin: string): DittoTarget {
  const fallback = { baseUrl: pageOrigin, username: '', password: '' };
  let saved: unknown;
  try {
    saved = JSON.parse(storage?.getItem(SETTINGS_KEY) ?? 'null');
  } catch {
    return fallback; // not ours, or damaged: start afresh
  }
  if (typeof saved !== 'object' || saved === null) return fallback;
  const { baseUrl, username, password } = saved as Record<string, unknown>;
  const base = typeof baseUrl === 'string' ? parseBaseUrl(baseUrl, pageOrigin) : undefined;
  if (!base?.ok) return fallback;
  return { baseUrl: base.baseUrl, username: typeof username === 'string' ? username : '', password: typeof password === 'string' ? password : '' };
}

export function saveTarget(storage: Pick<Storage, 'setItem'> | undefined, target: DittoTarget): void {
  storage?.setItem(SETTINGS_KEY, JSON.stringify(target));
}

/** How the page names the target: `this dev cloud` or its URL, and the user. Pure. */
export function describeTarget(target: DittoTarget, pageOrigin: string): string {
  const where = target.baseUrl === pageOrigin ? 'this dev cloud' : target.baseUrl;
  return target.username === '' ? where : `${where} as ${target.username}`;
}
