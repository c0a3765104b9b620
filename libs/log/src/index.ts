// Structured JSON logs (pino), one logger per service, child loggers per step.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export function createLogger(service: string, level: LevelWithSilent = (process.env.LOG_LEVEL as LevelWithSilent | undefined) ?? 'info'): Logger {
  return pino({ name: service, level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime, serializers: { req: requestForLog } });
}

/** A logger that writes nothing: for tests and for CLI commands that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * A request as it is logged: its method, its path without the query (which may hold anything a
 * client chose to put there), cut at 200 characters, and the client's address.
 */
export function requestForLog(request: { method?: string; url?: string; ip?: string }): Record<string, unknown> {
  return { method: request.method, url: String(request.url ?? '').split('?')[0]!.slice(0, 200), remoteAddress: request.ip };
}
