import express from 'express';
import { buildPlayground } from './build.js';
import type { PlaygroundViewer } from './viewers.js';

export type { PlaygroundViewer } from './viewers.js';
export { loadPlaygroundViewers } from './viewers.js';

export interface PlaygroundOptions {
  /**
   * Shown as the page title and GraphiQL's logo.
   * @default 'GraphQL playground'
   */
  readonly title?: string;
  /**
   * Where the page sends operations; a path on the same origin (the CSP allows no other).
   * @default '/graphql'
   */
  readonly graphqlPath?: string;
  /**
   * Viewers the page offers in a picker; picking one puts `Authorization: Bearer <token>` in
   * GraphiQL's headers editor. For development stacks only (the tokens are in the page); without
   * viewers there is no picker and the headers editor is the way to authenticate.
   * @default []
   */
  readonly viewers?: readonly PlaygroundViewer[];
}

/**
 * Everything the page may load comes from its own origin. GraphiQL needs inline styles
 * (positions set by its resize handles and menus) and data: URLs (its CSS embeds its fonts).
 */
export const PLAYGROUND_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

function page(title: string, graphqlPath: string, assetBase: string, version: string, viewers: readonly PlaygroundViewer[]): string {
  const t = escapeHtml(title);
  // In an attribute rather than an inline script: the CSP allows no inline script.
  const viewersAttribute = viewers.length ? ` data-viewers="${escapeHtml(JSON.stringify(viewers.map(({ name, sub, roles, region, token }) => ({ name, sub, roles, region, token }))))}"` : '';
  const asset = (name: string) => escapeHtml(`${assetBase}/playground/${name}?v=${version}`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset('app.css')}">
<script defer src="${asset('app.js')}"></script>
</head>
<body>
<noscript>This playground needs JavaScript. Without it, send GraphQL operations as JSON with POST to ${escapeHtml(graphqlPath)}.</noscript>
<div id="graphiql" data-graphql-path="${escapeHtml(graphqlPath)}" data-title="${t}"${viewersAttribute}></div>
</body>
</html>
`;
}

/**
 * The offline GraphiQL playground: `GET /` (the page) and `GET /playground/<asset>`. Nothing it
 * serves refers to another origin. Builds the bundle on first use in the process (about a
 * second; instant when `node_modules/.cache/playground/` has it). Mount it at the root of the
 * gateway's app, after `/graphql`: `app.use('/', await createPlaygroundRouter())`.
 *
 * @throws when the bundle cannot be built, with what to do in the message.
 */
export async function createPlaygroundRouter(options: PlaygroundOptions = {}): Promise<express.Router> {
  const title = options.title ?? 'GraphQL playground';
  const graphqlPath = options.graphqlPath ?? '/graphql';
  if (!graphqlPath.startsWith('/') || graphqlPath.startsWith('//')) {
    throw new Error(`playground graphqlPath must be a path on the gateway's origin, like /graphql, not ${JSON.stringify(graphqlPath)}`);
  }
  const viewers = options.viewers ?? [];
  const bundle = await buildPlayground();
  const router = express.Router();

  router.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', PLAYGROUND_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });

  router.get('/', (req, res) => {
    // no-store when the page carries tokens: no cache keeps a copy of them.
    res.setHeader('Cache-Control', viewers.length ? 'no-store' : 'no-cache');
    res.type('html').send(page(title, graphqlPath, req.baseUrl, bundle.key, viewers));
  });

  router.get('/playground/:name', (req, res, next) => {
    const asset = bundle.assets.get(req.params.name);
    if (!asset) return next();
    res.setHeader('Content-Type', asset.contentType);
    res.setHeader('ETag', asset.etag);
    // The page asks for `?v=<bundle key>`: that URL never changes content. Any other URL of the
    // same asset is revalidated.
    res.setHeader('Cache-Control', req.query.v === bundle.key ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (req.fresh) return void res.status(304).end();
    res.send(asset.body);
  });

  return router;
}
