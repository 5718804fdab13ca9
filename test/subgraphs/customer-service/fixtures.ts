import { Writable } from 'node:stream';
import nock from 'nock';
import pino, { type Logger } from 'pino';
import { HttpCustomerServiceClient, type HttpCustomerServiceClientOptions } from '../../../subgraphs/customer-service/client/CustomerServiceClient.js';

/** Shared test data for the customer-service subgraph: CRM wire records, a nock'ed client, log capture. */

export const CRM = 'http://crm.test';
export const TOKEN = 'tok-1';
export const silentLogger = pino({ level: 'silent' });
export const jsonHeaders = { 'content-type': 'application/json; charset=utf-8' };

/** A logger whose lines the test can read. */
export function capturingLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      out.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines: () => out.flatMap((l) => l.split('\n').filter(Boolean)).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** An HTTP client towards {@link CRM}; the contract's limits unless overridden. */
export function testClient(overrides: Partial<HttpCustomerServiceClientOptions> = {}): HttpCustomerServiceClient {
  return HttpCustomerServiceClient.create({
    baseUrl: CRM,
    user: 'gateway',
    password: 'gateway-dev',
    timeoutMs: 2000,
    connectTimeoutMs: 1000,
    maxConcurrency: 5,
    maxQueue: 1000,
    batchSize: 50,
    logger: silentLogger,
    ...overrides,
  });
}

/** The CRM mock for data calls, the token checked. */
export function crm(token = TOKEN): nock.Scope {
  return nock(CRM, { reqheaders: { authorization: `Bearer ${token}` } });
}

/** Expects `times` logins with the embedded stack's credentials, answering `token`. */
export function login(token = TOKEN, times = 1): nock.Scope {
  return nock(CRM).post('/crm/v1/session', { user: 'gateway', password: 'gateway-dev' }).times(times).reply(200, { token, expiresIn: 900 }, jsonHeaders);
}

export const expired = { ErrorCode: 'SBL-DAT-00175', ErrorMsg: 'Your session has expired. Please log in again.' };

/** A search answer. */
export const page = (items: readonly unknown[], LastPage = true) => ({ items, LastPage });

// ------------------------------------------------------------------ wire records (as the CRM sends them)

/** `/work/shared/wire-examples/crm-Customer.response.json`, the record as the contract shows it. */
export const WIRE_EXAMPLE_CUSTOMER = {
  'Row Id': '1-7QX3KD',
  Name: '陈晓明',
  'Customer Type': 'Individual',
  Status: 'Active',
  Segment: 'Mass',
  'Star Level': '4 Star',
  'Big Customer Class': '',
  Province: 'GD',
  'Local Network': 'SZ',
  'Account Manager': '',
  'Parent Row Id': '',
  'ID Type': 'Resident ID',
  'ID Number': '440305198803150012',
  Phone: '13812345678',
  Email: '',
  'Preferred Channel': 'Phone',
  'Billing Account Numbers': '3300098765',
  'Service Numbers': '13812345678,075526881234',
  Created: '03/15/2019 09:30:00',
};

export function wireCustomer(id: string, over: Record<string, string> = {}) {
  return { ...WIRE_EXAMPLE_CUSTOMER, 'Row Id': id, ...over };
}

export function wireTicket(sr: string, customerId = '1-7QX3KD', over: Record<string, string> = {}) {
  return {
    'SR Number': sr,
    'Customer Id': customerId,
    Type: 'Incident',
    Status: 'Open',
    Priority: '2-High',
    Source: 'Phone',
    Abstract: '宽带频繁掉线',
    Province: 'GD',
    'Local Network': 'SZ',
    Opened: '11/20/2026 10:15:00',
    Closed: '',
    'Resolution Code': '',
    'Commit Time': '11/21/2026 10:15:00',
    'Related Service Number': 'AD0755123456',
    'Related Alarm Id': '',
    'External Ref': '',
    ...over,
  };
}

export function wireActivity(id: string, customerId = '1-7QX3KD', over: Record<string, string> = {}) {
  return {
    'Activity Id': id,
    'Customer Id': customerId,
    Direction: 'Inbound',
    Channel: 'Phone',
    Reason: '咨询话费账单',
    Start: '11/20/2026 09:00:00',
    Agent: 'SZ-3460',
    Status: 'Done',
    ...over,
  };
}

export function wireSurvey(customerId = '1-7QX3KD', over: Record<string, string> = {}) {
  return { 'Customer Id': customerId, CSAT: '4', NPS: '8', Date: '11/21/2026 12:00:00', ...over };
}

/** `n` well-formed, distinct CRM Row Ids. */
export function customerIds(n: number): string[] {
  return Array.from({ length: n }, (_, k) => `1-C${String(k).padStart(5, '0')}`);
}

/** `n` well-formed, distinct SR numbers. */
export function ticketIds(n: number): string[] {
  return Array.from({ length: n }, (_, k) => `1-${String(200000000 + k)}`);
}
