import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../lib/logger.js';
import { probeNewSubgraphs } from '../../gateway/supergraph.js';

/** A logger that keeps what it was told. */
function recordingLogger() {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (_obj: unknown, msg: string) => lines.push({ level, msg });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } as unknown as Logger };
}

describe('probing subgraphs that a new supergraph adds', () => {
  let up: http.Server;
  let upUrl: string;
  let downUrl: string;
  beforeAll(async () => {
    up = http.createServer((req, res) => {
      res.writeHead(req.url === '/health/live' ? 200 : 404, { 'content-type': 'application/json' }).end('{"status":"up"}');
    });
    await new Promise<void>((r) => up.listen(0, '127.0.0.1', r));
    upUrl = `http://127.0.0.1:${(up.address() as AddressInfo).port}/graphql`;
    // A port that was just free: nothing listens there.
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    downUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/graphql`;
    await new Promise((r) => probe.close(r));
  });
  afterAll(() => new Promise((r) => up.close(r)));

  it('asks only the new or moved subgraphs, and tells how to fix one that does not answer', async () => {
    const { lines, logger } = recordingLogger();
    const before = new Map([['billing', 'http://127.0.0.1:1/graphql']]);
    const after = new Map([
      ['billing', 'http://127.0.0.1:1/graphql'],
      ['loyalty', upUrl],
      ['finance-ledger', downUrl],
    ]);
    expect(await probeNewSubgraphs(before, after, logger, 1000)).toEqual({ loyalty: 'up', 'finance-ledger': 'down' });
    expect(lines.filter((l) => l.level === 'info').map((l) => l.msg)).toEqual([`subgraph loyalty is new in the supergraph and answers at ${upUrl}`]);
    const warn = lines.filter((l) => l.level === 'warn');
    expect(warn).toHaveLength(1);
    expect(warn[0]!.msg).toMatch(/subgraph finance-ledger is new in the supergraph but does not answer at .*\/health\/live .*SUBGRAPH_UNAVAILABLE until it starts; start it, or point FINANCE_LEDGER_SUBGRAPH_URL at where it runs/);
  });
});
