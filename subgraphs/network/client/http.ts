import http from 'node:http';
import https from 'node:https';
import got, { HTTPError, ReadError, RequestError, TimeoutError, type Got } from 'got';
import type { Logger } from '../../../lib/logger.js';

/**
 * The one HTTP client that speaks to the NMS (style.md 2): base URL, Basic credentials, JSON
 * answers, time limits, keep-alive sockets and logging hooks, all set here and nowhere else.
 */

export { HTTPError, ReadError, RequestError, TimeoutError };

export interface NmsHttpOptions {
  /** Where the NMS runs, e.g. `http://127.0.0.1:5003`; its REST base is `/nms/rest/` under it. */
  readonly baseUrl: string;
  readonly user: string;
  readonly password: string;
  /** PEM certificate authority for an https NMS with a private CA. */
  readonly ca?: string | Buffer;
  /** Whole call: from sending the request to the last byte of the answer. */
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Keep-alive sockets towards the NMS (no more than the calls we allow in flight). */
  readonly maxSockets: number;
  readonly logger: Logger;
}

export interface NmsHttp {
  readonly got: Got;
  /** Closes the keep-alive sockets. */
  close(): void;
}

/** `http://host:5003` (with or without a path or trailing slash) → `http://host:5003/nms/rest/`. */
export function nmsRestBase(baseUrl: string): string {
  const u = new URL(baseUrl);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return new URL('nms/rest/', u).toString();
}

export function createNmsHttp(o: NmsHttpOptions): NmsHttp {
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: o.maxSockets }),
    https: new https.Agent({ keepAlive: true, maxSockets: o.maxSockets, ...(o.ca ? { ca: o.ca } : {}) }),
  };
  const instance = got.extend({
    prefixUrl: nmsRestBase(o.baseUrl),
    // contract §2: HTTP Basic auth on every call.
    username: o.user,
    password: o.password,
    // contract §2: XML by default, JSON when Accept names it — the same content, cheaper to read.
    headers: { accept: 'application/json', 'user-agent': 'telecom-customer-graph/network-subgraph' },
    // Bodies are read as text and parsed by the client, which knows the NMS's error bodies, the
    // proxy's HTML 502 page and cut-off answers; got's own JSON parsing would hide which it was.
    responseType: 'text',
    timeout: { connect: o.connectTimeoutMs, request: o.timeoutMs },
    // No retries here, on purpose: resilience policies (timeouts over all attempts, retries with
    // backoff, circuit breakers, windows) wrap every call in subgraphs/shared/resilience.ts. Most NMS
    // reads are POSTs (`_batch`, `_query`, `_byIds`), which got would not retry anyway.
    retry: { limit: 0 },
    agent: agents,
    hooks: {
      afterResponse: [
        (response) => {
          if (response.statusCode === 401 || response.statusCode === 403) {
            // design.md: wrong credentials towards a legacy system are logged loudly.
            o.logger.error(
              { status: response.statusCode, url: response.url },
              'THE NMS REJECTS OUR CREDENTIALS: every network field fails until NETWORK_USER / NETWORK_PASSWORD are fixed',
            );
          } else {
            o.logger.debug({ status: response.statusCode, url: response.url, ms: response.timings.phases.total }, 'NMS call');
          }
          return response;
        },
      ],
    },
  });
  return {
    got: instance,
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
