#!/usr/bin/env node
// Rough timings for the report (not a test; timings are never asserted):
// loading the registry, and lowering + validating 10,000 routes.
// Run after a build: node scripts/measure.mjs [routes]
// CPU time (user + system) rather than wall time: the machine is shared, and
// other processes' load would otherwise be counted.
const performance = {
  now: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
};

const count = Number(process.argv[2] ?? 10000);
const t0 = performance.now();
const envoy = await import('../dist/index.js');
void envoy.envoyRegistry;
const t1 = performance.now();
console.log(`import + registry load: CPU ${(t1 - t0).toFixed(0)} ms`);

const ref = (name) => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Mapping',
  namespace: 'default',
  name,
});
function ir() {
  const routes = [];
  for (let i = 0; i < count; i++) {
    routes.push({
      name: `default/m${i}`,
      provenance: [ref(`m${i}`)],
      match: {
        path: { kind: 'prefix', value: `/svc${i}/` },
        headers: [{ name: 'x-canary', match: { exact: 'yes' } }],
      },
      action: {
        kind: 'forward',
        clusters: [{ cluster: `c${i % 500}`, weight: 100 }],
        prefixRewrite: '/',
        timeoutMs: 3000,
        retryPolicy: { retryOn: '5xx', numRetries: 2 },
      },
      requestHeadersToAdd: [{ key: 'x-mapping', value: `m${i}` }],
      typedPerFilterConfig: {
        'envoy.filters.http.ext_authz': {
          '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute',
          disabled: true,
        },
      },
    });
  }
  return {
    listeners: {},
    routeConfigs: {
      rc: {
        name: 'rc',
        provenance: [],
        virtualHosts: [{ name: 'vh', domains: ['*'], provenance: [], routes }],
      },
    },
    clusters: {},
    endpoints: {},
    secrets: {},
    ext: {},
  };
}

for (let round = 1; round <= 3; round++) {
  const input = ir();
  const a = performance.now();
  const lowered = envoy.lowerIR(input);
  const b = performance.now();
  const issues = envoy.validateResource(lowered[0].resource);
  const c = performance.now();
  const admitted = envoy.lowerAndValidate(input);
  const d = performance.now();
  console.log(
    `round ${round} (CPU): lower ${(b - a).toFixed(0)} ms, validate ${(c - b).toFixed(0)} ms (${issues.length} issues), ` +
      `lower+validate+hash ${(d - c).toFixed(0)} ms (${admitted[0].resource ? 'admitted' : 'rejected'}) — ${count} routes`,
  );
}
