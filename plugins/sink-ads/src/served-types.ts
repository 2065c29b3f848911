import { xdsPushOrder } from '@attache/core';
import { virtualHostTypeUrl } from '@attache/envoy';

/** VirtualHost, the type of VHDS: served on delta ADS streams when the sink's `vhds` option is on. */
export const VirtualHostType = virtualHostTypeUrl;

/** Every type the ADS service carries, in make-before-break order: virtual hosts after their route tables. */
export const servedTypes: readonly string[] = [...xdsPushOrder, VirtualHostType];
