import type http from 'node:http';
import { parseLocal } from '../shared/time.js';
import type { EmulatorEnvironment, IncomingRequest, OutgoingResponse, RequestContext, SystemHandler } from '../shared/server.js';
import { BillingFault, FAULT, RESULT, type FaultDef, type ResultKind } from './errors.js';
import { BILL_RUN_RETRY_AFTER_SECONDS, BillingModel, type Scope } from './model.js';
import { OPERATIONS, SERVICES, isService, type Operation, type ServiceName } from './operations.js';
import {
  child,
  childText,
  contentType,
  decodeRequest,
  encodeDocument,
  faultEnvelope,
  parseSoapRequest,
  resultEnvelope,
  truncateBody,
  wireEncoding,
  type WireEncoding,
  type XmlChild,
  type XmlNode,
} from './wire.js';
import { wsdlFor } from './wsdl.js';

/**
 * Dispatch for the billing emulator (contract §1): `POST /services/<Service>` SOAP calls and
 * `GET /services/<Service>?wsdl`. The order of checks is the real system's: the in-flight limit
 * at arrival, then the envelope, the operation and its service, the credentials, the header,
 * the request fields, idempotency of writes, the bill-run window, and the business itself.
 */

/** contract §1: MessageSeq is `yyyyMMddHHmmssSSS` + a 4-digit sequence. */
function validMessageSeq(seq: string): boolean {
  return /^\d{21}$/.test(seq) && parseLocal(seq.slice(0, 17), 'yyyyMMddHHmmssSSS') !== undefined;
}

/** The operation a SOAPAction header names: quoted or not; a URI's last segment; empty = none. */
function soapAction(headers: http.IncomingHttpHeaders): string | undefined {
  const raw = headers.soapaction;
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim().replace(/^"(.*)"$/, '$1').trim();
  if (!value) return undefined;
  return value.split(/[/#]/).pop() || undefined;
}

const text = (status: number, body: string, extra: Record<string, string> = {}): OutgoingResponse => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8', ...extra },
  body,
});

export function createBillingHandler(env: EmulatorEnvironment): SystemHandler {
  const model = new BillingModel(env.world);
  const { charset } = env.config;

  const encodingOf = (ctx: RequestContext) => wireEncoding(charset, ctx.faults.charsetMismatch);
  const xml = (status: number, ctx: RequestContext, write: (enc: WireEncoding) => Buffer): OutgoingResponse => {
    const enc = encodingOf(ctx);
    return { status, headers: { 'content-type': contentType(enc) }, body: write(enc) };
  };
  const fault = (def: FaultDef, ctx: RequestContext, detail?: string) => xml(500, ctx, (enc) => faultEnvelope(enc, def, detail));

  const answer = (op: Operation, messageSeq: string, kind: ResultKind, content: readonly XmlChild[] | undefined, ctx: RequestContext) => {
    const header: XmlChild[] = [
      ['Version', '1.0'],
      ['ResultCode', RESULT[kind].code],
      ['ResultDesc', RESULT[kind].desc],
      ['MessageSeq', messageSeq],
    ];
    if (kind === 'billRun') header.push(['RetryAfter', BILL_RUN_RETRY_AFTER_SECONDS]);
    const message: XmlChild[] = [['ResultHeader', header]];
    // A business error answers the ResultHeader alone.
    if (kind === 'ok') message.push([`${op.name}Result`, content ?? []]);
    return xml(200, ctx, (enc) => resultEnvelope(enc, SERVICES[op.service], `${op.name}ResultMsg`, message));
  };

  /** Logs what the header names (scope, operator), before anything can fail on it. */
  const logHeader = (header: XmlNode | undefined, ctx: RequestContext): Scope => {
    const scope = { province: childText(header, 'ProvinceCode'), region: childText(header, 'RegionCode') };
    if (header) {
      ctx.log.scope = { ...(scope.province && { province: scope.province }), ...(scope.region && { region: scope.region }) };
      const operator = childText(header, 'OperatorID');
      if (operator) ctx.log.operator = operator;
    }
    return scope;
  };

  const soapCall = (service: ServiceName, req: IncomingRequest, ctx: RequestContext): OutgoingResponse => {
    const soap = parseSoapRequest(decodeRequest(req.headers['content-type'], req.body));
    const bodyOp = soap.bodyElement.endsWith('RequestMsg') ? soap.bodyElement.slice(0, -'RequestMsg'.length) : '';
    if (!bodyOp) throw new BillingFault(FAULT.malformed, `the Body element must be {Operation}RequestMsg, got ${soap.bodyElement}`);
    const action = soapAction(req.headers);
    if (action !== undefined && action !== bodyOp) {
      throw new BillingFault(FAULT.unknownOperation, `SOAPAction ${action} does not match the body element ${soap.bodyElement}`);
    }
    const op = OPERATIONS.get(bodyOp);
    if (!op) throw new BillingFault(FAULT.unknownOperation, bodyOp);
    if (op.service !== service) throw new BillingFault(FAULT.wrongService, `${op.name} is offered by ${op.service}, not ${service}`);
    ctx.log.operation = op.name;

    const header = child(soap.message, 'RequestHeader');
    const request = child(soap.message, `${op.name}Request`);
    ctx.log.keys = op.keys(request);
    const scope = logHeader(header, ctx);
    if (!header) throw new BillingFault(FAULT.invalidField, 'RequestHeader is required');
    const security = child(header, 'AccessSecurity');
    if (childText(security, 'LoginSystemCode') !== env.config.user || childText(security, 'Password') !== env.config.password) {
      throw new BillingFault(FAULT.authentication);
    }
    if (!childText(header, 'Version')) throw new BillingFault(FAULT.invalidField, 'RequestHeader.Version is required');
    const businessCode = childText(header, 'BusinessCode');
    if (businessCode !== op.name) throw new BillingFault(FAULT.invalidField, `RequestHeader.BusinessCode must be ${op.name}, got "${businessCode}"`);
    const messageSeq = childText(header, 'MessageSeq');
    if (!validMessageSeq(messageSeq)) {
      throw new BillingFault(FAULT.invalidField, `RequestHeader.MessageSeq must be yyyyMMddHHmmssSSS followed by 4 digits, got "${messageSeq}"`);
    }
    if (!childText(header, 'OperatorID')) throw new BillingFault(FAULT.invalidField, 'RequestHeader.OperatorID is required');

    // errorRate: an internal failure. For a write it strikes before or after the write is
    // committed, half and half — the lost answer that QueryTransaction exists for.
    const internalError = ctx.roll(ctx.faults.errorRate);
    const afterCommit = internalError && op.write === true && ctx.roll(0.5);
    if (internalError && !afterCommit) throw new BillingFault(FAULT.internal);

    if (!request) throw new BillingFault(FAULT.invalidField, `${op.name}Request is required`);
    const input = op.parse(request);
    if (op.write && model.hasTransaction(messageSeq)) throw new BillingFault(FAULT.duplicateMessageSeq);
    if (model.refusedByWindow(ctx.faults.window, op.name)) return answer(op, messageSeq, 'billRun', undefined, ctx);
    const outcome = op.run(input, { model, now: ctx.now(), scope, messageSeq });
    if (afterCommit) throw new BillingFault(FAULT.internal);
    return answer(op, messageSeq, outcome.result, outcome.content, ctx);
  };

  return {
    admit(req, ctx) {
      // contract §1: more than maxConcurrency (20) calls in flight → Server fault "System busy".
      if (ctx.inFlight <= ctx.faults.maxConcurrency) return undefined;
      const action = soapAction(req.headers);
      if (action && OPERATIONS.has(action)) ctx.log.operation = action;
      return fault(FAULT.systemBusy, ctx);
    },

    handle(req, ctx) {
      const path = req.url.pathname.replace(/\/+$/, '');
      const m = /^\/services\/([^/]+)$/.exec(path);
      const name = m?.[1];
      if (req.method === 'GET' || req.method === 'HEAD') {
        const wantsWsdl = [...req.url.searchParams.keys()].some((k) => k.toLowerCase() === 'wsdl');
        if (name && isService(name) && wantsWsdl) {
          ctx.log.operation = `GET /services/${name}?wsdl`;
          // The address as the caller reached it (as Axis does), if the Host header is a plain host[:port].
          const hostHeader = req.headers.host;
          const host = hostHeader && /^[A-Za-z0-9.\-[\]:]+$/.test(hostHeader) ? hostHeader : `${env.config.host}:${env.config.port}`;
          return xml(200, ctx, (enc) => encodeDocument(enc, wsdlFor(name, `http://${host}/services/${name}`)));
        }
        if (name && isService(name)) return text(405, `${name} answers SOAP 1.1 on POST; its WSDL is at GET /services/${name}?wsdl`, { allow: 'POST, GET' });
        return text(404, `No such resource ${path || '/'}. Services: ${Object.keys(SERVICES).map((s) => `/services/${s}`).join(', ')}`);
      }
      if (req.method !== 'POST') return text(405, `Method ${req.method} not allowed: POST a SOAP 1.1 envelope to /services/<Service>`, { allow: 'POST, GET' });
      if (!name) return text(404, `No such resource ${path || '/'}: POST to /services/<Service>`);

      let out: OutgoingResponse;
      try {
        // Axis-style: a POST to a service that does not exist is a Client fault, not a 404.
        if (!isService(name)) throw new BillingFault(FAULT.wrongService, `the service cannot be found for the endpoint reference /services/${name}`);
        out = soapCall(name, req, ctx);
      } catch (e) {
        if (!(e instanceof BillingFault)) throw e;
        out = fault(e.fault, ctx, e.detail);
      }
      // malformedRate: a successful answer cut short, still HTTP 200.
      if (out.status === 200 && out.body instanceof Buffer && ctx.roll(ctx.faults.malformedRate)) out = { ...out, body: truncateBody(out.body) };
      return out;
    },

    reset() {
      model.reset();
    },
  };
}
