import http from 'node:http';
import https from 'node:https';
import got, { HTTPError, RequestError, TimeoutError, type Got } from 'got';
import type { Logger } from '../../../lib/logger.js';

/**
 * The one HTTP client that speaks to billing (style.md 2): base URL, time limits, keep-alive
 * sockets and logging hooks, all set here and nowhere else. Bodies travel as bytes both ways: the
 * SOAP layer (`soap.ts`) writes and decodes them by charset, which got must not guess.
 */

export { HTTPError, RequestError, TimeoutError };

export interface BillingHttpOptions {
  /** Where billing runs, e.g. `http://127.0.0.1:5002`; its services are `/services/{Service}` under it. */
  readonly baseUrl: string;
  /** PEM certificate authority for an https billing with a private CA. */
  readonly ca?: string | Buffer;
  /** Whole call: from sending the request to the last byte of the answer. */
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Keep-alive sockets towards billing (no more than the calls we allow in flight). */
  readonly maxSockets: number;
  readonly logger: Logger;
}

export interface BillingHttp {
  readonly got: Got;
  /** Closes the keep-alive sockets. */
  close(): void;
}

/** `http://host:5002` (with or without a path or trailing slash) → `http://host:5002/services/`. */
export function servicesBase(baseUrl: string): string {
  const u = new URL(baseUrl);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return new URL('services/', u).toString();
}

export function createBillingHttp(o: BillingHttpOptions): BillingHttp {
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: o.maxSockets }),
    https: new https.Agent({ keepAlive: true, maxSockets: o.maxSockets, ...(o.ca ? { ca: o.ca } : {}) }),
  };
  const instance = got.extend({
    prefixUrl: servicesBase(o.baseUrl),
    headers: { 'user-agent': 'telecom-customer-graph/billing-subgraph' },
    // Bytes, decoded by the charset the answer declares (contract §1: GBK by default).
    responseType: 'buffer',
    timeout: { connect: o.connectTimeoutMs, request: o.timeoutMs },
    // No retries here, on purpose: resilience policies (timeouts over all attempts, retries with
    // backoff, circuit breakers, windows) wrap every call in subgraphs/shared/resilience.ts. Every SOAP
    // call is a POST, which got never retries by default; we say so rather than rely on it.
    retry: { limit: 0, methods: [] },
    agent: agents,
    hooks: {
      afterResponse: [
        (response) => {
          o.logger.debug({ status: response.statusCode, url: response.url, ms: response.timings.phases.total }, 'billing call');
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
