import type { Logger } from '@attache/core';
import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';
import { build as prettyStream } from 'pino-pretty';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * How log lines look: `json` (one object a line, for collectors), `pretty`
 * (one human-readable line per entry, pino-pretty style), or `auto`: pretty
 * when the destination is a terminal, JSON otherwise (files, pipes, Kubernetes).
 */
export type LogFormat = 'auto' | 'json' | 'pretty';

export const logFormats: readonly LogFormat[] = ['auto', 'json', 'pretty'];

/** What `auto` becomes for a destination: pretty only on a terminal. */
export function resolveLogFormat(format: LogFormat, destination: { isTTY?: boolean }): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return destination.isTTY === true ? 'pretty' : 'json';
}

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

/**
 * Logs on stderr (stdout belongs to command output such as `attache compile`),
 * or on `destination`. `format` defaults to `auto`: human-readable lines when
 * the destination is a terminal, JSON otherwise.
 */
export function createLogger(
  level: LogLevel = 'info',
  destination?: DestinationStream & { isTTY?: boolean },
  format: LogFormat = 'auto',
): Logger {
  const options = { level, base: { name: 'attache' } };
  const tty = destination ? destination.isTTY === true : process.stderr.isTTY === true;
  if (resolveLogFormat(format, { isTTY: tty }) === 'json') {
    return pinoLogger(pino(options, destination ?? pino.destination(2)));
  }
  const pretty = prettyStream({
    // Synchronous, like pino.destination(2): nothing is lost when the process exits.
    destination: destination ?? 2,
    sync: true,
    colorize: tty && process.env.NO_COLOR === undefined,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,name',
    singleLine: true,
  });
  return pinoLogger(pino(options, pretty));
}

/** A logger that drops everything, for tests and pure commands. */
export function silentLogger(): Logger {
  return createLogger('silent', undefined, 'json');
}
