import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AttacheConfig, logFormats } from '@attache/runtime';
import { UsageError } from './io.js';

/** apps/attache/attache.yaml: the bundled example (from src/ under vitest, from dist/ when built). */
export const defaultConfigPath = fileURLToPath(new URL('../attache.yaml', import.meta.url));

export interface ServeFlags {
  watch: string[];
  ads?: string;
  admin?: string;
  bootstrap?: string;
  kubernetes: boolean;
  kubeconfig?: string;
  namespace?: string;
  logLevel?: string;
  logFormat?: string;
}

/**
 * Flags override the config file. Paths given on the command line are
 * relative to the working directory; paths in the file stay relative to the file.
 */
export function applyServeFlags(config: AttacheConfig, flags: ServeFlags, cwd: string): AttacheConfig {
  const out: AttacheConfig = structuredClone(config);
  const block = (section: 'sources' | 'sinks', type: string): Record<string, unknown> => {
    const existing = out[section][type];
    return existing && typeof existing === 'object' ? { ...(existing as Record<string, unknown>) } : {};
  };
  if (flags.watch.length > 0) {
    out.sources.file = { ...block('sources', 'file'), paths: flags.watch.map((p) => resolve(cwd, p)) };
  }
  if (flags.ads) {
    const { host, port } = parseHostPort(flags.ads, '--ads');
    out.sinks.ads = {
      ...block('sinks', 'ads'),
      address: `${host.includes(':') ? `[${host}]` : host}:${port}`,
    };
    if (out.sinks.file) out.sinks.file = { ...block('sinks', 'file'), ads: { host, port } };
  }
  if (flags.bootstrap) {
    out.sinks.file = { mode: 'ads', ...block('sinks', 'file'), path: resolve(cwd, flags.bootstrap) };
    const ads = out.sinks.ads as { address?: string } | undefined;
    if (ads?.address && !(out.sinks.file as Record<string, unknown>).ads) {
      (out.sinks.file as Record<string, unknown>).ads = parseHostPort(ads.address, 'sinks.ads.address');
    }
  }
  if (flags.admin) {
    const { host, port } = parseHostPort(flags.admin, '--admin');
    out.admin = { host, port, enabled: true };
  }
  if (flags.kubernetes || flags.kubeconfig || flags.namespace) {
    out.sources.kubernetes = {
      ...block('sources', 'kubernetes'),
      ...(flags.kubeconfig ? { kubeconfig: resolve(cwd, flags.kubeconfig) } : {}),
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
    };
  }
  if (flags.logLevel) out.log = { ...out.log, level: flags.logLevel as AttacheConfig['log']['level'] };
  if (flags.logFormat) {
    if (!(logFormats as readonly string[]).includes(flags.logFormat))
      throw new UsageError(`--log-format takes ${logFormats.join(', ')}, not '${flags.logFormat}'`);
    out.log = { ...out.log, format: flags.logFormat as AttacheConfig['log']['format'] };
  }
  return out;
}

export function parseHostPort(text: string, flag: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(text);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m?.[1] || !(port >= 0 && port <= 65535)) {
    throw new UsageError(`${flag} takes HOST:PORT (e.g. 127.0.0.1:18000), not '${text}'`);
  }
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port };
}
