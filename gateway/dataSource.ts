import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { Agent } from 'undici';
import { QUERY_ID_HEADER } from '../lib/requestIds.js';
import { VIEWER_HEADER } from '../lib/viewerToken.js';
import type { GatewayContext } from './context.js';

type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource<GatewayContext>['process']>>;

type IncomingOptions = Extract<GraphQLDataSourceProcessOptions<GatewayContext>, { incomingRequestContext: unknown }>;

/** A call made for a client's operation (not a health check or schema load); the enum is not exported. */
const isIncoming = (o: GraphQLDataSourceProcessOptions<GatewayContext>): o is IncomingOptions => (o.kind as string) === 'incoming operation';

/** A subgraph operation that changes something: never shared (nor a subscription). */
const MUTATION_TEXT = /^\s*(mutation|subscription)\b/;

/**
 * The part of a fetch `Response` that RemoteGraphQLDataSource reads (status, headers, the body as
 * JSON or text), over an answer already read whole. What `fetch` builds besides (WHATWG streams,
 * a Headers object) cost the gateway about a sixth of its CPU in a profile of S1.
 */
class SubgraphAnswer {
  readonly ok: boolean;
  readonly statusText = '';
  readonly headers: { get(name: string): string | null };
  constructor(
    readonly url: string,
    readonly status: number,
    raw: Record<string, string | string[] | undefined>,
    /** The body, read whole. */
    readonly bodyText: string,
  ) {
    this.ok = status >= 200 && status < 300;
    this.headers = {
      get: (name) => {
        const v = raw[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
      },
    };
  }
  /** As fetch's (errorFromResponse reads error bodies with them). */
  async text(): Promise<string> {
    return this.bodyText;
  }
  async json(): Promise<unknown> {
    return JSON.parse(this.bodyText);
  }
}

type Call = (input: string, init: { method: string; headers: Record<string, string>; body: string }) => Promise<SubgraphAnswer>;

/** A fetch-shaped function over `agent.request` (undici's own API, much lighter than its fetch). */
function subgraphCall(agent: Agent): Call {
  let last: { input: string; url: URL } | undefined;
  return async (input, init) => {
    // Always the subgraph's one URL: parsed once.
    const url = last?.input === input ? last.url : (last = { input, url: new URL(input) }).url;
    const { statusCode, headers, body } = await agent.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: (init.method ?? 'POST') as 'POST',
      headers: init.headers ?? {},
      body: init.body ?? null,
    });
    return new SubgraphAnswer(input, statusCode, headers, await body.text());
  };
}

/**
 * How the gateway calls one subgraph: keep-alive connections through an undici Agent of its own
 * (nock does not patch undici, and the default fetcher's agent conflicts with nock in tests —
 * stack-notes.md), a time budget per call, and the request id forwarded.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  /**
   * Identical subgraph queries in flight at once (issue 4): same URL, query text, variables and
   * viewer scope → one HTTP call, whose answer's text each follower parses into a copy of its own.
   * Nothing is kept after the call settles.
   */
  private readonly inflight = new Map<string, Promise<{ text: string; http: SubgraphResponse['http'] }>>();
  private readonly dedup: boolean;
  private readonly call: Call;

  constructor(options: { name: string; url: string; timeoutMs: number; maxSockets: number; dedup?: boolean }) {
    // The time budget is the agent's (no answer head, or a stalled body, within timeoutMs): a
    // subgraph answers in one piece, so this is the call's deadline, without an AbortSignal and its
    // timer per call (~3 % of the gateway's CPU when it had one).
    const agent = new Agent({ keepAliveTimeout: 60_000, connections: options.maxSockets, pipelining: 1, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
    const call = subgraphCall(agent);
    super({ url: options.url, fetcher: call as unknown as RemoteGraphQLDataSource['fetcher'] });
    this.call = call;
    this.name = options.name;
    this.dedup = options.dedup ?? true;
  }

  /** Subgraph calls in flight now that others can join (for tests). */
  get inflightCount(): number {
    return this.inflight.size;
  }

  /** The deduplication key of a call, or undefined when it must not be shared (a mutation, no scope, not a query of a client's operation). */
  private dedupKey(options: GraphQLDataSourceProcessOptions<GatewayContext>): string | undefined {
    if (!this.dedup || !isIncoming(options)) return undefined;
    const scopeKey = options.context?.scopeKey;
    const query = options.request.query;
    if (scopeKey === undefined || !query || MUTATION_TEXT.test(query)) return undefined;
    if (options.incomingRequestContext.operation?.operation !== undefined && options.incomingRequestContext.operation.operation !== 'query') return undefined;
    // \u0000 cannot occur in a scope key or a URL: no two calls share a key unless all four match.
    return `${scopeKey}\u0000${this.url}\u0000${query}\u0000${JSON.stringify(options.request.variables ?? {})}`;
  }

  /** One call, or a share of an identical query in flight when there is one. */
  private async processShared(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    const key = this.dedupKey(options);
    if (key === undefined) return (await this.send(options)).response;
    const pending = this.inflight.get(key);
    if (pending) {
      // Each caller gets objects of its own (the gateway merges into them): parsed from the answer's text.
      const { text, http } = await pending;
      const copy: SubgraphResponse = { ...(JSON.parse(text) as object), http };
      // The leader's didReceiveResponse saw the leader's context only: this request's turn.
      return this.didReceiveResponse({ response: copy, request: options.request, context: options.context as GatewayContext });
    }
    const call = this.send(options);
    const shared = call.then(({ text, response }) => ({ text, http: response.http }));
    this.inflight.set(key, shared);
    shared.catch(() => undefined).finally(() => this.inflight.delete(key));
    return (await call).response;
  }

  readonly name: string;

  /**
   * One call to the subgraph: what {@link RemoteGraphQLDataSource.process} does for an operation
   * (headers, POST, status and content checks, didReceiveResponse) less what this gateway has no
   * use for — a node-fetch Headers and Request built per call for hooks it does not implement,
   * cache hints, APQ: about 2 % of the gateway's CPU under load — and keeping the answer's text,
   * which the followers of a shared call parse.
   */
  private async send(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<{ response: SubgraphResponse; text: string }> {
    const { request, context } = options;
    if (!request.query) throw new Error('Missing query');
    const headers: Record<string, string> = {};
    if (request.http?.headers) for (const [name, value] of request.http.headers) headers[name] = value;
    headers['content-type'] = 'application/json';
    if (context?.requestId) headers['x-request-id'] = context.requestId;
    // Only a subgraph the plan asks twice needs to keep what this request read (gateway/parallelPlan.ts).
    if (context?.queryId && context.fetchedTwice?.has(this.name)) headers[QUERY_ID_HEADER] = context.queryId;
    // The subgraphs answer only the gateway: the viewer travels signed (docs/security.md).
    if (context?.viewerToken) headers[VIEWER_HEADER] = context.viewerToken;
    const { http: _http, ...body } = request;
    const answer = await this.call(this.url, { method: 'POST', headers, body: JSON.stringify(body) });
    if (!answer.ok) throw await this.errorFromResponse(answer as never);
    const contentType = answer.headers.get('content-type') ?? '';
    const json = contentType.startsWith('application/json') || contentType.startsWith('application/graphql-response+json');
    const parsed: unknown = json ? JSON.parse(answer.bodyText) : undefined;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`Expected JSON response body, but received: ${answer.bodyText.slice(0, 200)}`);
    const response = this.didReceiveResponse({ response: { ...(parsed as object), http: answer as never }, request, context: context as GatewayContext });
    return { response, text: answer.bodyText };
  }

  /**
   * A subgraph that cannot be reached or answers too late (design.md: SUBGRAPH_UNAVAILABLE,
   * retryable), named by `system` so the client knows which fields are missing and why.
   */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): ReturnType<RemoteGraphQLDataSource<GatewayContext>['process']> {
    try {
      return await this.processShared(options);
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
