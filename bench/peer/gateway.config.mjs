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
};
