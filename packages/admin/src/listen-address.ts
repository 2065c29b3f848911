export interface ListenAddress {
  host: string;
  port: number;
}

/** Loopback unless told otherwise: the admin API shows the whole configuration. */
export const defaultAdminAddress: ListenAddress = { host: '127.0.0.1', port: 8877 };

/**
 * Parses 'HOST:PORT', '[IPv6]:PORT' or ':PORT' (loopback). Throws on nonsense:
 * the address comes from the operator's flags or config, checked at start-up.
 */
export function parseListenAddress(text: string | undefined): ListenAddress {
  if (text === undefined || text === '') return { ...defaultAdminAddress };
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) {
    throw new Error(
      `admin address '${text}' is not HOST:PORT (e.g. 127.0.0.1:8877, [::1]:8877, :8877); port must be 0-65535`,
    );
  }
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? defaultAdminAddress.host : host, port };
}
