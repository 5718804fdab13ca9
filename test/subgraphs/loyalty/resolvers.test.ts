import { ApolloServer } from '@apollo/server';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ProductError } from '../../../lib/errors.js';
import { FakeLoyaltyClient } from '../../../subgraphs/loyalty/client/FakeLoyaltyClient.js';
import { createContextFactory, type Context } from '../../../subgraphs/loyalty/context.js';
import { buildLoyaltySchema } from '../../../subgraphs/loyalty/server.js';
import { formatSubgraphError } from '../../../subgraphs/shared/server.js';
import { UNRESTRICTED_VIEWER } from '../../../subgraphs/shared/auth.js';
import { viewerFromClaims, type Viewer } from '../../../lib/viewer.js';

/** The loyalty resolvers over the fake ledger: entities, batching, nulls and errors. */

const silentLogger = pino({ level: 'silent' });
const server = new ApolloServer<Context>({ schema: buildLoyaltySchema(), formatError: formatSubgraphError('loyalty', silentLogger) });

async function run(client: FakeLoyaltyClient, query: string, variables: Record<string, unknown> = {}, batchSize?: number, viewer: Viewer = UNRESTRICTED_VIEWER) {
  const contextValue = createContextFactory(() => client, batchSize ? { batchSize } : {})({ requestId: 'test-request', logger: silentLogger, viewer });
  const res = await server.executeOperation({ query, variables }, { contextValue });
  if (res.body.kind !== 'single') throw new Error('expected a single result');
  return { data: res.body.singleResult.data as Record<string, any> | null | undefined, errors: res.body.singleResult.errors };
}

const ENTITIES = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { id loyalty { points tier expiringPoints expiresOn } } } }`;
const reps = (...ids: string[]) => ({ reps: ids.map((id) => ({ __typename: 'Customer', id })) });

function ledger() {
  return new FakeLoyaltyClient({
    accounts: [
      { customerId: '1-ABC123', points: 12500, tier: 'GOLD', expiringPoints: 1375, expiresOn: '2026-12-31' },
      { customerId: '1-DEF456', points: 300, tier: 'BRONZE', expiringPoints: 0, expiresOn: null },
    ],
  });
}

describe('Customer.loyalty', () => {
  it('answers each customer’s balance with one ledger call for all of them', async () => {
    const client = ledger();
    const { data, errors } = await run(client, ENTITIES, reps('1-ABC123', '1-DEF456'));
    expect(errors).toBeUndefined();
    expect(data?._entities).toEqual([
      { id: '1-ABC123', loyalty: { points: 12500, tier: 'GOLD', expiringPoints: 1375, expiresOn: '2026-12-31' } },
      { id: '1-DEF456', loyalty: { points: 300, tier: 'BRONZE', expiringPoints: 0, expiresOn: null } },
    ]);
    expect(client.count('accountsByCustomerIds')).toBe(1);
  });

  it('asks in batches of the batch size', async () => {
    const client = ledger();
    await run(client, ENTITIES, reps('1-ABC123', '1-DEF456', '1-GHI789'), 2);
    expect(client.calls.map((c) => c.args[0])).toEqual([['1-ABC123', '1-DEF456'], ['1-GHI789']]);
  });

  it('is null without an error for a customer the system does not know', async () => {
    const client = ledger();
    const { data, errors } = await run(client, ENTITIES, reps('1-ZZZ999'));
    expect(errors).toBeUndefined();
    expect(data?._entities).toEqual([{ id: '1-ZZZ999', loyalty: null }]);
    expect(client.calls.map((c) => c.args[0])).toEqual([['1-ZZZ999']]);
  });

  it('refuses a representation whose id is no CRM Row Id with BAD_USER_INPUT, never asking the system about it', async () => {
    const client = ledger();
    const { data, errors } = await run(client, ENTITIES, reps('1-ZZZ999', "1-ABC123' OR 1=1"));
    expect(data?._entities).toEqual([{ id: '1-ZZZ999', loyalty: null }, null]);
    expect(errors).toHaveLength(1);
    expect(errors?.[0]?.path).toEqual(['_entities', 1]);
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', system: 'loyalty', argument: 'representations.id' });
    expect(errors?.[0]?.message).toContain('e.g. 1-7QX3KD');
    expect(client.calls.map((c) => c.args[0])).toEqual([['1-ZZZ999']]);
  });

  it('is the loyalty area: FORBIDDEN to the NOC without asking the system, readable by every other role', async () => {
    const noc = viewerFromClaims({ sub: 'noc.engineer', roles: ['noc'] });
    const client = ledger();
    const { data, errors } = await run(client, ENTITIES, reps('1-ABC123'), undefined, noc);
    expect(data?._entities).toEqual([{ id: '1-ABC123', loyalty: null }]);
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', system: 'loyalty', area: 'loyalty' });
    expect(client.calls).toEqual([]);
    for (const role of ['agent', 'billing', 'analyst', 'admin']) {
      const res = await run(ledger(), ENTITIES, reps('1-ABC123'), undefined, viewerFromClaims({ sub: role, roles: [role], region: { province: 'GD' } }));
      expect(res.errors, role).toBeUndefined();
      expect(res.data?._entities[0].loyalty, role).not.toBeNull();
    }
  });

  it('is null with a LEGACY_UNAVAILABLE error naming the loyalty system when the ledger fails', async () => {
    const client = ledger().fail('accountsByCustomerIds', new ProductError('LEGACY_UNAVAILABLE', 'loyalty', 'The loyalty system cannot answer now (HTTP 503).', { retryAfterSeconds: 60 }));
    const { data, errors } = await run(client, ENTITIES, reps('1-ABC123'));
    expect(data?._entities).toEqual([{ id: '1-ABC123', loyalty: null }]);
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'LEGACY_UNAVAILABLE', system: 'loyalty', retryable: true, retryAfterSeconds: 60 });
  });
});
