import type { Logger } from '@attache/core';
import type { Runtime } from './runtime.js';

/**
 * Stops the runtime cleanly on SIGINT/SIGTERM (sources first, pending changes
 * flushed, sinks last) and resolves with the exit code. A second signal
 * while stopping exits at once, for an operator who means it.
 */
export function stopOnSignals(runtime: Runtime, logger: Logger): Promise<number> {
  return new Promise((resolvePromise) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      runtime.stop().then(
        () => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolvePromise(0);
        },
        (e: unknown) => {
          logger.error({ err: e }, 'shutdown failed');
          resolvePromise(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
