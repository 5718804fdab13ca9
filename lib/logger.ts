import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs (pino) for every process. `LOG_LEVEL` sets the level (default `info`;
 * `silent` in tests). Each line carries the process name, and request-scoped lines the request id.
 */
export function createLogger(name: string, level = 'info'): Logger {
  return pino({ name, level, base: { name }, timestamp: pino.stdTimeFunctions.isoTime });
}

export type { Logger };
