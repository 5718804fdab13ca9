import { z } from 'zod';

/**
 * Reading a process's configuration: once, from the environment, into a typed and frozen object.
 * Every variable is declared with what it means and an example, so that a bad value stops start-up
 * with a message that names the variable and the fix.
 */

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface VarSpec<T> {
  /** What the variable is for, said to the person who set it wrong. */
  readonly describe: string;
  /** A valid value, shown in the error message. */
  readonly example: string;
  readonly schema: z.ZodType<T>;
}

export function defineVar<T>(schema: z.ZodType<T>, describe: string, example: string): VarSpec<T> {
  return { schema, describe, example };
}

type Specs = Record<string, VarSpec<unknown>>;
export type ConfigOf<S extends Specs> = { readonly [K in keyof S]: S[K] extends VarSpec<infer T> ? T : never };

/** Reads the variables of `specs` (keys are the variable names) from `env`. */
export function readConfig<S extends Specs>(specs: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const raw = env[name];
    const parsed = spec.schema.safeParse(raw === '' ? undefined : raw);
    if (parsed.success) out[name] = parsed.data;
    else {
      const why = parsed.error.issues.map((i) => i.message).join('; ');
      problems.push(`${name}=${raw === undefined ? '(unset)' : JSON.stringify(raw)} is not valid (${why}): set it to ${spec.describe}, e.g. ${spec.example}`);
    }
  }
  if (problems.length) throw new ConfigError(problems.join('\n'));
  return Object.freeze(out) as ConfigOf<S>;
}

/** Common variable shapes. */
export const vars = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  url: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .refine((s) => /^https?:\/\//.test(s) && URL.canParse(s), 'not an http(s) URL'),
  positiveInt: (fallback: number, max = 1_000_000) => z.coerce.number().int().min(1).max(max).default(fallback),
  milliseconds: (fallback: number) => z.coerce.number().int().min(1).max(600_000).default(fallback),
  string: (fallback: string) => z.string().default(fallback),
  optionalString: () => z.string().optional(),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .optional()
      .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v))),
};
