import type { Logger } from '@attache/core';
import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Adapts pino to core's Logger, so plugins never depend on the logging library. */
export function pinoLogger(base: PinoLogger): Logger {
  return {
    debug: (obj, msg) => (typeof obj === 'string' ? base.debug(obj) : base.debug(obj, msg)),
    info: (obj, msg) => (typeof obj === 'string' ? base.info(obj) : base.info(obj, msg)),
    warn: (obj, msg) => (typeof obj === 'string' ? base.warn(obj) : base.warn(obj, msg)),
    error: (obj, msg) => (typeof obj === 'string' ? base.error(obj) : base.error(obj, msg)),
    child: (bindings) => pinoLogger(base.child(bindings)),
  };
}

/** JSON logs on stderr (stdout belongs to command output such as `attache compile`). */
export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  return pinoLogger(pino({ level, base: { name: 'attache' } }, destination ?? pino.destination(2)));
}

/** A logger that drops everything, for tests and pure commands. */
export function silentLogger(): Logger {
  return createLogger('silent');
}
