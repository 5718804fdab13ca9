// Configuration of the benchmark peer, @graphql-hive/gateway, as bench/run.ts starts it:
//   node node_modules/@graphql-hive/gateway/dist/bin.js supergraph <supergraph with this run's URLs> --port N
// BENCH_PEER_DEDUP=false turns its in-flight deduplication of identical subgraph requests off
// (on by default); HIVE_ROUTER_RUNTIME=true (read by the CLI itself) switches to the Rust query
// planner and executor of @graphql-hive/router-runtime.
const dedup = process.env.BENCH_PEER_DEDUP !== 'false';

export const gatewayConfig = {
  transportEntries: {
    '*': { options: { deduplicateInflightRequests: dedup } },
  },
  // Our subgraphs answer only requests carrying a viewer signed by our gateway (`x-viewer`, see
  // docs/security.md). The peer cannot verify callers' tokens, so the bench hands it a viewer
  // token it signed beforehand (the HQ admin) and the peer passes it on to every subgraph call.
  propagateHeaders: {
    fromClientToSubgraphs({ request }) {
      const viewer = request.headers.get('x-viewer');
      return viewer ? { 'x-viewer': viewer } : {};
    },
  },
};
