import net, { type AddressInfo } from 'node:net';
import nock from 'nock';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UNRESTRICTED_VIEWER } from '../../../subgraphs/shared/auth.js';
import { ProductError } from '../../../lib/errors.js';
import { crmRestBase } from '../../../subgraphs/customer-service/client/http.js';
import { CrmSession } from '../../../subgraphs/customer-service/client/session.js';
import {
  capturingLogger,
  CRM,
  crm,
  customerIds,
  expired,
  jsonHeaders,
  login,
  page,
  testClient,
  ticketIds,
  TOKEN,
  WIRE_EXAMPLE_CUSTOMER,
  wireActivity,
  wireCustomer,
  wireSurvey,
  wireTicket,
} from './fixtures.js';

/** The CRM client against nock: every quirk of legacy-contracts.md §3 and every error path. */

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'every mocked CRM call was made').toEqual([]);
});
afterAll(() => nock.enableNetConnect());

/** Runs `fn` and returns the ProductError it threw. */
async function productError(fn: () => Promise<unknown>): Promise<ProductError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProductError);
    return e as ProductError;
  }
  throw new Error('expected a ProductError');
}

type Query = Record<string, string>;

describe('HttpCustomerServiceClient session', () => {
  it('logs in with user and password, then calls /crm/v1/ with the Bearer token and the request id', async () => {
    expect(crmRestBase('http://127.0.0.1:5001')).toBe('http://127.0.0.1:5001/crm/v1/');
    expect(crmRestBase('https://crm.example/siebel/')).toBe('https://crm.example/siebel/crm/v1/');
    login();
    const scope = nock(CRM, { reqheaders: { authorization: `Bearer ${TOKEN}`, 'x-request-id': 'req-42', 'content-type': /application\/json/ } })
      .post('/crm/v1/customers:lookup', { ids: ['1-7QX3KD'] })
      .reply(200, { items: [WIRE_EXAMPLE_CUSTOMER] }, jsonHeaders);
    const client = testClient().forRequest({ requestId: 'req-42', logger: pino({ level: 'silent' }), viewer: UNRESTRICTED_VIEWER });
    const [c] = await client.customersByIds(['1-7QX3KD']);
    expect(c?.id).toBe('1-7QX3KD');
    scope.done();
  });

  it('logs in once per process: requests share the session', async () => {
    login();
    crm().post('/crm/v1/customers:lookup').times(3).reply(200, { items: [] }, jsonHeaders);
    const client = testClient();
    const scope = { requestId: 'r', logger: pino({ level: 'silent' }), viewer: UNRESTRICTED_VIEWER };
    await client.customersByIds(['1-AAAAAA']);
    await client.forRequest(scope).customersByIds(['1-BBBBBB']);
    await client.forRequest({ ...scope, requestId: 'r2' }).customersByIds(['1-CCCCCC']);
  });

  it('logs in again and retries once when the CRM answers SBL-DAT-00175 (session expired)', async () => {
    login('old');
    crm('old').post('/crm/v1/customers:lookup').reply(200, { items: [] }, jsonHeaders);
    crm('old').post('/crm/v1/customers:lookup').reply(401, expired, jsonHeaders);
    login('new');
    crm('new').post('/crm/v1/customers:lookup').reply(200, { items: [wireCustomer('1-BBBBBB')] }, jsonHeaders);
    const client = testClient();
    await client.customersByIds(['1-AAAAAA']);
    const found = await client.customersByIds(['1-BBBBBB']);
    expect(found.map((c) => c.id)).toEqual(['1-BBBBBB']);
  });

  it('shares one re-login among concurrent calls that all find the session expired', async () => {
    login('old');
    crm('old').post('/crm/v1/customers:lookup').times(5).delay(20).reply(401, expired, jsonHeaders);
    // Exactly one more login; a second would be left unmatched and fail the call.
    login('new');
    crm('new').post('/crm/v1/customers:lookup').times(5).reply(200, { items: [] }, jsonHeaders);
    const client = testClient();
    await Promise.all(['1-AAAAA1', '1-AAAAA2', '1-AAAAA3', '1-AAAAA4', '1-AAAAA5'].map((id) => client.customersByIds([id])));
  });

  it('retries only once: a second SBL-DAT-00175 right after logging in is LEGACY_UNAVAILABLE, retryable', async () => {
    login('old');
    crm('old').post('/crm/v1/customers:lookup').reply(401, expired, jsonHeaders);
    login('new');
    crm('new').post('/crm/v1/customers:lookup').reply(401, expired, jsonHeaders);
    const err = await productError(() => testClient().customersByIds(['1-AAAAAA']));
    expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', system: 'customer-service', retryable: true });
  });

  it('maps wrong credentials to LEGACY_UNAVAILABLE, not retryable, and says so loudly in the log', async () => {
    nock(CRM).post('/crm/v1/session').reply(401, { ErrorCode: 'SBL-SEC-10018', ErrorMsg: 'Invalid username or password.' }, jsonHeaders);
    const { logger, lines } = capturingLogger();
    const err = await productError(() => testClient({ logger, password: 'wrong' }).customersByIds(['1-AAAAAA']));
    expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: false });
    expect(err.message).toContain('CUSTOMER_SERVICE_PASSWORD');
    const loud = lines().find((l) => l.level === 50 && String(l.msg).includes('REJECTS OUR CREDENTIALS'));
    expect(loud).toMatchObject({ sbl: 'SBL-SEC-10018' });
    expect(JSON.stringify(lines())).not.toContain('wrong');
  });

  it('does not log in again for a 401 that is not an expired session', async () => {
    login();
    crm().post('/crm/v1/customers:lookup').reply(401, { ErrorCode: 'SBL-SEC-10007', ErrorMsg: 'No session token.' }, jsonHeaders);
    const err = await productError(() => testClient().customersByIds(['1-AAAAAA']));
    expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: false });
  });

  it('renews an idle session before the CRM would refuse it', async () => {
    let now = 0;
    let logins = 0;
    const session = new CrmSession(async () => ({ token: `t${++logins}`, expiresIn: 900 }), pino({ level: 'silent' }), 30_000, () => now);
    expect(await session.current()).toBe('t1');
    now = 860_000;
    session.touch();
    now = 860_000 + 869_000;
    expect(await session.current()).toBe('t1');
    now = 860_000 + 871_000;
    expect(await session.current()).toBe('t2');
    // A refusal of a token already replaced costs no login.
    expect(await session.renew('t1')).toBe('t2');
    expect(logins).toBe(2);
  });
});

describe('HttpCustomerServiceClient normalisation', () => {
  it('maps the contract wire example to a domain customer', async () => {
    login();
    crm().post('/crm/v1/customers:lookup').reply(200, { items: [WIRE_EXAMPLE_CUSTOMER] }, jsonHeaders);
    expect(await testClient().customersByIds(['1-7QX3KD'])).toEqual([
      {
        id: '1-7QX3KD',
        name: '陈晓明',
        kind: 'INDIVIDUAL',
        status: 'ACTIVE',
        region: { province: 'GD', localNetwork: 'SZ' },
        segment: 'MASS',
        starLevel: '4 Star',
        bigCustomerClass: null,
        accountManager: null,
        groupId: null,
        identification: { type: 'Resident ID', number: '440305198803150012' },
        contacts: { phone: '13812345678', email: null, preferredChannel: 'Phone' },
        customerSince: '2019-03-15T09:30:00+08:00',
        serviceNumbers: ['13812345678', '075526881234'],
        billingAccountNumbers: ['3300098765'],
      },
    ]);
  });

  it('splits comma-separated lists, trimming blanks and dropping empty entries', async () => {
    login();
    crm()
      .post('/crm/v1/customers:lookup')
      .reply(200, { items: [wireCustomer('1-AAAAAA', { 'Service Numbers': ' 13812345678 ,,AD0755123456, ', 'Billing Account Numbers': '' })] }, jsonHeaders);
    const [c] = await testClient().customersByIds(['1-AAAAAA']);
    expect(c?.serviceNumbers).toEqual(['13812345678', 'AD0755123456']);
    expect(c?.billingAccountNumbers).toEqual([]);
  });

  it('reads every empty string as null', async () => {
    login();
    const empty = Object.fromEntries(Object.keys(WIRE_EXAMPLE_CUSTOMER).map((k) => [k, '']));
    crm()
      .post('/crm/v1/customers:lookup')
      .reply(200, { items: [{ ...empty, 'Row Id': '1-AAAAAA' }] }, jsonHeaders);
    expect(await testClient().customersByIds(['1-AAAAAA'])).toEqual([
      {
        id: '1-AAAAAA',
        name: null,
        kind: null,
        status: null,
        region: null,
        segment: null,
        starLevel: null,
        bigCustomerClass: null,
        accountManager: null,
        groupId: null,
        identification: null,
        contacts: null,
        customerSince: null,
        serviceNumbers: [],
        billingAccountNumbers: [],
      },
    ]);
  });

  it('maps customer value lists to schema enums (Organization, Suspended, Government, a group parent)', async () => {
    login();
    const org = wireCustomer('1-BBBBBB', {
      'Customer Type': 'Organization',
      Status: 'Suspended',
      Segment: 'Government',
      'Star Level': '',
      'Big Customer Class': 'Strategic',
      'Account Manager': '周丽',
      'Parent Row Id': '1-GROUP1',
      'ID Type': 'Business License',
    });
    crm().post('/crm/v1/customers:lookup').reply(200, { items: [org] }, jsonHeaders);
    const [c] = await testClient().customersByIds(['1-BBBBBB']);
    expect(c).toMatchObject({
      kind: 'ORGANIZATION',
      status: 'SUSPENDED',
      segment: 'GOVERNMENT',
      starLevel: null,
      bigCustomerClass: 'Strategic',
      accountManager: '周丽',
      groupId: '1-GROUP1',
      identification: { type: 'Business License' },
    });
  });

  it('turns MM/DD/YYYY HH:MM:SS local times into ISO-8601 with +08:00 (month first, not day first)', async () => {
    login();
    const sr = wireTicket('1-204817733', '1-7QX3KD', { Opened: '01/02/2026 23:59:59', Closed: '12/31/2026 00:00:01', Status: 'Closed', 'Resolution Code': 'Fulfilled' });
    crm().get('/crm/v1/data/ServiceRequest').query(true).reply(200, page([sr]), jsonHeaders);
    const [t] = await testClient().ticketsByIds(['1-204817733']);
    expect(t).toMatchObject({ openedAt: '2026-01-02T23:59:59+08:00', closedAt: '2026-12-31T00:00:01+08:00', slaDueAt: '2026-11-21T10:15:00+08:00' });
  });

  it('maps a date-time that is no date (13/45/2026) to LEGACY_BAD_RESPONSE naming the field and record', async () => {
    login();
    crm()
      .get('/crm/v1/data/ServiceRequest')
      .query(true)
      .reply(200, page([wireTicket('1-204817733', '1-7QX3KD', { Opened: '13/45/2026 10:00:00' })]), jsonHeaders);
    const err = await productError(() => testClient().ticketsByIds(['1-204817733']));
    expect(err).toMatchObject({ code: 'LEGACY_BAD_RESPONSE', retryable: false });
    expect(err.message).toContain('ServiceRequest 1-204817733: Opened');
  });

  it.each([
    ['Open', '', 'ACKNOWLEDGED'],
    ['Open - Escalated', '', 'IN_PROGRESS'],
    ['Pending', '', 'PENDING'],
    ['Closed', 'Network Repaired', 'RESOLVED'],
    ['Closed', '', 'CLOSED'],
    ['Cancelled', '', 'CANCELLED'],
  ])('maps ticket Status %j (resolution %j) to TMF621 %s', async (status, resolution, tmf) => {
    login();
    crm()
      .get('/crm/v1/data/ServiceRequest')
      .query(true)
      .reply(200, page([wireTicket('1-204817733', '1-7QX3KD', { Status: status, 'Resolution Code': resolution })]), jsonHeaders);
    const [t] = await testClient().ticketsByIds(['1-204817733']);
    expect(t?.status).toBe(tmf);
  });

  it('maps an unknown ticket Status to LEGACY_BAD_RESPONSE, not a crash', async () => {
    login();
    crm()
      .get('/crm/v1/data/ServiceRequest')
      .query(true)
      .reply(200, page([wireTicket('1-204817733', '1-7QX3KD', { Status: 'Reopened' })]), jsonHeaders);
    const err = await productError(() => testClient().ticketsByIds(['1-204817733']));
    expect(err.code).toBe('LEGACY_BAD_RESPONSE');
    expect(err.message).toContain('"Reopened"');
  });

  it('maps ticket Type, Priority (1-ASAP … 4-Low), Source, Abstract and the related line and alarm', async () => {
    login();
    const rows = [
      wireTicket('1-000000001', '1-7QX3KD', { Type: 'Complaint', Priority: '1-ASAP', 'Related Alarm Id': '4417203' }),
      wireTicket('1-000000002', '1-7QX3KD', { Type: 'Request', Priority: '3-Medium', 'Related Service Number': '' }),
      wireTicket('1-000000003', '1-7QX3KD', { Type: 'Incident', Priority: '4-Low', Source: '', Abstract: '', 'External Ref': 'WEB-000000003' }),
    ];
    crm().get('/crm/v1/data/ServiceRequest').query(true).reply(200, page(rows), jsonHeaders);
    const ts = await testClient().ticketsByIds(['1-000000001', '1-000000002', '1-000000003']);
    expect(ts.map((t) => [t.type, t.priority, t.channel, t.summary, t.serviceNumber, t.alarmId, t.externalRef])).toEqual([
      ['COMPLAINT', 'ASAP', 'Phone', '宽带频繁掉线', 'AD0755123456', '4417203', null],
      ['REQUEST', 'MEDIUM', 'Phone', '宽带频繁掉线', null, null, null],
      ['INCIDENT', 'LOW', null, null, 'AD0755123456', null, 'WEB-000000003'],
    ]);
  });

  it('maps a priority off the value list (5-Whenever) to LEGACY_BAD_RESPONSE', async () => {
    login();
    crm()
      .get('/crm/v1/data/ServiceRequest')
      .query(true)
      .reply(200, page([wireTicket('1-204817733', '1-7QX3KD', { Priority: '5-Whenever' })]), jsonHeaders);
    expect((await productError(() => testClient().ticketsByIds(['1-204817733']))).code).toBe('LEGACY_BAD_RESPONSE');
  });

  it('maps activities (Direction Inbound/Outbound) and surveys (CSAT and NPS as strings)', async () => {
    login();
    crm()
      .post('/crm/v1/data/Activity:byCustomer')
      .reply(200, { items: [wireActivity('1-AB12CD34'), wireActivity('1-AB12CD35', '1-7QX3KD', { Direction: 'Outbound', Reason: '', Agent: '' })] }, jsonHeaders);
    crm()
      .post('/crm/v1/data/Survey:byCustomer')
      .reply(200, { items: [wireSurvey('1-7QX3KD', { NPS: '' })] }, jsonHeaders);
    const client = testClient();
    expect(await client.interactionsByCustomers(['1-7QX3KD'], 20)).toEqual([
      { id: '1-AB12CD34', customerId: '1-7QX3KD', direction: 'INBOUND', channel: 'Phone', reason: '咨询话费账单', startedAt: '2026-11-20T09:00:00+08:00', agent: 'SZ-3460', status: 'Done' },
      { id: '1-AB12CD35', customerId: '1-7QX3KD', direction: 'OUTBOUND', channel: 'Phone', reason: null, startedAt: '2026-11-20T09:00:00+08:00', agent: null, status: 'Done' },
    ]);
    expect(await client.latestSurveys(['1-7QX3KD'])).toEqual([{ customerId: '1-7QX3KD', csat: 4, nps: null, surveyedAt: '2026-11-21T12:00:00+08:00' }]);
  });

  it('maps a CSAT outside 1–5 to LEGACY_BAD_RESPONSE', async () => {
    login();
    crm()
      .post('/crm/v1/data/Survey:byCustomer')
      .reply(200, { items: [wireSurvey('1-7QX3KD', { CSAT: '9' })] }, jsonHeaders);
    expect((await productError(() => testClient().latestSurveys(['1-7QX3KD']))).code).toBe('LEGACY_BAD_RESPONSE');
  });
});

describe('HttpCustomerServiceClient paging and batching', () => {
  it('looks up 120 customers in 3 calls of 50, 50 and 20, in parallel; unknown ids are absent', async () => {
    login();
    const sizes: number[] = [];
    crm()
      .post('/crm/v1/customers:lookup')
      .times(3)
      .reply(200, (_uri, body) => {
        const ids = (body as { ids: string[] }).ids;
        sizes.push(ids.length);
        return { items: ids.filter((_, k) => k % 2 === 0).map((id) => wireCustomer(id)) };
      }, jsonHeaders);
    const found = await testClient().customersByIds(customerIds(120));
    expect(sizes.sort((a, b) => b - a)).toEqual([50, 50, 20]);
    expect(found).toHaveLength(60);
  });

  it('reads 60 tickets by id with 2 searchspecs of OR-ed [SR Number] terms (50 and 10), PageSize 100', async () => {
    login();
    const queries: Query[] = [];
    crm()
      .get('/crm/v1/data/ServiceRequest')
      .query((q) => (queries.push(q as Query), true))
      .times(2)
      .reply(200, page([]), jsonHeaders);
    await testClient().ticketsByIds(ticketIds(60));
    const terms = queries.map((q) => q.searchspec!.split(' OR ').length).sort((a, b) => b - a);
    expect(terms).toEqual([50, 10]);
    for (const q of queries) {
      expect(q.searchspec).toMatch(/^\[SR Number\]='1-\d{9}'( OR \[SR Number\]='1-\d{9}')*$/);
      expect(q.searchspec!.length).toBeLessThanOrEqual(2000);
      expect(q).toMatchObject({ PageSize: '100', StartRowNum: '0' });
    }
  });

  it('pages a search until LastPage, never trusting the default page size of 10', async () => {
    login();
    const starts: string[] = [];
    const rows = (from: number, n: number) => Array.from({ length: n }, (_, k) => wireTicket(`1-${String(300000000 + from + k)}`));
    crm()
      .get('/crm/v1/data/ServiceRequest')
      .query((q) => q.PageSize === '100' && (starts.push(String(q.StartRowNum)), true))
      .times(3)
      .reply(200, (uri) => {
        const start = Number(new URL(uri, CRM).searchParams.get('StartRowNum'));
        return start < 200 ? page(rows(start, 100), false) : page(rows(start, 7), true);
      }, jsonHeaders);
    const found = await testClient().ticketsByIds(ticketIds(3));
    expect(starts).toEqual(['0', '100', '200']);
    expect(found).toHaveLength(207);
  });

  it('asks a search page with PageSize = first and StartRowNum = offset; hasNextPage is not LastPage', async () => {
    login();
    crm()
      .get('/crm/v1/data/Customer')
      .query({ searchspec: "[Province]='GD' AND [Segment]='SME' AND [Big Customer Class] IS NOT NULL", PageSize: '3', StartRowNum: '40' })
      .reply(200, page([wireCustomer('1-AAAAA1'), wireCustomer('1-AAAAA2'), wireCustomer('1-AAAAA3')], false), jsonHeaders);
    crm()
      .get('/crm/v1/data/Customer')
      .query({ searchspec: "[Parent Row Id]='1-GROUP1'", PageSize: '20', StartRowNum: '0' })
      .reply(200, page([wireCustomer('1-AAAAA4')], true), jsonHeaders);
    const client = testClient();
    const p1 = await client.searchCustomers({ province: 'GD', segment: 'SME', bigCustomer: true }, 40, 3);
    expect(p1.items.map((c) => c.id)).toEqual(['1-AAAAA1', '1-AAAAA2', '1-AAAAA3']);
    expect(p1.hasNextPage).toBe(true);
    const p2 = await client.searchCustomers({ groupId: '1-GROUP1' }, 0, 20);
    expect(p2).toMatchObject({ hasNextPage: false });
  });

  it('asks one record for first: 0, to tell whether a page follows', async () => {
    login();
    crm().get('/crm/v1/data/Customer').query({ searchspec: "[Phone]='13812345678'", PageSize: '1', StartRowNum: '0' }).reply(200, page([wireCustomer('1-AAAAA1')]), jsonHeaders);
    expect(await testClient().searchCustomers({ phone: '13812345678' }, 0, 0)).toEqual({ items: [], hasNextPage: true });
  });

  it('lists the whole CRM when a customer search has no condition (no searchspec sent)', async () => {
    login();
    crm().get('/crm/v1/data/Customer').query({ PageSize: '20', StartRowNum: '0' }).reply(200, page([], true), jsonHeaders);
    await testClient().searchCustomers({}, 0, 20);
  });

  it('lists tickets in the CRM’s own newest-first order (no sortspec: it would sort two years) with statuses mapped back to CRM values', async () => {
    login();
    crm()
      .get('/crm/v1/data/ServiceRequest')
      .query({
        searchspec: "[Customer Id]='1-7QX3KD' AND [Province]='GD' AND ([Status]='Open' OR [Status]='Closed' AND [Resolution Code] IS NOT NULL)",
        PageSize: '20',
        StartRowNum: '0',
      })
      .reply(200, page([wireTicket('1-204817733')]), jsonHeaders);
    const p = await testClient().searchTickets({ customerId: '1-7QX3KD', province: 'GD', statuses: ['RESOLVED', 'ACKNOWLEDGED', 'HELD'] }, 0, 20);
    expect(p.items).toHaveLength(1);
  });

  it('asks the CRM nothing for statuses it never produces (HELD, REJECTED) or an empty list', async () => {
    const client = testClient();
    expect(await client.searchTickets({ statuses: ['HELD', 'REJECTED'] }, 0, 20)).toEqual({ items: [], hasNextPage: false });
    expect(await client.ticketsByCustomers(['1-7QX3KD'], [], 20)).toEqual([]);
  });

  it('asks ServiceRequest:byCustomer 50 customers a call, with the status searchspec, newest first and limitPerCustomer', async () => {
    login();
    const bodies: Record<string, unknown>[] = [];
    crm()
      .post('/crm/v1/data/ServiceRequest:byCustomer')
      .times(2)
      .reply(200, (_uri, body) => {
        bodies.push(body as Record<string, unknown>);
        return { items: [] };
      }, jsonHeaders);
    await testClient().ticketsByCustomers(customerIds(70), ['PENDING', 'IN_PROGRESS'], 5);
    expect(bodies.map((b) => (b.customerIds as string[]).length).sort((a, b) => b - a)).toEqual([50, 20]);
    expect(bodies[0]).toMatchObject({ searchspec: "[Status]='Open - Escalated' OR [Status]='Pending'", sortspec: '[Opened] (DESCENDING)', limitPerCustomer: 5 });
  });

  it('narrows ServiceRequest:byCustomer to the viewer’s region, AND-ed with the statuses', async () => {
    login();
    crm()
      .post('/crm/v1/data/ServiceRequest:byCustomer', {
        customerIds: ['1-7QX3KD'],
        searchspec: "[Province]='GD' AND [Local Network]='SZ' AND ([Status]='Open - Escalated' OR [Status]='Pending')",
        sortspec: '[Opened] (DESCENDING)',
        limitPerCustomer: 5,
      })
      .reply(200, { items: [] }, jsonHeaders);
    crm()
      .post('/crm/v1/data/ServiceRequest:byCustomer', { customerIds: ['1-7QX3KD'], searchspec: "[Province]='GD'", sortspec: '[Opened] (DESCENDING)', limitPerCustomer: 20 })
      .reply(200, { items: [] }, jsonHeaders);
    const client = testClient();
    expect(await client.ticketsByCustomers(['1-7QX3KD'], ['PENDING', 'IN_PROGRESS'], 5, { province: 'GD', localNetwork: 'SZ' })).toEqual([]);
    expect(await client.ticketsByCustomers(['1-7QX3KD'], undefined, 20, { province: 'GD' })).toEqual([]);
    expect(nock.isDone()).toBe(true);
  });

  it('sends no searchspec to :byCustomer when every status is asked, and asks Survey:byCustomer for the latest one only', async () => {
    login();
    crm()
      .post('/crm/v1/data/ServiceRequest:byCustomer', { customerIds: ['1-7QX3KD'], sortspec: '[Opened] (DESCENDING)', limitPerCustomer: 20 })
      .reply(200, { items: [] }, jsonHeaders);
    crm()
      .post('/crm/v1/data/Survey:byCustomer', { customerIds: ['1-7QX3KD'], sortspec: '[Date] (DESCENDING)', limitPerCustomer: 1 })
      .reply(200, { items: [] }, jsonHeaders);
    crm()
      .post('/crm/v1/data/Activity:byCustomer', { customerIds: ['1-7QX3KD'], sortspec: '[Start] (DESCENDING)', limitPerCustomer: 7 })
      .reply(200, { items: [] }, jsonHeaders);
    const client = testClient();
    await client.ticketsByCustomers(['1-7QX3KD'], undefined, 20);
    await client.latestSurveys(['1-7QX3KD']);
    await client.interactionsByCustomers(['1-7QX3KD'], 7);
  });

  it('never has more than 5 calls in flight on its session (the CRM answers 429 beyond)', async () => {
    login();
    let inFlight = 0;
    let peak = 0;
    crm()
      .post('/crm/v1/customers:lookup')
      .times(12)
      .reply(function (_uri, _body, cb) {
        inFlight++;
        peak = Math.max(peak, inFlight);
        setTimeout(() => {
          inFlight--;
          cb(null, [200, { items: [] }, jsonHeaders]);
        }, 20);
      });
    // 12 chunks of 50 at once.
    await testClient().customersByIds(customerIds(600));
    expect(peak).toBe(5);
  });
});

describe('HttpCustomerServiceClient errors', () => {
  it('maps a 500 (SBL-SVR-01042) to LEGACY_UNAVAILABLE, retryable', async () => {
    login();
    crm().post('/crm/v1/customers:lookup').reply(500, { ErrorCode: 'SBL-SVR-01042', ErrorMsg: 'Internal error' }, jsonHeaders);
    const err = await productError(() => testClient().customersByIds(['1-AAAAAA']));
    expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', system: 'customer-service', retryable: true });
    expect(err.message).toContain('SBL-SVR-01042');
  });

  it('maps a 429 to LEGACY_UNAVAILABLE with retryAfterSeconds from Retry-After', async () => {
    login();
    crm()
      .post('/crm/v1/customers:lookup')
      .reply(429, { ErrorCode: 'SBL-SMI-00126', ErrorMsg: 'Too many concurrent requests' }, { ...jsonHeaders, 'retry-after': '3' });
    expect(await productError(() => testClient().customersByIds(['1-AAAAAA']))).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true, retryAfterSeconds: 3 });
  });

  it('maps a 503 with Retry-After to LEGACY_UNAVAILABLE with retryAfterSeconds', async () => {
    login();
    crm().get('/crm/v1/data/Customer').query(true).reply(503, { ErrorCode: 'SBL-EIM-00205', ErrorMsg: 'bulk load' }, { ...jsonHeaders, 'retry-after': '300' });
    expect(await productError(() => testClient().searchCustomers({ province: 'GD' }, 0, 5))).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryAfterSeconds: 300 });
  });

  it('maps a 400 with an SBL code to INTERNAL_SERVER_ERROR (our bug) and logs the CRM message', async () => {
    login();
    crm()
      .get('/crm/v1/data/Customer')
      .query(true)
      .reply(400, { ErrorCode: 'SBL-DAT-00398', ErrorMsg: "Field 'Nmae' does not exist" }, jsonHeaders);
    const { logger, lines } = capturingLogger();
    const err = await productError(() => testClient({ logger }).searchCustomers({ province: 'GD' }, 0, 5));
    expect(err).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', retryable: false });
    expect(lines().find((l) => l.level === 50)).toMatchObject({ sbl: 'SBL-DAT-00398', sblMessage: "Field 'Nmae' does not exist" });
  });

  it('maps truncated JSON (a cut-off answer) to LEGACY_BAD_RESPONSE', async () => {
    login();
    crm().post('/crm/v1/customers:lookup').reply(200, '{"items":[{"Row Id":"1-7QX3KD","Na', jsonHeaders);
    expect(await productError(() => testClient().customersByIds(['1-7QX3KD']))).toMatchObject({ code: 'LEGACY_BAD_RESPONSE', retryable: false });
  });

  it('maps a record without a required field (SR Number) to LEGACY_BAD_RESPONSE', async () => {
    login();
    const { 'SR Number': _drop, ...noSr } = wireTicket('1-204817733');
    crm().get('/crm/v1/data/ServiceRequest').query(true).reply(200, page([noSr]), jsonHeaders);
    const err = await productError(() => testClient().ticketsByIds(['1-204817733']));
    expect(err.code).toBe('LEGACY_BAD_RESPONSE');
    expect(err.message).toContain('SR Number');
  });

  it('maps an HTML page where JSON was expected to LEGACY_BAD_RESPONSE', async () => {
    login();
    crm().post('/crm/v1/customers:lookup').reply(200, '<html>maintenance</html>', { 'content-type': 'text/html' });
    expect((await productError(() => testClient().customersByIds(['1-7QX3KD']))).code).toBe('LEGACY_BAD_RESPONSE');
  });

  it('maps a refused connection to LEGACY_UNAVAILABLE, retryable', async () => {
    // A real loopback port with nothing listening (nock's replyWithError does not reach got 14).
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise((r) => server.close(r));
    const err = await productError(() => testClient({ baseUrl: `http://127.0.0.1:${port}` }).customersByIds(['1-7QX3KD']));
    expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true });
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('maps a connection closed without an answer (the `down` fault) to LEGACY_UNAVAILABLE, retryable', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const err = await productError(() => testClient({ baseUrl: `http://127.0.0.1:${port}` }).customersByIds(['1-7QX3KD']));
      expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: true });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('maps no answer within CUSTOMER_SERVICE_TIMEOUT_MS to LEGACY_TIMEOUT', async () => {
    login();
    crm().post('/crm/v1/customers:lookup').delay(500).reply(200, { items: [] }, jsonHeaders);
    expect(await productError(() => testClient({ timeoutMs: 100 }).customersByIds(['1-7QX3KD']))).toMatchObject({ code: 'LEGACY_TIMEOUT', retryable: true });
  });

  it('maps a 404 on a route to a configuration error naming CUSTOMER_SERVICE_URL', async () => {
    login();
    crm().post('/crm/v1/customers:lookup').reply(404, { ErrorCode: 'SBL-ODU-00272', ErrorMsg: 'No such resource' }, jsonHeaders);
    const err = await productError(() => testClient().customersByIds(['1-7QX3KD']));
    expect(err).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryable: false });
    expect(err.message).toContain('CUSTOMER_SERVICE_URL');
  });

  it('maps a 409 (a closed request is read-only) to LEGACY_REJECTED', async () => {
    login();
    crm().post('/crm/v1/customers:lookup').reply(409, { ErrorCode: 'SBL-DAT-00402', ErrorMsg: 'read-only' }, jsonHeaders);
    expect(await productError(() => testClient().customersByIds(['1-7QX3KD']))).toMatchObject({ code: 'LEGACY_REJECTED', retryable: false });
  });

  it('refuses calls beyond its own queue with LEGACY_UNAVAILABLE instead of piling them up', async () => {
    login();
    crm().post('/crm/v1/customers:lookup').times(2).delay(30).reply(200, { items: [] }, jsonHeaders);
    const client = testClient({ maxConcurrency: 1, maxQueue: 1 });
    const results = await Promise.allSettled([client.customersByIds(['1-AAAAA1']), client.customersByIds(['1-AAAAA2']), client.customersByIds(['1-AAAAA3'])]);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'LEGACY_UNAVAILABLE', retryAfterSeconds: 1 });
  });
});
