import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
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

  /**
   * A subgraph that cannot be reached or answers too late (design.md: SUBGRAPH_UNAVAILABLE,
   * retryable), named by `system` so the client knows which fields are missing and why.
   */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): ReturnType<RemoteGraphQLDataSource<GatewayContext>['process']> {
    try {
      return await super.process(options);
    } catch (e) {
      if (e instanceof GraphQLError && typeof e.extensions?.code === 'string' && e.extensions.code !== 'INTERNAL_SERVER_ERROR') throw e;
      throw new GraphQLError(`The ${this.name} subgraph could not be reached: ${(e as Error)?.message ?? String(e)}`, {
        originalError: e instanceof Error ? e : undefined,
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', system: this.name, retryable: true },
      });
    }
  }

  /** Keeps the subgraph's response `extensions` (e.g. `stale`) for the client; @apollo/gateway drops them. */
  override didReceiveResponse({ response, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0]) {
    const ext = response.extensions;
    if (ext && typeof ext === 'object' && Object.keys(ext).length) context?.subgraphExtensions?.push(ext as Record<string, unknown>);
    return response;
  }
}
