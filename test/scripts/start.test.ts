import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * `npm start` (scripts/start.ts) as a user meets it: it starts every process, says where each
 * runs, serves GraphQL through the gateway, and leaves nothing running behind when stopped with
 * Ctrl-C or when one of its processes dies.
 */

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

interface Launched {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  ports: number[];
  gatewayPort: number;
  exited: Promise<number | null>;
}

let launched: Launched | undefined;

async function launch(): Promise<Launched> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), LOG_LEVEL: 'warn' };
  const ports: number[] = [];
  for (const prefix of ['CUSTOMER_SERVICE', 'BILLING', 'NETWORK', 'LOYALTY']) {
    for (const kind of ['EMULATOR_PORT', 'SUBGRAPH_PORT']) {
      const p = await freePort();
      env[`${prefix}_${kind}`] = String(p);
      ports.push(p);
    }
    delete env[`${prefix}_URL`];
    delete env[`${prefix}_SUBGRAPH_URL`];
  }
  const gatewayPort = await freePort();
  env.GATEWAY_PORT = String(gatewayPort);
  ports.push(gatewayPort);
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { env, stdio: 'pipe' });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  launched = { child, output: () => out, ports, gatewayPort, exited };
  const deadline = Date.now() + 60_000;
  while (!out.includes('everything is up')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not come up:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return launched;
}

afterEach(async () => {
  if (launched && launched.child.exitCode === null) launched.child.kill('SIGKILL');
  launched = undefined;
});

describe('npm start', () => {
  it('starts every process, prints where each runs, serves GraphQL, and stops everything on Ctrl-C', async () => {
    const l = await launch();
    const out = l.output();
    for (const part of ['emulator:billing', 'subgraph:network', 'gateway', 'Playground', 'Ctrl-C stops everything']) expect(out).toContain(part);
    expect(out).toContain(`http://127.0.0.1:${l.gatewayPort}/graphql`);
    const res = await fetch(`http://127.0.0.1:${l.gatewayPort}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ outages(province: "GD") { id status } }' }),
    });
    const body = (await res.json()) as { data: { outages: { status: string }[] } };
    expect(body.data.outages.some((o) => o.status === 'open')).toBe(true);
    for (const p of l.ports) expect(await listening(p), `port ${p} listening`).toBe(true);

    l.child.kill('SIGINT');
    expect(await l.exited).toBe(0);
    for (const p of l.ports) expect(await listening(p), `port ${p} still listening after Ctrl-C`).toBe(false);
  }, 90_000);

  it('stops every other process, and says which one died, when one of them dies', async () => {
    const l = await launch();
    const pid = Number(/emulator:billing\s+\S+\s+\(pid (\d+)\)/.exec(l.output())?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    expect(await l.exited).toBe(1);
    expect(l.output()).toMatch(/emulator:billing exited/);
    for (const p of l.ports) expect(await listening(p), `port ${p} still listening after a child died`).toBe(false);
  }, 90_000);
});
