/**
 * The playground page: GraphiQL 4 (CodeMirror 5, no web workers) talking to the gateway on the
 * same origin. Bundled for the browser by `build.ts`; the page served by `index.ts` tells it the
 * GraphQL path and title through data attributes, because the CSP allows no inline script.
 *
 * Written with `createElement` rather than JSX, and without DOM globals in its types, so that the
 * project's Node-only tsconfig (no `jsx`, no `dom` lib) type-checks it as it is.
 */
import { useEditorContext } from '@graphiql/react';
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createElement, StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { examples } from './examples.js';

/** The little of the DOM this file touches (the tsconfig has no `dom` lib). */
interface MountPoint {
  getAttribute(name: string): string | null;
}
const doc = (globalThis as unknown as { document: { getElementById(id: string): MountPoint | null } }).document;

const mount = doc.getElementById('graphiql');
if (!mount) throw new Error('The playground page has no #graphiql element to mount on.');

const graphqlPath = mount.getAttribute('data-graphql-path') ?? '/graphql';
const title = mount.getAttribute('data-title') ?? 'GraphQL';

/** A viewer the gateway offers (`PLAYGROUND_VIEWERS_FILE`): development stacks only. */
interface Viewer {
  name: string;
  sub: string;
  roles: string[];
  region: { province?: string; localNetwork?: string };
  token: string;
}
function readViewers(): Viewer[] {
  try {
    const list = JSON.parse(mount!.getAttribute('data-viewers') ?? '[]') as unknown;
    return Array.isArray(list) ? (list as Viewer[]).filter((v) => typeof v?.sub === 'string' && typeof v.token === 'string') : [];
  } catch {
    return [];
  }
}
const viewers = readViewers();
const regionLabel = (r: Viewer['region']) => (r.province ? (r.localNetwork ? `${r.province}/${r.localNetwork}` : r.province) : 'HQ');
const authorizationOf = (v: Viewer | undefined) => (v ? `Bearer ${v.token}` : undefined);
const headersOf = (v: Viewer | undefined) => (v ? JSON.stringify({ Authorization: authorizationOf(v) }, null, 2) : '');

/**
 * The headers editor's text with its Authorization set to the viewer's (removed for none), other
 * headers kept; undefined when the text is not a JSON object (being typed: left alone).
 */
function withAuthorization(text: string, viewer: Viewer | undefined): string | undefined {
  let headers: Record<string, unknown> = {};
  if (text.trim()) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
      headers = parsed as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  const rest = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
  const next = viewer ? { Authorization: authorizationOf(viewer), ...rest } : rest;
  return Object.keys(next).length ? JSON.stringify(next, null, 2) : '';
}

// A relative URL keeps every request on the page's origin (CSP: connect-src 'self').
// No subscriptionUrl: the gateway serves no subscriptions, and without it the fetcher never
// loads a websocket client.
const graphqlFetcher = createGraphiQLFetcher({ url: graphqlPath });

/** The picked viewer, for the schema's introspection (see {@link fetcher}). */
let pickedViewer: Viewer | undefined;

/**
 * GraphiQL fetches the schema (introspection) with the headers of its editor as they are at
 * mount, before any viewer is in them; the gateway answers 401 to a caller without a token, and
 * the docs and completion would stay empty. Introspection without an Authorization header goes
 * as the picked viewer; operations go exactly with the editor's headers.
 */
const fetcher: Fetcher = (params, options) => {
  const headers = options?.headers ?? {};
  const hasAuthorization = Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
  if (params.operationName === 'IntrospectionQuery' && pickedViewer && !hasAuthorization) {
    return graphqlFetcher(params, { ...options, headers: { ...headers, Authorization: authorizationOf(pickedViewer) } });
  }
  return graphqlFetcher(params, options);
};

const defaultTabs = examples.map((example) => ({
  query: example.query,
  variables: JSON.stringify(example.variables, null, 2),
}));

// GraphiQL 4 fills the editors of a first visit from `defaultTabs[0]` for the query but not for
// the variables (it falls back to ""), so the first example ran without its variables. On a first
// visit only (no saved tabs), hand the first tab's variables over explicitly; afterwards GraphiQL
// restores its saved tabs, and passing them would mismatch the saved query.
const storage = (globalThis as unknown as { localStorage?: { getItem(key: string): string | null; setItem(key: string, value: string): void } }).localStorage;
let firstVisit = true;
try {
  firstVisit = !storage?.getItem('graphiql:tabState');
} catch {
  // Storage blocked (privacy settings): GraphiQL starts from the default tabs every time.
}
const firstVisitVariables = firstVisit ? defaultTabs[0]?.variables : undefined;

/**
 * The picked viewer is remembered by its `sub` (not its token: tokens are re-signed on every
 * `npm start`, the list on the page has the current one). First visit: the first viewer.
 */
const PICKED_KEY = 'playground:viewer';
function rememberedViewer(): Viewer | undefined {
  let sub: string | null = null;
  try {
    sub = storage?.getItem(PICKED_KEY) ?? null;
  } catch {
    // Storage blocked: start from the first viewer.
  }
  return viewers.find((v) => v.sub === sub) ?? viewers[0];
}

/**
 * Keeps the headers editor's Authorization that of the picked viewer: when the pick changes, and
 * whenever another tab becomes active (each tab has its own headers, and GraphiQL loads them into
 * the editor on a switch). Rendered inside GraphiQL (its footer, where the editor context is);
 * draws nothing.
 */
function ViewerHeaderSync({ viewer }: { viewer: Viewer | undefined }) {
  const { headerEditor, activeTabIndex } = useEditorContext({ nonNull: true });
  useEffect(() => {
    pickedViewer = viewer;
    if (!headerEditor) return;
    const next = withAuthorization(headerEditor.getValue(), viewer);
    if (next !== undefined && next !== headerEditor.getValue()) headerEditor.setValue(next);
  }, [viewer, headerEditor, activeTabIndex]);
  return null;
}

const initialViewer = rememberedViewer();
pickedViewer = initialViewer;

/**
 * GraphiQL with, when the gateway offers viewers, a picker above it: picking one sets the
 * `Authorization: Bearer …` header in the headers editor (other headers kept), and the pick is
 * remembered.
 */
function Playground() {
  const [picked, setPicked] = useState<Viewer | undefined>(initialViewer);
  const graphiql = createElement(
    GraphiQL,
    {
      fetcher,
      defaultTabs,
      ...(firstVisitVariables ? { variables: firstVisitVariables } : {}),
      // What a tab without headers of its own starts with (headers are not persisted).
      ...(viewers.length ? { defaultHeaders: headersOf(initialViewer) } : {}),
      isHeadersEditorEnabled: true,
      // Open the editor tools on the headers: a viewer token goes there first
      // (`{"Authorization": "Bearer …"}`); the variables are one tab away.
      defaultEditorToolsVisibility: 'headers',
      // Tokens are credentials: keep them out of localStorage unless the user opts in.
      shouldPersistHeaders: false,
    },
    createElement(GraphiQL.Logo, null, title),
    ...(viewers.length ? [createElement(GraphiQL.Footer, null, createElement(ViewerHeaderSync, { viewer: picked }))] : []),
  );
  if (!viewers.length) return graphiql;
  const onChange = (event: { target: { value: string } }) => {
    const next = viewers.find((v) => v.sub === event.target.value);
    setPicked(next);
    try {
      storage?.setItem(PICKED_KEY, next?.sub ?? '');
    } catch {
      // Storage blocked: the choice lasts until the page is reloaded.
    }
  };
  return createElement(
    'div',
    { className: 'playground-page' },
    createElement(
      'label',
      { className: 'playground-viewer-bar' },
      createElement('span', null, 'Viewer'),
      createElement(
        'select',
        { id: 'playground-viewer', value: picked?.sub ?? '', onChange },
        createElement('option', { value: '' }, 'none (no Authorization header)'),
        ...viewers.map((v) => createElement('option', { key: v.sub, value: v.sub }, `${v.name} — ${v.roles.join(', ')}, ${regionLabel(v.region)}`)),
      ),
      createElement('span', { className: 'playground-viewer-note' }, 'sets the Authorization header in the headers editor below'),
    ),
    createElement('div', { className: 'playground-graphiql' }, graphiql),
  );
}

createRoot(mount as unknown as Parameters<typeof createRoot>[0]).render(createElement(StrictMode, null, createElement(Playground)));
