import http from 'node:http';
import https from 'node:https';
import got, { HTTPError, ReadError, RequestError, TimeoutError, type Got } from 'got';
import type { Logger } from '../../../lib/logger.js';

/**
 * The one HTTP client that speaks to the loyalty system (style.md 2): base URL, Basic
 * credentials, time limits, keep-alive sockets and logging hooks, all set here and nowhere else.
 */

export { HTTPError, ReadError, RequestError, TimeoutError };

export interface LoyaltyHttpOptions {
  /** Where the system runs, e.g. `http://127.0.0.1:5004`. */
  readonly baseUrl: string;
  readonly user: string;
  readonly password: string;
  /** PEM certificate authority for an https system with a private CA. */
  readonly ca?: string | Buffer;
  /** Whole call: from sending the request to the last byte of the answer. */
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Keep-alive sockets towards the system (no more than the calls we allow in flight). */
  readonly maxSockets: number;
  readonly logger: Logger;
}

export interface LoyaltyHttp {
  readonly got: Got;
  /** Closes the keep-alive sockets. */
  close(): void;
}

/** `http://host:5004` (with or without a path or trailing slash) as a prefix URL ending in `/`. */
export function baseWithSlash(baseUrl: string): string {
  const u = new URL(baseUrl);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u.toString();
}

export function createLoyaltyHttp(o: LoyaltyHttpOptions): LoyaltyHttp {
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: o.maxSockets }),
    https: new https.Agent({ keepAlive: true, maxSockets: o.maxSockets, ...(o.ca ? { ca: o.ca } : {}) }),
  };
  const instance = got.extend({
    prefixUrl: baseWithSlash(o.baseUrl),
    username: o.user,
    password: o.password,
    headers: { 'user-agent': 'telecom-customer-graph/loyalty-subgraph' },
    // Bodies are read as text and parsed by the client, which knows the system's quirks.
    responseType: 'text',
    timeout: { connect: o.connectTimeoutMs, request: o.timeoutMs },
    // No retries here, on purpose: resilience policies wrap the client as a whole.
    retry: { limit: 0 },
    agent: agents,
    hooks: {
      afterResponse: [
        (response) => {
          if (response.statusCode === 401 || response.statusCode === 403) {
            // design.md: wrong credentials towards a legacy system are logged loudly.
            o.logger.error(
              { status: response.statusCode, url: response.url },
              'THE LOYALTY SYSTEM REJECTS OUR CREDENTIALS: every loyalty field fails until LOYALTY_USER / LOYALTY_PASSWORD are fixed',
            );
          } else {
            o.logger.debug({ status: response.statusCode, url: response.url, ms: response.timings.phases.total }, 'loyalty call');
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
