import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateEd25519Pem } from '../../lib/viewerToken.js';

/**
 * `npm start` (scripts/start.ts) as a user meets it: it starts every process, says where each
 * runs, serves GraphQL through the gateway, and leaves nothing running behind when stopped with
 * Ctrl-C or when one of its processes dies. It creates development keys (in `DEV_DIR`, a temporary
 * folder here, `.dev/` by default), prints the example viewers and a curl line whose token works,
 * and the gateway refuses a caller without one.
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
  devDir: string;
  exited: Promise<number | null>;
}

let launched: Launched | undefined;

async function launch(extra: Record<string, string> = {}): Promise<Launched> {
  const devDir = await mkdtemp(path.join(tmpdir(), 'start-test-dev-'));
  const env: Record<string, string> = { ...(process.env as Record<string, string>), LOG_LEVEL: 'warn', DEV_DIR: devDir };
  for (const k of ['AUTH_JWKS_URL', 'AUTH_PUBLIC_KEY', 'AUTH_ISSUER', 'AUTH_AUDIENCE', 'VIEWER_SIGNING_KEY', 'VIEWER_VERIFY_KEY', 'AUTH_DISABLED', 'PLAYGROUND_VIEWERS_FILE']) delete env[k];
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
  Object.assign(env, extra);
  ports.push(gatewayPort);
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { env, stdio: 'pipe' });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  launched = { child, output: () => out, ports, gatewayPort, devDir, exited };
  const deadline = Date.now() + 60_000;
  while (!out.includes('Ctrl-C stops everything')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not come up:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return launched;
}

afterEach(async () => {
  if (launched && launched.child.exitCode === null) {
    launched.child.kill('SIGKILL');
    await launched.exited;
  }
  if (launched) await rm(launched.devDir, { recursive: true, force: true });
  launched = undefined;
});

/** The HQ admin's token and the body of the curl line `npm start` prints. */
function curlLine(out: string): { url: string; token: string; body: string } {
  const m = /curl -s (\S+) -H 'content-type: application\/json' \\\n\s+-H 'authorization: Bearer ([\w.-]+)' \\\n\s+-d '([^']+)'/.exec(out);
  if (!m) throw new Error(`no curl line in the output of npm start:\n${out}`);
  return { url: m[1]!, token: m[2]!, body: m[3]! };
}

describe('npm start', () => {
  it('starts every process, prints where each runs, serves GraphQL, and stops everything on Ctrl-C', async () => {
    const l = await launch();
    const out = l.output();
    for (const part of ['emulator:billing', 'subgraph:network', 'gateway', 'Playground', 'Ctrl-C stops everything']) expect(out).toContain(part);
    expect(out).toContain(`http://127.0.0.1:${l.gatewayPort}/graphql`);

    // Development keys, created on first start, the private ones readable by their owner only.
    expect(out).toContain('created development keys');
    for (const f of ['dev-issuer.private.pem', 'dev-issuer.public.pem', 'gateway-viewer.private.pem', 'gateway-viewer.public.pem']) expect(existsSync(path.join(l.devDir, 'keys', f)), f).toBe(true);
    expect(statSync(path.join(l.devDir, 'keys/gateway-viewer.private.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(l.devDir, 'viewers.json')).mode & 0o777).toBe(0o600);
    const viewers = JSON.parse(readFileSync(path.join(l.devDir, 'viewers.json'), 'utf8')) as { name: string; token: string }[];
    expect(viewers.map((v) => v.name)).toEqual(['HQ admin', 'Guangdong agent', 'Shenzhen agent', 'Analyst', 'NOC engineer']);

    // The table of viewers, and how to use one.
    expect(out).toMatch(/viewer\s+sub\s+roles\s+region/);
    expect(out).toMatch(/Shenzhen agent\s+sz\.agent\.0042\s+agent\s+GD\/SZ/);
    expect(out).toMatch(/NOC engineer\s+noc\.engineer\s+noc\s+HQ/);
    expect(out).toContain('npm run tokens');
    expect(out).toContain('pick a viewer');
    // Tokens are long: only the curl line's is printed.
    expect(out.match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g)).toHaveLength(1);

    // The printed curl line works as it is: the admin's customer 360.
    const curl = curlLine(out);
    expect(curl.url).toBe(`http://127.0.0.1:${l.gatewayPort}/graphql`);
    expect(curl.token).toBe(viewers[0]!.token);
    const res = await fetch(curl.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${curl.token}` }, body: curl.body });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { customerByServiceNumber: { id: string; name: string; serviceLines: { serviceNumber: string }[] } }; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    expect(body.data.customerByServiceNumber.id).toMatch(/^1-/);
    expect(body.data.customerByServiceNumber.serviceLines.map((s) => s.serviceNumber)).toContain('17923262384');

    // Without a token the gateway answers 401 with a JSON GraphQL error.
    const anonymous = await fetch(curl.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: curl.body });
    expect(anonymous.status).toBe(401);
    const refused = (await anonymous.json()) as { errors: { extensions: { code: string } }[]; data?: unknown };
    expect(refused.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect(refused.data ?? null).toBeNull();

    // Subgraphs refuse a caller that goes around the gateway.
    const subgraphPort = Number(/subgraph:billing\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    const direct = await fetch(`http://127.0.0.1:${subgraphPort}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(direct.status).toBe(401);
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

  it("uses the user's own viewer keys instead of the development ones, and says so", async () => {
    // Another gateway key pair, given as PEM text: the chain gateway → subgraphs must run on it.
    const pair = generateEd25519Pem();
    const l = await launch({ VIEWER_SIGNING_KEY: pair.privateKey, VIEWER_VERIFY_KEY: pair.publicKey });
    const out = l.output();
    expect(out).toContain('[start] using your VIEWER_SIGNING_KEY, VIEWER_VERIFY_KEY instead of the development values');
    const curl = curlLine(out);
    const res = await fetch(curl.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${curl.token}` }, body: curl.body });
    const body = (await res.json()) as { data?: { customerByServiceNumber?: { id: string } }; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    expect(body.data?.customerByServiceNumber?.id).toMatch(/^1-/);
    l.child.kill('SIGINT');
    expect(await l.exited).toBe(0);
  }, 90_000);
});
