import type { EmulatorEnvironment, IncomingRequest, OutgoingResponse, RequestContext, SystemHandler } from '../shared/server.js';
import { BUSY_RETRY_AFTER_S, LedgerError, POSTING_RETRY_AFTER_S } from './errors.js';
import { LoyaltyModel } from './model.js';
import { balanceCsv, basicCredentials, errorResponse, truncate } from './wire.js';

/**
 * The points ledger's one route, `GET /loyalty/balance?customers=…`, and the parts of §0 whose
 * wire form is the ledger's own: credentials (401), the in-flight limit and the `postingRun`
 * window (503 with Retry-After), `errorRate` (500) and `malformedRate` (a cut-off 200).
 */

/** The ledger's nightly window, settable through `PUT /__emulator/faults`. */
export const POSTING_RUN = 'postingRun';

export function createLoyaltyHandler(env: EmulatorEnvironment): SystemHandler {
  const model = new LoyaltyModel(env.world);

  const answer = (req: IncomingRequest, ctx: RequestContext): OutgoingResponse => {
    const path = req.url.pathname.replace(/\/+$/, '');
    if (path !== '/loyalty/balance') throw new LedgerError('NOT_FOUND', `no route ${path}; the ledger answers GET /loyalty/balance?customers=…`);
    ctx.log.operation = 'GET /loyalty/balance';
    if (req.method !== 'GET') throw new LedgerError('METHOD_NOT_ALLOWED', `${req.method} is not allowed; use GET`, { allow: 'GET' });
    if (ctx.faults.window === POSTING_RUN) throw new LedgerError('POSTING', 'points posting in progress', { 'retry-after': String(POSTING_RETRY_AFTER_S) });
    const ids = LoyaltyModel.parseCustomers(req.url.searchParams.get('customers'));
    ctx.log.keys = ids;
    if (ctx.roll(ctx.faults.errorRate)) throw new LedgerError('INTERNAL', 'ledger error');
    const now = ctx.now();
    const out = balanceCsv(ids.flatMap((id) => model.balance(id, now) ?? []));
    return ctx.roll(ctx.faults.malformedRate) ? truncate(out) : out;
  };

  return {
    admit(req, ctx) {
      if (ctx.inFlight > ctx.faults.maxConcurrency) {
        return errorResponse(new LedgerError('BUSY', 'too many calls in flight', { 'retry-after': String(BUSY_RETRY_AFTER_S) }));
      }
      const cred = basicCredentials(req.headers);
      if (!cred || cred.user !== ctx.config.user || cred.password !== ctx.config.password) {
        return { ...errorResponse(new LedgerError('UNAUTHORIZED', 'wrong or missing credentials')), headers: { 'content-type': 'text/csv; charset=utf-8', 'www-authenticate': 'Basic realm="ledger"' } };
      }
      return undefined;
    },
    handle(req, ctx) {
      try {
        return answer(req, ctx);
      } catch (e) {
        if (e instanceof LedgerError) return errorResponse(e);
        throw e;
      }
    },
  };
}
