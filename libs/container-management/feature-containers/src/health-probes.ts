// One health probe (issue 18): exec through the runtime, or an HTTP GET / TCP connect from the host to the
// container's address (runtime.address: its bridge IP, 127.0.0.1 with host networking). A probe never
// throws: every failure is a result with the reason as output, which is what the record and the twin show.
import { request } from 'node:http';
import { connect } from 'node:net';
import { EXEC_OUTPUT_LIMIT, type ContainerRuntime, type HealthCheck } from '@ledge/container-management/model-containers';

export interface ProbeResult {
  ok: boolean;
  /** Exec: the command's output; HTTP: the status line; TCP: what happened; else why it failed. */
  output: string;
}

/** The network side of probes; a fake in unit tests (the memory runtime has no addresses to dial). */
export interface NetworkProbes {
  /** GET `url`; ok on a 2xx or 3xx answer (redirects are not followed). */
  http(url: string, timeoutMs: number): Promise<ProbeResult>;
  /** ok once a connection to host:port is accepted. */
  tcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult>;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A result is settled once; a timer ends what is still open. */
function settleOnce(timeoutMs: number, what: string, run: (done: (r: ProbeResult) => void) => () => void): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    let cleanup = () => undefined as void;
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cleanup();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, output: `${what} timed out after ${timeoutMs} ms` }), timeoutMs);
    cleanup = run(done);
  });
}

export const defaultNetworkProbes: NetworkProbes = Object.freeze({
  http(url: string, timeoutMs: number): Promise<ProbeResult> {
    return settleOnce(timeoutMs, `GET ${url}`, (done) => {
      // No keep-alive agent: a probe must not hold a socket to the container between intervals.
      const req = request(url, { method: 'GET', agent: false, headers: { 'user-agent': 'ledge-health-check', connection: 'close' } }, (res) => {
        const code = res.statusCode ?? 0;
        res.resume();
        done({ ok: code >= 200 && code < 400, output: `HTTP ${code} ${res.statusMessage ?? ''}`.trimEnd() });
      });
      req.on('error', (err) => done({ ok: false, output: `GET ${url}: ${messageOf(err)}` }));
      req.end();
      return () => void req.destroy();
    });
  },
  tcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
    return settleOnce(timeoutMs, `connect ${host}:${port}`, (done) => {
      const socket = connect({ host, port }, () => done({ ok: true, output: `connected to ${host}:${port}` }));
      socket.on('error', (err) => done({ ok: false, output: `connect ${host}:${port}: ${messageOf(err)}` }));
      return () => void socket.destroy();
    });
  },
});

/** Runs the check once against engine container `runtimeId`. */
export async function runProbe(runtime: ContainerRuntime, network: NetworkProbes, runtimeId: string, check: HealthCheck): Promise<ProbeResult> {
  try {
    if (check.kind === 'exec') {
      const r = await runtime.exec(runtimeId, check.command, { timeoutMs: check.timeoutMs });
      return { ok: r.exitCode === 0, output: r.exitCode === 0 || r.output !== '' ? r.output : `exit code ${r.exitCode}` };
    }
    const address = await runtime.address(runtimeId);
    if (address === undefined) return { ok: false, output: 'the container has no address (not running)' };
    if (check.kind === 'tcp') return await network.tcp(address, check.port, check.timeoutMs);
    return await network.http(`http://${address}:${check.port}${check.path}`, check.timeoutMs);
  } catch (err) {
    return { ok: false, output: messageOf(err) };
  }
}

/** Output kept on the record: as much as an exec gives, whatever produced it. */
export function clipOutput(s: string): string {
  const b = Buffer.from(s);
  return b.length <= EXEC_OUTPUT_LIMIT ? s : b.subarray(0, EXEC_OUTPUT_LIMIT).toString('utf8');
}
