import type { EmulatorEnvironment, IncomingRequest, OutgoingResponse, RequestContext, SystemHandler } from '../shared/server.js';
import { SblFailure, fail, sblError } from './errors.js';
import { BUSINESS_COMPONENTS, type BusinessComponent } from './fields.js';
import { activityRow } from './interactions.js';
import {
  CrmModel,
  DuplicateExternalRef,
  LIMIT_PER_CUSTOMER_DEFAULT,
  LIMIT_PER_CUSTOMER_MAX,
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  noteRow,
  type ChildComponent,
} from './model.js';
import { SessionStore, release, type Slot } from './sessions.js';
import { ticketRow } from './ticketFacts.js';
import { intParam, json, jsonBody, listPage, optionalText, stringList, truncated } from './wire.js';

/**
 * The CRM's routes (contract §3) under `/crm/v1/`, and where the faults that have a CRM form are
 * applied: sessions and the per-session in-flight limit at arrival (`admit`), then `errorRate`,
 * the `bulkLoad` window and `malformedRate` around the answer.
 */

type Route =
  | { kind: 'session' }
  | { kind: 'search'; bc: BusinessComponent }
  | { kind: 'lookup' }
  | { kind: 'byCustomer'; bc: ChildComponent }
  | { kind: 'createTicket' }
  | { kind: 'note'; sr: string }
  | { kind: 'createActivity' };

interface Matched {
  readonly route: Route;
  /** The CRM's name for the call, for the request log. */
  readonly operation: string;
  readonly write: boolean;
}

const CHILDREN: readonly string[] = ['ServiceRequest', 'Activity', 'Survey'];

export function matchRoute(method: string, pathname: string): Matched | undefined {
  let path: string;
  try {
    // Clients may send the ':' of `customers:lookup` percent-encoded.
    path = decodeURIComponent(pathname).replace(/\/+$/, '');
  } catch {
    return undefined;
  }
  if (method === 'POST' && path === '/crm/v1/session') return { route: { kind: 'session' }, operation: 'POST session', write: false };
  if (method === 'POST' && path === '/crm/v1/customers:lookup') return { route: { kind: 'lookup' }, operation: 'POST customers:lookup', write: false };
  let m = /^\/crm\/v1\/data\/([^/]+)$/.exec(path);
  if (m) {
    const name = m[1]!;
    if (method === 'GET' && (BUSINESS_COMPONENTS as readonly string[]).includes(name)) {
      return { route: { kind: 'search', bc: name as BusinessComponent }, operation: `GET ${name}`, write: false };
    }
    if (method !== 'POST') return undefined;
    if (name === 'ServiceRequest') return { route: { kind: 'createTicket' }, operation: 'POST ServiceRequest', write: true };
    if (name === 'Activity') return { route: { kind: 'createActivity' }, operation: 'POST Activity', write: true };
    const by = /^(\w+):byCustomer$/.exec(name);
    if (by && CHILDREN.includes(by[1]!)) {
      return { route: { kind: 'byCustomer', bc: by[1] as ChildComponent }, operation: `POST ${by[1]}:byCustomer`, write: false };
    }
    return undefined;
  }
  m = /^\/crm\/v1\/data\/ServiceRequest\/([^/]+)\/notes$/.exec(path);
  if (m && method === 'POST') return { route: { kind: 'note', sr: m[1]! }, operation: 'POST ServiceRequest/notes', write: true };
  return undefined;
}

export function createCustomerServiceHandler(env: EmulatorEnvironment): SystemHandler {
  const { config } = env;
  const model = new CrmModel(env.world);
  const sessions = new SessionStore(config.sessionIdleSeconds);
  const matched = new WeakMap<IncomingRequest, Matched>();
  const slots = new WeakMap<IncomingRequest, Slot>();

  const dispatch = async (route: Route, req: IncomingRequest, ctx: RequestContext): Promise<OutgoingResponse> => {
    const now = ctx.now();
    switch (route.kind) {
      case 'session': {
        const body = jsonBody(req);
        const user = optionalText(body, 'user');
        const password = optionalText(body, 'password');
        ctx.log.keys = user ? [user] : [];
        if (!user) fail('requiredField', 'user');
        if (!password) fail('requiredField', 'password');
        if (user !== config.user || password !== config.password) fail('badCredentials');
        const s = sessions.login(now);
        return json(200, { token: s.token, expiresIn: config.sessionIdleSeconds });
      }
      case 'search': {
        const params = req.url.searchParams;
        const spec = params.get('searchspec') ?? '';
        const size = intParam(params, 'PageSize', PAGE_SIZE_DEFAULT, 1, PAGE_SIZE_MAX);
        const start = intParam(params, 'StartRowNum', 0, 0, 999_999_999);
        const page = await model.search(route.bc, spec, params.get('sortspec') ?? '', start, size, now);
        return listPage(page.items, page.lastPage);
      }
      case 'lookup': {
        const body = jsonBody(req);
        const hasIds = body.ids !== undefined;
        const hasNumbers = body.serviceNumbers !== undefined;
        if (hasIds === hasNumbers) fail('badParameter', 'send exactly one of "ids" and "serviceNumbers"');
        const kind = hasIds ? 'ids' : 'serviceNumbers';
        const keys = stringList(body, kind);
        ctx.log.keys = keys;
        return json(200, { items: model.lookupCustomers(kind, keys) });
      }
      case 'byCustomer': {
        const body = jsonBody(req);
        for (const key of Object.keys(body)) {
          if (!['customerIds', 'searchspec', 'sortspec', 'limitPerCustomer'].includes(key)) fail('badParameter', `unknown member "${key}"`);
        }
        const ids = stringList(body, 'customerIds');
        ctx.log.keys = ids;
        const limit = body.limitPerCustomer ?? LIMIT_PER_CUSTOMER_DEFAULT;
        if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > LIMIT_PER_CUSTOMER_MAX) {
          fail('badParameter', `limitPerCustomer must be a whole number from 1 to ${LIMIT_PER_CUSTOMER_MAX}`);
        }
        const items = model.byCustomer(route.bc, ids, optionalText(body, 'searchspec'), optionalText(body, 'sortspec'), limit, now);
        return json(200, { items });
      }
      case 'createTicket': {
        const body = jsonBody(req);
        ctx.log.keys = [body['Customer Id'], body['External Ref']].filter((k): k is string => typeof k === 'string' && k !== '');
        const t = model.createTicket(body, now);
        if (t instanceof DuplicateExternalRef) return sblError('duplicate', [t.externalRef], { body: { 'SR Number': t.sr } });
        return json(201, ticketRow(t, env.world.customerId(t.customer), now));
      }
      case 'note': {
        ctx.log.keys = [route.sr];
        const body = jsonBody(req);
        return json(201, noteRow(model.addNote(route.sr, body, now)));
      }
      case 'createActivity': {
        const body = jsonBody(req);
        ctx.log.keys = typeof body['Customer Id'] === 'string' ? [body['Customer Id']] : [];
        const a = model.createActivity(body, now);
        return json(201, activityRow(a, env.world.customerId(a.customer), now));
      }
    }
  };

  return {
    admit(req, ctx) {
      const m = matchRoute(req.method, req.url.pathname);
      if (!m) return sblError('noSuchRoute', [`${req.method} ${req.url.pathname}`]);
      matched.set(req, m);
      ctx.log.operation = m.operation;
      // A search's keys are in its URL: log them even when the call is turned away here.
      if (m.route.kind === 'search') {
        const spec = req.url.searchParams.get('searchspec');
        ctx.log.keys = spec ? [spec] : [];
      }
      if (m.route.kind === 'session') return undefined;
      const auth = req.headers.authorization;
      const check = sessions.check(typeof auth === 'string' ? auth : undefined, ctx.now());
      if (!check.ok) return sblError(check.reason, []);
      // contract §3: more than maxConcurrency calls in flight on one session answer 429.
      const l = ctx.faults.latencyMs;
      const slot = sessions.acquire(check.session, ctx.faults.maxConcurrency, l.p99 <= l.p50 ? l.p50 : l.p99 * 3);
      if (!slot) return sblError('tooManyCalls', [ctx.faults.maxConcurrency]);
      slots.set(req, slot);
      // Free the slot however the call ends, even if the handler is never reached (an abort during the latency).
      ctx.onRelease(() => release(slot));
      return undefined;
    },

    async handle(req, ctx) {
      const m = matched.get(req) ?? matchRoute(req.method, req.url.pathname);
      const slot = slots.get(req);
      if (slot) slot.handling = true;
      try {
        if (!m) return sblError('noSuchRoute', [`${req.method} ${req.url.pathname}`]);
        if (ctx.roll(ctx.faults.errorRate)) return sblError('internal', []);
        // contract §3: during the nightly EIM load writes answer 503 and reads still work.
        if (m.write && ctx.faults.window === 'bulkLoad') return sblError('bulkLoad', []);
        let out: OutgoingResponse;
        try {
          out = await dispatch(m.route, req, ctx);
        } catch (e) {
          if (!(e instanceof SblFailure)) throw e;
          out = e.response;
        }
        if (out.status >= 200 && out.status < 300 && ctx.roll(ctx.faults.malformedRate)) out = truncated(out);
        return out;
      } finally {
        if (slot) release(slot);
      }
    },

    reset() {
      model.reset();
      sessions.clear();
    },

    faultsChanged(faults) {
      if (faults.expireSessions) sessions.expireAll();
    },
  };
}
