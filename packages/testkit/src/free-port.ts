import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Free ports for peers (Envoy listeners, ratelimit, Consul) that cannot bind
 * port 0 and report back.
 *
 * They are chosen below the kernel's ephemeral range
 * (`/proc/sys/net/ipv4/ip_local_port_range`). A port taken from inside that
 * range and released again is soon handed to the next process that binds
 * port 0: CI once saw Envoy's admin server (`127.0.0.1:0`) take the port a
 * test had just chosen for its listener, and the listener was rejected with
 * "Address already in use". Below the range, only another caller of these
 * functions can pick the same port, and each candidate is probed on both
 * 0.0.0.0 and 127.0.0.1 before it is given out.
 */

/** The first port of the kernel's ephemeral range (32768 when it cannot be read). */
function ephemeralStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const n = Number(low);
    return Number.isInteger(n) && n > 11_000 ? n : 32_768;
  } catch {
    return 32_768;
  }
}

const rangeEnd = ephemeralStart(); // exclusive
const rangeStart = Math.max(10_000, rangeEnd - 12_000);
const handedOut = new Set<number>();

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** A TCP port free on 0.0.0.0 and 127.0.0.1 right now, outside the ephemeral range. */
export async function freePort(): Promise<number> {
  const span = rangeEnd - rangeStart;
  let candidate = rangeStart + Math.floor(Math.random() * span);
  for (let tries = 0; tries < span; tries++, candidate = rangeStart + ((candidate - rangeStart + 1) % span)) {
    if (handedOut.has(candidate)) continue;
    if ((await canBind(candidate, '0.0.0.0')) && (await canBind(candidate, '127.0.0.1'))) {
      handedOut.add(candidate);
      return candidate;
    }
  }
  throw new Error(`no free port in ${rangeStart}-${rangeEnd - 1}`);
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  return ports;
}
