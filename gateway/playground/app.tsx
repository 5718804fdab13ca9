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

createRoot(mount as unknown as Parameters<typeof createRoot>[0]).render(
  createElement(
    StrictMode,
    null,
    createElement(
      GraphiQL,
      {
        fetcher,
        defaultTabs,
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
