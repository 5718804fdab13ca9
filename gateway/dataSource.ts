import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { Agent, fetch as undiciFetch } from 'undici';
import type { GatewayContext } from './context.js';

/**
 * How the gateway calls one subgraph: keep-alive connections through an undici Agent of its own
 * (nock does not patch undici, and the default fetcher's agent conflicts with nock in tests —
 * stack-notes.md), a time budget per call, and the request id forwarded.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(options: { name: string; url: string; timeoutMs: number; maxSockets: number }) {
    const agent = new Agent({ keepAliveTimeout: 60_000, connections: options.maxSockets, pipelining: 1 });
    const fetcher = ((input: string, init?: Record<string, unknown>) =>
      undiciFetch(input, { ...init, dispatcher: agent, signal: AbortSignal.timeout(options.timeoutMs) } as never)) as unknown as RemoteGraphQLDataSource['fetcher'];
    super({ url: options.url, fetcher });
    this.name = options.name;
  }

  readonly name: string;

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (context?.requestId) request.http?.headers.set('x-request-id', context.requestId);
  }
}
