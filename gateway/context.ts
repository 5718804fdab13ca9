import type { Logger } from '../lib/logger.js';

/** Per-request state at the gateway. */
export interface GatewayContext {
  /** Accepted from the caller's `x-request-id` or generated; forwarded to every subgraph. */
  readonly requestId: string;
  readonly logger: Logger;
}
