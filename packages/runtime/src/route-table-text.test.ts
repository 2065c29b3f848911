import { seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { RouteTableText } from './route-table-text.js';

type Json = Record<string, unknown>;

function route(random: () => number, i: number): unknown {
  const roll = random();
  if (roll < 0.03) return null;
  if (roll < 0.05) return undefined; // written as null in a list
  const out: Json = { match: { prefix: `/r${i}/"q"\\` }, route: { cluster: `c${i}`, timeout: undefined } };
  if (roll < 0.1) out.skipped = () => 1;
  if (roll < 0.12) out.when = new Date(0); // toJSON
  return out;
}

function table(random: () => number, hosts: number): Json {
  return {
    '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
    name: 'rc',
    virtual_hosts: Array.from({ length: hosts }, (_, h) =>
      h === 1
        ? { name: 'no-routes', domains: ['x'] }
        : {
            name: `h${h}`,
            domains: [`h${h}.example.com`],
            routes: Array.from({ length: 20 }, (_, i) => route(random, i)),
          },
    ),
    validate_clusters: undefined,
  };
}

describe('route table texts kept per virtual host and route', () => {
  it('is JSON.stringify, byte for byte, over random edits that keep most objects', () => {
    const random = seededRandom(5);
    const texts = new RouteTableText();
    let rc = table(random, 6);
    expect(texts.of(rc)).toBe(JSON.stringify(rc));
    for (let step = 0; step < 300; step++) {
      const hosts = [...(rc.virtual_hosts as Json[])];
      const at = Math.floor(random() * hosts.length);
      const host = hosts[at] as Json;
      const roll = random();
      if (roll < 0.4 && Array.isArray(host?.routes)) {
        const routes = [...host.routes];
        routes[Math.floor(random() * routes.length)] = route(random, 1000 + step);
        hosts[at] = { ...host, routes };
      } else if (roll < 0.6 && host) hosts[at] = { ...host, domains: [`d${step}`] };
      else if (roll < 0.7) hosts.reverse();
      else if (roll < 0.8) hosts.push({ name: `new${step}`, routes: [route(random, step)] });
      else if (roll < 0.85) hosts.splice(at, 1);
      else if (roll < 0.9) hosts[at] = null as unknown as Json;
      rc = { ...rc, name: `rc${step % 3}`, virtual_hosts: hosts };
      expect(texts.of(rc), `step ${step}`).toBe(JSON.stringify(rc));
    }
  });

  it('is JSON.stringify for resources that are not route tables', () => {
    const texts = new RouteTableText();
    for (const resource of [
      { name: 'c', connect_timeout: '1s', x: undefined },
      { name: 'odd', virtual_hosts: 'not a list' },
      { name: 'empty', virtual_hosts: [] },
    ]) {
      expect(texts.of(resource)).toBe(JSON.stringify(resource));
    }
  });
});
