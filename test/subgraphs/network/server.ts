import { ApolloServer } from '@apollo/server';
import { expect } from 'vitest';
import type { Viewer } from '../../../lib/viewer.js';
import { UNRESTRICTED_VIEWER } from '../../../subgraphs/shared/auth.js';
import { formatSubgraphError } from '../../../subgraphs/shared/server.js';
import type { NetworkClient } from '../../../subgraphs/network/client/NetworkClient.js';
import { createContextFactory, type Context } from '../../../subgraphs/network/context.js';
import { buildNetworkSchema } from '../../../subgraphs/network/server.js';
import { silentLogger } from './fixtures.js';

/**
 * Runs operations on the network subgraph's schema without HTTP: Apollo Server's
 * `executeOperation`, with the same error formatting as the real server.
 */
export function testServer() {
  const server = new ApolloServer<Context>({ schema: buildNetworkSchema(), formatError: formatSubgraphError('network', silentLogger) });
  return {
    /** Runs one operation with fresh loaders over `client`, as `viewer` (headquarters' admin by default); returns `{ data, errors }`. */
    async run(client: NetworkClient, query: string, variables: Record<string, unknown> = {}, viewer: Viewer = UNRESTRICTED_VIEWER) {
      const contextValue = createContextFactory(() => client)({ requestId: 'test-request', logger: silentLogger, viewer });
      const res = await server.executeOperation({ query, variables }, { contextValue });
      if (res.body.kind !== 'single') throw new Error('expected a single result');
      const { data, errors } = res.body.singleResult;
      return { data: data as Record<string, any> | null | undefined, errors };
    },
    /** Like {@link run}, and fails the test on any error. */
    async data(client: NetworkClient, query: string, variables: Record<string, unknown> = {}, viewer: Viewer = UNRESTRICTED_VIEWER) {
      const { data, errors } = await this.run(client, query, variables, viewer);
      expect(errors).toBeUndefined();
      return data!;
    },
  };
}
