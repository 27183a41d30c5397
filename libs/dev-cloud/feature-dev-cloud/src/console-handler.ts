// The dev cloud's web console (apps/dev-cloud/README.md "Console"): `GET /` is its page, `/console/*` its
// script and style sheet. Everything it shows it reads from Ditto's API and its SSE streams (this dev
// cloud's, or a real Ditto's the user names), the artifact store and the upload sink, so the handler only
// serves three strings from the bundle.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ConsoleAssets {
  readonly page: string;
  readonly style: string;
  readonly script: string;
}

export interface ConsoleHandlerOptions {
  /** Where the assets come from; by default the bundle's own text modules (absent under tsx). */
  readonly load?: () => Promise<ConsoleAssets>;
}

export interface ConsoleHandler {
  /** True when it answered the request. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
}

const loadFromBundle = async (): Promise<ConsoleAssets> => (await import('./console-assets')).consoleAssets;

const routes: Record<string, { key: keyof ConsoleAssets; type: string }> = {
  '/': { key: 'page', type: 'text/html; charset=utf-8' },
  '/console/console.css': { key: 'style', type: 'text/css; charset=utf-8' },
  '/console/console.js': { key: 'script', type: 'text/javascript; charset=utf-8' },
};

// No inline script or style runs, and nothing is loaded from elsewhere. Only fetch may reach another
// origin: the Ditto API the user points the console at (a real Ditto, issue 24 item 3).
const securityHeaders = {
  'content-security-policy': "default-src 'self'; connect-src 'self' http: https:; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

export function createConsoleHandler(options: ConsoleHandlerOptions = {}): ConsoleHandler {
  const load = options.load ?? loadFromBundle;
  let assets: Promise<ConsoleAssets> | undefined;
  return {
    async handle(req, res, path) {
      const route = routes[path];
      if (!route || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
      assets ??= load();
      let body: string;
      try {
        body = (await assets)[route.key];
      } catch (err) {
        assets = undefined;
        const message = 'the console is built into the bundle: run dist/apps/dev-cloud/main.js or dist/apps/ledge/main.js (npm run build)';
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 503, message, cause: String(err) }));
        return true;
      }
      res.writeHead(200, { 'content-type': route.type, 'content-length': Buffer.byteLength(body), ...securityHeaders });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
  };
}
