import http from 'node:http';
import https from 'node:https';
import got, { HTTPError, ReadError, RequestError, TimeoutError, type Got } from 'got';
import type { Logger } from '../../../lib/logger.js';

/**
 * The one HTTP client that speaks to the CRM (style.md 2): base URL, JSON, time limits,
 * keep-alive sockets and logging hooks, all set here and nowhere else. The session token is not
 * here: it changes at run time (`session.ts`), so `CustomerServiceClient.ts` sends it with each call.
 */

export { HTTPError, ReadError, RequestError, TimeoutError };

export interface CrmHttpOptions {
  /** Where the CRM runs, e.g. `http://127.0.0.1:5001`; its REST base is `/crm/v1/` under it. */
  readonly baseUrl: string;
  /** PEM certificate authority for an https CRM with a private CA. */
  readonly ca?: string | Buffer;
  /** Whole call: from sending the request to the last byte of the answer. */
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Keep-alive sockets towards the CRM (the calls we allow in flight, plus the login). */
  readonly maxSockets: number;
  readonly logger: Logger;
}

export interface CrmHttp {
  readonly got: Got;
  /** Closes the keep-alive sockets. */
  close(): void;
}

/** `http://host:5001` (with or without a path or trailing slash) → `http://host:5001/crm/v1/`. */
export function crmRestBase(baseUrl: string): string {
  const u = new URL(baseUrl);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return new URL('crm/v1/', u).toString();
}

export function createCrmHttp(o: CrmHttpOptions): CrmHttp {
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: o.maxSockets }),
    https: new https.Agent({ keepAlive: true, maxSockets: o.maxSockets, ...(o.ca ? { ca: o.ca } : {}) }),
  };
  const instance = got.extend({
    prefixUrl: crmRestBase(o.baseUrl),
    headers: { accept: 'application/json', 'user-agent': 'telecom-customer-graph/customer-service-subgraph' },
    // Bodies are read as text and parsed by the client, which knows the CRM's error envelope and
    // cut-off answers; got's own JSON parsing would hide which it was.
    responseType: 'text',
    timeout: { connect: o.connectTimeoutMs, request: o.timeoutMs },
    // No retries here, on purpose: resilience policies (timeouts over all attempts, retries with
    // backoff, circuit breakers, windows) wrap every call in subgraphs/shared/resilience.ts. The one
    // retry this layer knows — after an expired session — is the client's, and happens once.
    // Most CRM reads are POSTs (`customers:lookup`, `:byCustomer`), which got would not retry anyway.
    retry: { limit: 0 },
    agent: agents,
    hooks: {
      afterResponse: [
        (response) => {
          o.logger.debug({ status: response.statusCode, url: response.url, ms: response.timings.phases.total }, 'CRM call');
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
