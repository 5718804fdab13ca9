/**
 * The playground page: GraphiQL 4 (CodeMirror 5, no web workers) talking to the gateway on the
 * same origin. Bundled for the browser by `build.ts`; the page served by `index.ts` tells it the
 * GraphQL path and title through data attributes, because the CSP allows no inline script.
 *
 * Written with `createElement` rather than JSX, and without DOM globals in its types, so that the
 * project's Node-only tsconfig (no `jsx`, no `dom` lib) type-checks it as it is.
 */
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createElement, StrictMode } from 'react';
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

// A relative URL keeps every request on the page's origin (CSP: connect-src 'self').
// No subscriptionUrl: the gateway serves no subscriptions, and without it the fetcher never
// loads a websocket client.
const fetcher = createGraphiQLFetcher({ url: graphqlPath });

const defaultTabs = examples.map((example) => ({
  query: example.query,
  variables: JSON.stringify(example.variables, null, 2),
}));

// GraphiQL 4 fills the editors of a first visit from `defaultTabs[0]` for the query but not for
// the variables (it falls back to ""), so the first example ran without its variables. On a first
// visit only (no saved tabs), hand the first tab's variables over explicitly; afterwards GraphiQL
// restores its saved tabs, and passing them would mismatch the saved query.
const storage = (globalThis as unknown as { localStorage?: { getItem(key: string): string | null } }).localStorage;
let firstVisit = true;
try {
  firstVisit = !storage?.getItem('graphiql:tabState');
} catch {
  // Storage blocked (privacy settings): GraphiQL starts from the default tabs every time.
}
const firstVisitVariables = firstVisit ? defaultTabs[0]?.variables : undefined;

createRoot(mount as unknown as Parameters<typeof createRoot>[0]).render(
  createElement(
    StrictMode,
    null,
    createElement(
      GraphiQL,
      {
        fetcher,
        defaultTabs,
        ...(firstVisitVariables ? { variables: firstVisitVariables } : {}),
        isHeadersEditorEnabled: true,
        // Open the editor tools on the headers: a viewer token goes there first
        // (`{"Authorization": "Bearer …"}`); the variables are one tab away.
        defaultEditorToolsVisibility: 'headers',
        // Tokens are credentials: keep them out of localStorage unless the user opts in.
        shouldPersistHeaders: false,
      },
      createElement(GraphiQL.Logo, null, title),
    ),
  ),
);
