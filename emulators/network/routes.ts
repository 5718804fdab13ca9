import type { EmulatorEnvironment, IncomingRequest, OutgoingResponse, RequestContext, SystemHandler } from '../shared/server.js';
import type { Line } from '../shared/world.js';
import { rankOfLabel, type NmsAlarm } from './alarm-record.js';
import type { AlarmFilter } from './alarms.js';
import { BUSY_RETRY_AFTER_S, NmsError, TOPOLOGY_SYNC_RETRY_AFTER_S } from './errors.js';
import { BATCH_LIMIT, checkBatch, NetworkModel, paging, type Paging } from './model.js';
import {
  alarmFields,
  badGateway,
  basicCredentials,
  elementFields,
  entity,
  errorResponse,
  list,
  negotiate,
  noContent,
  outageFields,
  plainCount,
  readJsonBody,
  serviceFields,
  stringArray,
  truncate,
  type Format,
} from './wire.js';

/**
 * The NMS's REST routes (contract §2) under `/nms/rest/`, and the parts of §0 whose wire form is
 * the NMS's own: the in-flight limit (503), the `topologySync` window (503 on `/services` and
 * `/nes`), `errorRate` (the proxy's 502) and `malformedRate` (a cut-off 200).
 */

export const BASE_PATH = '/nms/rest';
/** §0: the NMS's own maintenance window. */
export const TOPOLOGY_SYNC = 'topologySync';

interface Call {
  readonly req: IncomingRequest;
  readonly ctx: RequestContext;
  readonly format: Format;
  readonly now: number;
  readonly dynamics: boolean;
  readonly params: readonly string[];
  /** The Basic-auth user. */
  readonly user: string;
}

interface Route {
  readonly method: string;
  readonly path: RegExp;
  /** The name the request log and the stats use: the templated path. */
  readonly operation: string;
  /** Inventory calls are what `topologySync` takes away. */
  readonly inventory?: boolean;
  run(call: Call): OutgoingResponse;
}

type Resolved = { route: Route; params: string[] } | { allow: string[] } | undefined;

export function createNetworkHandler(env: EmulatorEnvironment): SystemHandler {
  const model = new NetworkModel(env.world);
  const world = env.world;
  const neId = (e: number) => world.elements[e]!.id;
  const alarmRec = (a: NmsAlarm) => alarmFields(a, neId(a.element));

  const query = (call: Call) => call.req.url.searchParams;
  const nonEmpty = (v: string | null) => (v === null || v === '' ? undefined : v);
  const pagingOf = (call: Call) => paging(nonEmpty(query(call).get('offset')), nonEmpty(query(call).get('limit')));

  const servicesList = (call: Call, lines: readonly Line[], totalCount: number, p: Paging) =>
    list(call.format, 'services', 'service', { totalCount, offset: p.offset, limit: p.limit }, model.services(lines, call.now, call.dynamics).map(serviceFields));

  /** A batch answer is one page holding everything found. */
  const batchHead = (found: number) => ({ totalCount: found, offset: 0, limit: BATCH_LIMIT });

  const minRank = (label: unknown): number => {
    if (label === undefined || label === null) return 5;
    if (typeof label !== 'string') throw new NmsError('MALFORMED_BODY', '"minSeverity" must be a severity label');
    const rank = rankOfLabel(label);
    if (rank === undefined) {
      throw new NmsError('INVALID_PARAMETER', `minSeverity ${JSON.stringify(label)} is not a severity; use CRITICAL, MAJOR, MINOR, WARNING, INDETERMINATE or CLEARED`);
    }
    return rank;
  };

  const activeParam = (raw: string | undefined): boolean | undefined => {
    if (raw === undefined) return undefined;
    if (raw !== 'true' && raw !== 'false') throw new NmsError('INVALID_PARAMETER', `active must be true or false, got ${JSON.stringify(raw)}`);
    return raw === 'true';
  };

  /** `neId` may repeat; none means the whole network. */
  const alarmFilterFromQuery = (call: Call): AlarmFilter => {
    const ids = query(call).getAll('neId').filter((s) => s !== '');
    checkBatch('neId', ids);
    call.ctx.log.keys = ids;
    const active = activeParam(nonEmpty(query(call).get('active')));
    return {
      ...(ids.length > 0 ? { elements: model.elementIndexes(ids) } : {}),
      maxRank: minRank(nonEmpty(query(call).get('minSeverity'))),
      ...(active === undefined ? {} : { active }),
    };
  };

  const alarmList = (call: Call, filter: AlarmFilter, p: Paging) => {
    const result = model.alarms.query(filter, call.now, call.dynamics);
    return list(call.format, 'alarms', 'alarm', { totalCount: result.totalCount, offset: p.offset, limit: p.limit }, result.page(p.offset, p.limit).map(alarmRec));
  };

  const alarmId = (raw: string): number | undefined => (/^\d{1,15}$/.test(raw) ? Number(raw) : undefined);

  const outageOr404 = (call: Call, id: string) => {
    const o = model.outage(id, call.now);
    if (!o) throw new NmsError('NOT_FOUND', `no outage ${id}`);
    return o;
  };

  const routes: Route[] = [
    {
      method: 'GET',
      path: /^\/services$/,
      operation: 'GET /services',
      inventory: true,
      run: (call) => {
        const code = nonEmpty(query(call).get('customerCode'));
        if (code === undefined) {
          // The inventory is far too large to list whole: the NMS insists on a customer.
          throw new NmsError('MISSING_PARAMETER', 'customerCode is required (the CRM customer id, e.g. 1-7QX3KD)');
        }
        call.ctx.log.keys = [code];
        const p = pagingOf(call);
        const lines = model.linesOfCustomer(code);
        return servicesList(call, lines.slice(p.offset, p.offset + p.limit), lines.length, p);
      },
    },
    {
      method: 'POST',
      path: /^\/services\/_batch$/,
      operation: 'POST /services/_batch',
      inventory: true,
      run: (call) => {
        const numbers = stringArray(readJsonBody(call.req.body, ['serviceNumbers']), 'serviceNumbers');
        call.ctx.log.keys = numbers;
        checkBatch('serviceNumbers', numbers);
        const lines = model.linesByNumbers(numbers);
        return list(call.format, 'services', 'service', batchHead(lines.length), model.services(lines, call.now, call.dynamics).map(serviceFields));
      },
    },
    {
      method: 'POST',
      path: /^\/nes\/_batch$/,
      operation: 'POST /nes/_batch',
      inventory: true,
      run: (call) => {
        const ids = stringArray(readJsonBody(call.req.body, ['ids']), 'ids');
        call.ctx.log.keys = ids;
        checkBatch('ids', ids);
        const els = model.elementsByIds(ids);
        return list(call.format, 'nes', 'ne', batchHead(els.length), els.map((e) => elementFields(e, e.parent >= 0 ? neId(e.parent) : null)));
      },
    },
    {
      method: 'GET',
      path: /^\/nes\/([^/]+)$/,
      operation: 'GET /nes/{id}',
      inventory: true,
      run: (call) => {
        const id = call.params[0]!;
        call.ctx.log.keys = [id];
        const e = model.element(id);
        if (!e) throw new NmsError('NOT_FOUND', `no network element ${id}`);
        return entity(call.format, 'ne', elementFields(e, e.parent >= 0 ? neId(e.parent) : null));
      },
    },
    {
      method: 'GET',
      path: /^\/alarms$/,
      operation: 'GET /alarms',
      run: (call) => alarmList(call, alarmFilterFromQuery(call), pagingOf(call)),
    },
    {
      method: 'GET',
      path: /^\/alarms\/count$/,
      operation: 'GET /alarms/count',
      run: (call) => plainCount(model.alarms.query(alarmFilterFromQuery(call), call.now, call.dynamics).totalCount),
    },
    {
      method: 'POST',
      path: /^\/alarms\/_query$/,
      operation: 'POST /alarms/_query',
      run: (call) => {
        const body = readJsonBody(call.req.body, ['neIds', 'minSeverity', 'active', 'offset', 'limit']);
        const ids = stringArray(body, 'neIds');
        call.ctx.log.keys = ids;
        checkBatch('neIds', ids);
        if (body.active !== undefined && body.active !== null && typeof body.active !== 'boolean') {
          throw new NmsError('MALFORMED_BODY', '"active" must be true or false');
        }
        const filter: AlarmFilter = {
          elements: model.elementIndexes(ids),
          maxRank: minRank(body.minSeverity),
          ...(typeof body.active === 'boolean' ? { active: body.active } : {}),
        };
        // Paging as on every list: in the query string, or in the body (which wins).
        const q = query(call);
        const p = paging(body.offset ?? nonEmpty(q.get('offset')), body.limit ?? nonEmpty(q.get('limit')));
        return alarmList(call, filter, p);
      },
    },
    {
      method: 'POST',
      path: /^\/alarms\/_byIds$/,
      operation: 'POST /alarms/_byIds',
      run: (call) => {
        const body = readJsonBody(call.req.body, ['ids']);
        if (!Array.isArray(body.ids)) throw new NmsError('MALFORMED_BODY', '"ids" must be an array of alarm ids');
        const raw = body.ids as unknown[];
        call.ctx.log.keys = raw.map(String);
        checkBatch('ids', raw);
        const ids: number[] = [];
        for (const x of raw) {
          // Ids are integers; digit strings are taken too (GraphQL clients hold ids as strings).
          const id = typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? x : typeof x === 'string' ? alarmId(x) : undefined;
          if (id === undefined) {
            if (typeof x === 'string') continue; // a string that is no id names no alarm
            throw new NmsError('MALFORMED_BODY', `every entry of "ids" must be an alarm id, got ${JSON.stringify(x)}`);
          }
          if (!ids.includes(id)) ids.push(id);
        }
        const found = ids.map((id) => model.alarms.alarm(id, call.now, call.dynamics)).filter((a): a is NmsAlarm => a !== undefined);
        return list(call.format, 'alarms', 'alarm', batchHead(found.length), found.map(alarmRec));
      },
    },
    {
      method: 'GET',
      path: /^\/alarms\/([^/]+)$/,
      operation: 'GET /alarms/{id}',
      run: (call) => {
        const raw = call.params[0]!;
        call.ctx.log.keys = [raw];
        const id = alarmId(raw);
        const a = id === undefined ? undefined : model.alarms.alarm(id, call.now, call.dynamics);
        if (!a) throw new NmsError('NOT_FOUND', `no alarm ${raw}`);
        return entity(call.format, 'alarm', alarmRec(a));
      },
    },
    {
      method: 'PUT',
      path: /^\/alarms\/([^/]+)$/,
      operation: 'PUT /alarms/{id}',
      run: (call) => {
        const raw = call.params[0]!;
        call.ctx.log.keys = [raw];
        const ackRaw = nonEmpty(query(call).get('ack'));
        if (ackRaw === undefined) throw new NmsError('MISSING_PARAMETER', 'ack=true (acknowledge) or ack=false (un-acknowledge) is required');
        if (ackRaw !== 'true' && ackRaw !== 'false') throw new NmsError('INVALID_PARAMETER', `ack must be true or false, got ${JSON.stringify(ackRaw)}`);
        const user = nonEmpty(query(call).get('ackUser')) ?? call.user;
        call.ctx.log.operator = user;
        const id = alarmId(raw);
        if (id === undefined || !model.alarms.acknowledge(id, ackRaw === 'true', user, call.now, call.dynamics)) {
          throw new NmsError('NOT_FOUND', `no alarm ${raw}`);
        }
        return noContent();
      },
    },
    {
      method: 'GET',
      path: /^\/outages$/,
      operation: 'GET /outages',
      run: (call) => {
        const province = nonEmpty(query(call).get('province'));
        const ln = nonEmpty(query(call).get('localNetwork'));
        call.ctx.log.keys = [province, ln].filter((k): k is string => k !== undefined);
        const p = pagingOf(call);
        const outages = model.outages(province, ln, call.now);
        const page = outages.slice(p.offset, p.offset + p.limit).map((o) => outageFields(model.outageRecord(o, call.now)));
        return list(call.format, 'outages', 'outage', { totalCount: outages.length, offset: p.offset, limit: p.limit }, page);
      },
    },
    {
      method: 'POST',
      path: /^\/outages\/_byIds$/,
      operation: 'POST /outages/_byIds',
      run: (call) => {
        const ids = stringArray(readJsonBody(call.req.body, ['ids']), 'ids');
        call.ctx.log.keys = ids;
        checkBatch('ids', ids);
        const found = model.outagesByIds(ids, call.now);
        return list(call.format, 'outages', 'outage', batchHead(found.length), found.map((o) => outageFields(model.outageRecord(o, call.now))));
      },
    },
    {
      method: 'GET',
      path: /^\/outages\/([^/]+)\/services$/,
      operation: 'GET /outages/{id}/services',
      run: (call) => {
        const id = call.params[0]!;
        call.ctx.log.keys = [id];
        const o = outageOr404(call, id);
        const p = pagingOf(call);
        return servicesList(call, model.outageLines(o, p.offset, p.limit), model.aggregationCount(o.aggregation), p);
      },
    },
    {
      method: 'GET',
      path: /^\/outages\/([^/]+)$/,
      operation: 'GET /outages/{id}',
      run: (call) => {
        const id = call.params[0]!;
        call.ctx.log.keys = [id];
        return entity(call.format, 'outage', outageFields(model.outageRecord(outageOr404(call, id), call.now)));
      },
    },
  ];

  const resolve = (req: IncomingRequest): Resolved => {
    const full = req.url.pathname;
    if (full !== BASE_PATH && !full.startsWith(`${BASE_PATH}/`)) return undefined;
    const path = full.slice(BASE_PATH.length).replace(/\/+$/, '');
    const allow: string[] = [];
    for (const route of routes) {
      const m = route.path.exec(path);
      if (!m) continue;
      let params: string[];
      try {
        params = m.slice(1).map((s) => decodeURIComponent(s));
      } catch {
        return undefined;
      }
      if (route.method === req.method) return { route, params };
      if (!allow.includes(route.method)) allow.push(route.method);
    }
    return allow.length ? { allow } : undefined;
  };

  // Templated paths only, so that the stats do not grow with every id asked for.
  const operationOf = (r: Resolved, req: IncomingRequest) => (r && 'route' in r ? r.route.operation : `${req.method} (unknown route)`);

  return {
    admit(req, ctx) {
      const format = negotiate(req.headers);
      const resolved = resolve(req);
      ctx.log.operation = operationOf(resolved, req);
      // contract §2: more than 10 calls in flight answer 503 with Retry-After.
      if (ctx.inFlight > ctx.faults.maxConcurrency) {
        return errorResponse(
          format,
          new NmsError('SERVER_BUSY', `more than ${ctx.faults.maxConcurrency} calls in flight; retry later`, { 'retry-after': String(BUSY_RETRY_AFTER_S) }),
        );
      }
      if (req.url.pathname.startsWith(`${BASE_PATH}/`) || req.url.pathname === BASE_PATH) {
        const creds = basicCredentials(req.headers);
        if (!creds || creds.user !== ctx.config.user || creds.password !== ctx.config.password) {
          return errorResponse(
            format,
            new NmsError('UNAUTHORIZED', creds ? 'wrong user or password' : 'HTTP Basic credentials are required', { 'www-authenticate': 'Basic realm="NMS REST"' }),
          );
        }
      }
      return undefined;
    },

    handle(req, ctx) {
      const format = negotiate(req.headers);
      try {
        // §0 errorRate: the proxy in front of the NMS answers 502 (before the NMS sees the call).
        if (ctx.roll(ctx.faults.errorRate)) return badGateway();
        const resolved = resolve(req);
        if (!resolved) throw new NmsError('NOT_FOUND', `no resource ${req.method} ${req.url.pathname}; the NMS serves ${BASE_PATH}/services, /nes, /alarms and /outages`);
        if ('allow' in resolved) {
          throw new NmsError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.url.pathname}`, { allow: resolved.allow.join(', ') });
        }
        const { route, params } = resolved;
        // contract §2: during topologySync the inventory (/services, /nes) answers 503; alarms and outages keep working.
        if (route.inventory && ctx.faults.window === TOPOLOGY_SYNC) {
          throw new NmsError('TOPOLOGY_SYNC', 'the inventory is being synchronised with the network; retry later', {
            'retry-after': String(TOPOLOGY_SYNC_RETRY_AFTER_S),
          });
        }
        const user = basicCredentials(req.headers)?.user ?? '';
        const out = route.run({ req, ctx, format, now: ctx.now(), dynamics: ctx.faults.dynamics, params, user });
        return ctx.roll(ctx.faults.malformedRate) ? truncate(out) : out;
      } catch (e) {
        if (e instanceof NmsError) return errorResponse(format, e);
        throw e;
      }
    },

    reset() {
      model.reset();
    },
  };
}
