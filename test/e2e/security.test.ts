import { createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken, VIEWER_HEADER } from '../../lib/viewerToken.js';
import { generateEd25519Pem } from '../../lib/viewerToken.js';
import { testWorld as world } from '../helpers/emulators.js';
import { startStack, type Stack } from '../helpers/stack.js';

/**
 * The hostile-input suite (docs/security.md), end to end through the gateway over the emulators:
 * every attack gets a clear error, nothing crashes, and nothing beyond the viewer's scope leaves
 * the gateway — checked on the answers and on what reached the legacy systems.
 */

let stack: Stack;

const GD_AGENT = { sub: 'gd.agent.0001', roles: ['agent'], region: { province: 'GD' } };
const SZ_AGENT = { sub: 'sz.agent.0042', roles: ['agent'], region: { province: 'GD', localNetwork: 'SZ' } };
const ANALYST = { sub: 'hq.analyst', roles: ['analyst'], region: {} };
const NOC = { sub: 'noc.engineer', roles: ['noc'], region: {} };

/** The first customer index of a region (the world lays regions out in ranges). */
function customerIn(province: string, localNetwork?: string): number {
  const range = world.customersIn(province, localNetwork);
  if (!range) throw new Error(`no ${province}/${localNetwork ?? ''} customers in the test world`);
  return range.at(0);
}

/** A raw POST to the gateway: status, headers and parsed body. */
async function post(body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${stack.gatewayUrl}/graphql`, { method: 'POST', headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`the gateway answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: res.status, body: json, headers: res.headers };
}

const JSON_HEADERS = { 'content-type': 'application/json' };
let adminAuth: Record<string, string>;

/** Everything the emulators logged since `marks` (per system). */
async function logsSince(marks: Record<string, number>) {
  const entries = await Promise.all(Object.entries(stack.emulators).map(async ([name, e]) => [name, (await e.requests(marks[name] ?? 0)).items] as const));
  return Object.fromEntries(entries) as Record<'crm' | 'billing' | 'network' | 'loyalty', Awaited<ReturnType<Stack['emulators']['crm']['requests']>>['items']>;
}

async function marks(): Promise<Record<string, number>> {
  const entries = await Promise.all(Object.entries(stack.emulators).map(async ([name, e]) => [name, (await e.requests(0)).last] as const));
  return Object.fromEntries(entries);
}

beforeAll(async () => {
  stack = await startStack();
  adminAuth = await stack.as({ sub: 'test.admin', roles: ['admin'], region: {} });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('authentication at the gateway', () => {
  const QUERY = JSON.stringify({ query: '{ outages(province: "GD") { id } }' });

  it('refuses a request without a token with 401, a JSON GraphQL error naming the fix, and calls no system', async () => {
    const before = await marks();
    const r = await post(QUERY, JSON_HEADERS);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(r.body.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED', system: 'gateway', retryable: false });
    expect(r.body.errors[0].message).toMatch(/Authorization: Bearer <token>/);
    expect(r.body.data).toBeUndefined();
    const logs = await logsSince(before);
    expect(Object.values(logs).flat()).toEqual([]);
  });

  it('refuses an expired token, saying it has expired', async () => {
    const token = await stack.token(GD_AGENT, { now: Date.now() - 3 * 3600_000, ttlSeconds: 60 });
    const r = await post(QUERY, { ...JSON_HEADERS, authorization: `Bearer ${token}` });
    expect(r.status).toBe(401);
    expect(r.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(r.body.errors[0].message).toMatch(/expired/);
  });

  it('refuses a token signed with another key', async () => {
    const stranger = createPrivateKey(generateEd25519Pem().privateKey);
    const token = await signDevToken(stranger, { sub: 'mallory', roles: ['admin'] });
    const r = await post(QUERY, { ...JSON_HEADERS, authorization: `Bearer ${token}` });
    expect(r.status).toBe(401);
    expect(r.body.errors[0].message).toMatch(/not signed by the configured identity provider/);
  });

  it('refuses a token for another issuer or audience, naming which', async () => {
    const otherIssuer = await stack.token(GD_AGENT, { issuer: 'https://elsewhere.example' });
    const r1 = await post(QUERY, { ...JSON_HEADERS, authorization: `Bearer ${otherIssuer}` });
    expect(r1.status).toBe(401);
    expect(r1.body.errors[0].message).toMatch(/issuer.*AUTH_ISSUER/);
    const otherAudience = await stack.token(GD_AGENT, { audience: 'another-app' });
    const r2 = await post(QUERY, { ...JSON_HEADERS, authorization: `Bearer ${otherAudience}` });
    expect(r2.status).toBe(401);
    expect(r2.body.errors[0].message).toMatch(/audience.*AUTH_AUDIENCE/);
  });

  it('refuses a token whose claims are not a viewer, naming the claim', async () => {
    const token = await stack.token({ sub: 'x', roles: ['agent'], region: { province: 'gd; DROP' } });
    const r = await post(QUERY, { ...JSON_HEADERS, authorization: `Bearer ${token}` });
    expect(r.status).toBe(401);
    expect(r.body.errors[0].message).toMatch(/region\.province/);
    const noRole = await stack.token({ sub: 'x', roles: ['superuser'] });
    const r2 = await post(QUERY, { ...JSON_HEADERS, authorization: `Bearer ${noRole}` });
    expect(r2.status).toBe(401);
    expect(r2.body.errors[0].message).toMatch(/no role this gateway knows/);
  });

  it('refuses an Authorization header that is not a bearer JWT', async () => {
    const r = await post(QUERY, { ...JSON_HEADERS, authorization: 'Basic Z2F0ZXdheTpnYXRld2F5LWRldg==' });
    expect(r.status).toBe(401);
    expect(r.body.errors[0].message).toMatch(/not `Bearer <JWT>`/);
  });
});

describe('subgraphs answer only the gateway', () => {
  const BODY = JSON.stringify({ query: '{ _service { sdl } }' });

  it.each(['customer-service', 'billing', 'network', 'loyalty'] as const)('the %s subgraph refuses a direct call (no x-viewer) with 401 and calls no system', async (name) => {
    const before = await marks();
    const res = await fetch(stack.subgraphUrls[name], { method: 'POST', headers: JSON_HEADERS, body: BODY });
    expect(res.status).toBe(401);
    const body = (await res.json()) as any;
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.errors[0].message).toMatch(/x-viewer/);
    expect(Object.values(await logsSince(before)).flat()).toEqual([]);
  });

  it('refuses an x-viewer token forged with another key, and one taken from a caller token', async () => {
    const forged = await signDevToken(createPrivateKey(generateEd25519Pem().privateKey), { sub: 'mallory', roles: ['admin'] }, { issuer: 'telecom-customer-graph/gateway', audience: 'telecom-customer-graph/subgraphs' });
    const callerToken = await stack.token({ sub: 'mallory', roles: ['admin'] });
    for (const token of [forged, callerToken]) {
      const res = await fetch(stack.subgraphUrls.billing, { method: 'POST', headers: { ...JSON_HEADERS, [VIEWER_HEADER]: token }, body: BODY });
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).errors[0].message).toMatch(/refused/);
    }
  });
});

describe('region scope through the whole graph', () => {
  it('gives a Shenzhen agent a Beijing customer as null with FORBIDDEN, and the CRM record never leaves the gateway', async () => {
    const bj = world.customerId(customerIn('BJ'));
    const r = await stack.query(`query Look($id: ID!) { customer(id: $id) { id name accounts { accountNumber } } }`, { id: bj }, await stack.as(SZ_AGENT));
    expect(r.data).toEqual({ customer: null });
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', system: 'customer-service', retryable: false });
    expect(r.errors![0].message).toMatch(/outside your scope \(GD\/SZ\)/);
    expect(JSON.stringify(r)).not.toContain(world.customer(customerIn('BJ')).name);
  });

  it("lists only the agent's own local network, and every billing call carries the agent's scope and login", async () => {
    const before = await marks();
    const r = await stack.query(
      `{ customers(filter: { province: "GD" }, first: 20) { edges { node { id region { province localNetwork } accounts { accountNumber } } } } }`,
      {},
      await stack.as(SZ_AGENT),
    );
    expect(r.errors).toBeUndefined();
    const nodes = r.data.customers.edges.map((e: any) => e.node);
    expect(nodes.length).toBe(20);
    for (const n of nodes) expect(n.region).toEqual({ province: 'GD', localNetwork: 'SZ' });
    const logs = await logsSince(before);
    expect(logs.billing.length).toBeGreaterThan(0);
    for (const entry of logs.billing) {
      expect(entry.scope).toEqual({ province: 'GD', region: 'SZ' });
      expect(entry.operator).toBe('sz.agent.0042');
    }
  });

  it('answers a filter for another province with an empty page and no CRM call', async () => {
    const before = await marks();
    const r = await stack.query(`{ customers(filter: { province: "BJ" }, first: 5) { edges { node { id } } } }`, {}, await stack.as(GD_AGENT));
    expect(r.errors).toBeUndefined();
    expect(r.data.customers.edges).toEqual([]);
    expect((await logsSince(before)).crm).toEqual([]);
  });

  it('masks contacts and ID numbers by role: agent sees contacts and the last 4, analyst sees none, NOC cannot read billing', async () => {
    const i = customerIn('GD', 'SZ');
    const id = world.customerId(i);
    const q = `query($id: ID!) { customer(id: $id) { id identification { number } contacts { phone email } } }`;
    const agent = await stack.query(q, { id }, await stack.as(SZ_AGENT));
    expect(agent.errors).toBeUndefined();
    const number: string = agent.data.customer.identification.number;
    expect(number.slice(-4)).toMatch(/^[0-9X]{4}$/);
    expect(number.slice(0, -4)).toMatch(/^\*+$/);
    expect(agent.data.customer.contacts.phone).toMatch(/^1\d{10}$/);
    const analyst = await stack.query(q, { id }, await stack.as(ANALYST));
    expect(analyst.data.customer.identification?.number ?? null).toBeNull();
    expect(analyst.data.customer.contacts?.phone ?? null).toBeNull();
    expect(JSON.stringify(analyst.data)).not.toMatch(/1[3-9]\d{9}/);

    const noc = await stack.query(`query($id: ID!) { customer(id: $id) { id name balance { amount } } }`, { id }, await stack.as(NOC));
    expect(noc.data.customer.name).toBe(world.customer(i).name);
    expect(noc.data.customer.balance).toBeNull();
    expect(noc.errors?.map((e: any) => [e.extensions.code, e.path.join('.')])).toEqual([['FORBIDDEN', 'customer.balance']]);
  });
});

describe('hostile input', () => {
  it('answers malformed JSON with 400 and a JSON error naming the fix', async () => {
    const r = await post('{"query": "{ outages { id } ', { ...JSON_HEADERS, ...adminAuth });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(r.body.errors[0].message).toMatch(/not valid JSON/);
  });

  it('answers a wrong content type with 415 and names the right one', async () => {
    const r = await post('query { outages { id } }', { 'content-type': 'text/plain', ...adminAuth });
    expect(r.status).toBe(415);
    expect(r.body.errors[0].message).toMatch(/content-type: application\/json/);
  });

  it('keeps CSRF prevention: a GET without a preflight header is refused', async () => {
    const res = await fetch(`${stack.gatewayUrl}/graphql?query=${encodeURIComponent('{ outages { id } }')}`, { headers: adminAuth });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/apollo-require-preflight|CSRF/i);
  });

  it('answers an oversized body or oversized variables with 413 QUERY_TOO_COMPLEX', async () => {
    const big = JSON.stringify({ query: '{ outages { id } }', variables: { pad: 'x'.repeat(200_000) } });
    const r = await post(big, { ...JSON_HEADERS, ...adminAuth });
    expect(r.status).toBe(413);
    expect(r.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(r.body.errors[0].message).toMatch(/GATEWAY_MAX_BODY_BYTES/);
  });

  it('refuses batched operations', async () => {
    const r = await post(JSON.stringify([{ query: '{ outages { id } }' }, { query: '{ outages { id } }' }]), { ...JSON_HEADERS, ...adminAuth });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].message).toMatch(/one operation per request/);
  });

  it('refuses deep nesting, naming the limit, before any system is called', async () => {
    const before = await marks();
    let sel = 'id';
    for (let i = 0; i < 8; i++) sel = `customer { tickets { ${sel} } }`;
    const r = await stack.query(`{ ticket(id: "1-000000001") { ${sel} } }`);
    expect(r.errors?.[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors?.[0].message).toMatch(/depth.*GATEWAY_MAX_DEPTH/i);
    expect(Object.values(await logsSince(before)).flat()).toEqual([]);
  });

  it('refuses an alias bomb', async () => {
    const aliases = Array.from({ length: 200 }, (_, i) => `a${i}: outages(province: "GD") { id }`).join(' ');
    const r = await stack.query(`{ ${aliases} }`);
    expect(r.errors?.[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors?.[0].message).toMatch(/Aliases.*GATEWAY_MAX_ALIASES/);
  });

  it('refuses a fragment bomb (fragments that double at each level)', async () => {
    const levels = 12;
    const frags = Array.from({ length: levels }, (_, i) => (i === levels - 1 ? `fragment F${i} on Customer { id name }` : `fragment F${i} on Customer { ...F${i + 1} group { ...F${i + 1} } }`)).join('\n');
    const r = await stack.query(`{ customer(id: "1-ICKBC2") { ...F0 } } ${frags}`);
    expect(r.data).toBeUndefined();
    expect(r.errors?.[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses a fragment cycle with a validation error, without crashing', async () => {
    const r = await stack.query(`{ customer(id: "1-ICKBC2") { ...A } } fragment A on Customer { group { ...B } } fragment B on Customer { group { ...A } }`);
    expect(r.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors?.map((e: any) => e.message).join(' ')).toMatch(/Cannot spread fragment "A" within itself/);
    const after = await stack.query(`{ outages(province: "GD") { id } }`);
    expect(after.errors).toBeUndefined();
  });

  it('refuses a document over the token limit', async () => {
    const fields = Array.from({ length: 5000 }, () => 'id').join(' ');
    const r = await stack.query(`{ outages { ${fields} } }`);
    expect(r.errors?.[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors?.[0].message).toMatch(/GATEWAY_MAX_TOKENS/);
  });

  it('refuses an operation over the cost limit, from list sizes in variables too', async () => {
    const q = `query($n: Int) { customers(filter: { province: "GD" }, first: $n) { edges { node { accounts { bills(last: 36) { period } payments(first: 100) { amount { amount } } } } } } }`;
    const before = await marks();
    const r = await stack.query(q, { n: 100 });
    expect(r.errors?.[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors?.[0].message).toMatch(/cost \d+ is over the limit of \d+ \(GATEWAY_MAX_COST\)/);
    expect(Object.values(await logsSince(before)).flat()).toEqual([]);
  });

  it('refuses an XML-injection service number before billing sees it', async () => {
    const before = await marks();
    const r = await stack.query(`query($n: String!) { customerByServiceNumber(serviceNumber: $n) { id } }`, { n: '</ServiceNumber><CustKey>1' });
    expect(r.data?.customerByServiceNumber ?? null).toBeNull();
    expect(r.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect((await logsSince(before)).billing).toEqual([]);
  });

  it('searches a searchspec injection as plain text: nothing matches, nothing leaks', async () => {
    const before = await marks();
    const r = await stack.query(`{ customers(filter: { province: "GD", name: "x' OR [Row Id] IS NOT NULL" }, first: 5) { edges { node { id } } } }`, {}, await stack.as(GD_AGENT));
    expect(r.errors).toBeUndefined();
    expect(r.data.customers.edges).toEqual([]);
    const crm = (await logsSince(before)).crm;
    expect(crm.length).toBeGreaterThan(0);
  });

  it('refuses invalid ids with BAD_USER_INPUT and calls nothing', async () => {
    const before = await marks();
    for (const [q, v] of [
      ['query($id: ID!) { customer(id: $id) { id } }', { id: "1-ABC' OR 1=1" }],
      ['query($id: ID!) { ticket(id: $id) { id } }', { id: '../../etc/passwd' }],
      ['query($id: ID!) { outage(id: $id) { id } }', { id: 'x&province=BJ' }],
    ] as const) {
      const r = await stack.query(q, v);
      expect(r.errors?.[0].extensions.code, q).toBe('BAD_USER_INPUT');
    }
    expect(Object.values(await logsSince(before)).flat()).toEqual([]);
  });

  it('still serves normally after all of the above', async () => {
    const r = await stack.query(`{ outages(province: "GD") { id region { province } } }`, {}, await stack.as(GD_AGENT));
    expect(r.errors).toBeUndefined();
    expect(r.data.outages.length).toBeGreaterThan(0);
    for (const o of r.data.outages) expect(o.region.province).toBe('GD');
  });
});
