import { Counter, Gauge, Registry } from 'prom-client';

/**
 * The ADS server's Prometheus metrics, on a registry of their own that the
 * runtime or admin server merges into what it exposes (`Registry.merge`).
 * Module-level: every server in the process counts into the same series.
 */
export const adsMetricsRegistry = new Registry();

export interface XdsMetrics {
  pushes: Counter<'type' | 'variant'>;
  acks: Counter<'type' | 'variant'>;
  nacks: Counter<'type' | 'variant'>;
  streams: Gauge<'service' | 'variant'>;
  /** Optional so that test doubles of XdsMetrics need not carry it. */
  bytesSent?: Counter<'type' | 'variant'>;
}

export const xdsMetrics: XdsMetrics = {
  pushes: new Counter({
    name: 'attache_xds_pushes_total',
    help: 'xDS responses sent, by resource type and protocol variant',
    labelNames: ['type', 'variant'],
    registers: [adsMetricsRegistry],
  }),
  acks: new Counter({
    name: 'attache_xds_acks_total',
    help: 'xDS responses acknowledged by clients',
    labelNames: ['type', 'variant'],
    registers: [adsMetricsRegistry],
  }),
  nacks: new Counter({
    name: 'attache_xds_nacks_total',
    help: 'xDS responses rejected by clients (NACK)',
    labelNames: ['type', 'variant'],
    registers: [adsMetricsRegistry],
  }),
  streams: new Gauge({
    name: 'attache_xds_connected_streams',
    help: 'xDS streams currently open',
    labelNames: ['service', 'variant'],
    registers: [adsMetricsRegistry],
  }),
  bytesSent: new Counter({
    name: 'attache_xds_sent_bytes_total',
    help: 'Bytes of xDS responses written to streams (serialized DiscoveryResponse/DeltaDiscoveryResponse), by resource type and protocol variant',
    labelNames: ['type', 'variant'],
    registers: [adsMetricsRegistry],
  }),
};
