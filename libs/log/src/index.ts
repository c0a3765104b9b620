// Structured JSON logs (pino), one logger per service, child loggers per step.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export function createLogger(service: string, level: LevelWithSilent = (process.env.LOG_LEVEL as LevelWithSilent | undefined) ?? 'info'): Logger {
  return pino({ name: service, level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** A logger that writes nothing: for tests and for CLI commands that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
