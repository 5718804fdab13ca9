import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The viewers the playground's picker offers: name, who they are, and a ready caller token. The
 * embedded stack writes them (`npm start` → `.dev/viewers.json`, `PLAYGROUND_VIEWERS_FILE`); a
 * production gateway has none, and its playground takes a token in the headers editor instead.
 */
export interface PlaygroundViewer {
  /** What the picker shows, e.g. `Shenzhen agent`. */
  readonly name: string;
  readonly sub: string;
  readonly roles: readonly string[];
  readonly region: { readonly province?: string; readonly localNetwork?: string };
  /** Sent as `Authorization: Bearer <token>` once picked. */
  readonly token: string;
}

const viewerFile = z
  .array(
    z.object({
      name: z.string().min(1).max(80),
      sub: z.string().min(1).max(128),
      roles: z.array(z.string().max(64)).max(32),
      region: z.object({ province: z.string().max(16).optional(), localNetwork: z.string().max(16).optional() }).default({}),
      // A compact JWT: three base64url parts.
      token: z.string().regex(/^[\w-]+\.[\w-]+\.[\w-]*$/, 'is not a compact JWT'),
    }),
  )
  .max(100);

/**
 * Reads and checks a viewers file (a JSON array of `{name, sub, roles, region, token}`).
 * @throws an Error naming the file, what is wrong and the fix.
 */
export function loadPlaygroundViewers(file: string): PlaygroundViewer[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`PLAYGROUND_VIEWERS_FILE=${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): run \`npm run tokens\` to write .dev/viewers.json, or unset the variable`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`PLAYGROUND_VIEWERS_FILE=${file} is not JSON (${(e as Error).message}): run \`npm run tokens\` to write it again`);
  }
  const parsed = viewerFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`PLAYGROUND_VIEWERS_FILE=${file} is not a list of viewers (at ${issue.path.join('.') || 'the top'}: ${issue.message}): it holds [{"name","sub","roles","region","token"}]; run \`npm run tokens\` to write it again`);
  }
  return parsed.data;
}
