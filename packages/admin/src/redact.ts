/**
 * Keys whose values are key material or credentials in Envoy's Secret and TLS
 * messages (proto3-JSON camelCase and proto snake_case). The admin API shows
 * generated config for debugging; private keys have no business on a web page.
 */
const sensitiveKeys = new Set([
  'privateKey',
  'private_key',
  'password',
  'genericSecret',
  'generic_secret',
  'sessionTicketKeys',
  'session_ticket_keys',
  'privateKeyProvider',
  'private_key_provider',
]);

export const redactedMarker = '[redacted]';

/** A deep copy with every sensitive field replaced by a marker. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = sensitiveKeys.has(key) ? redactedMarker : redactSecrets(v);
    }
    return out;
  }
  return value;
}
