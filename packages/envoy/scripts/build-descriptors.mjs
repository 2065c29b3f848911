#!/usr/bin/env node
// Builds gen/envoy.binpb: one binary FileDescriptorSet of the Envoy v3 API we
// serve, validate and encode, compiled with buf from the .proto files that
// ship inside @grpc/grpc-js-xds (so the schema version moves with that pin).
//
// The protos are copied into gen/proto first because the bundled
// validate/validate.proto predates `StringRules.ignore_empty = 26`, which the
// Envoy files use; we patch the copy, never the installed package.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const genDir = join(packageDir, 'gen');
const outFile = join(genDir, 'envoy.binpb');
// Builds run concurrently (turbo in several shells) while tests read gen/:
// work in a private directory and rename the result into place atomically.
const workDir = join(genDir, `.work-${process.pid}`);
const protoDir = join(workDir, 'proto');

const require = createRequire(import.meta.url);
const xdsPackageDir = dirname(require.resolve('@grpc/grpc-js-xds/package.json'));

/** Proto roots inside @grpc/grpc-js-xds/deps, with the subdirectories we need from each. */
const roots = {
  'envoy-api': ['envoy'],
  xds: ['xds', 'udpa'],
  googleapis: ['google'],
  'protoc-gen-validate': ['validate'],
};

/**
 * The files we compile; buf adds everything they import. Grouped by why we
 * need them so that adding a feature means adding a line here.
 */
const targets = [
  // Resources served over xDS and the static bootstrap.
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/config/core/v3/health_check.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/raw_buffer/v3/raw_buffer.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/regex_engines/v3/google_re2.proto',
  // Network filters.
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  // HTTP filters (see src/http-filter-slots.ts).
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/cors/v3/cors.proto',
  'envoy/extensions/filters/http/ext_authz/v3/ext_authz.proto',
  'envoy/extensions/filters/http/ratelimit/v3/rate_limit.proto',
  'envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto',
  'envoy/extensions/filters/http/grpc_web/v3/grpc_web.proto',
  'envoy/extensions/filters/http/grpc_stats/v3/config.proto',
  'envoy/extensions/filters/http/grpc_http1_bridge/v3/config.proto',
  'envoy/extensions/filters/http/health_check/v3/health_check.proto',
  'envoy/extensions/filters/http/lua/v3/lua.proto',
  'envoy/extensions/filters/http/buffer/v3/buffer.proto',
  'envoy/extensions/filters/http/jwt_authn/v3/config.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/compressor/v3/compressor.proto',
  'envoy/extensions/compression/gzip/compressor/v3/gzip.proto',
  'envoy/extensions/filters/http/custom_response/v3/custom_response.proto',
  // On-demand virtual hosts (VHDS), which the ADS sink adds when it serves route tables as VHDS.
  'envoy/extensions/filters/http/on_demand/v3/on_demand.proto',
  // custom_response's policy and the response input its matcher tree reads.
  'envoy/extensions/http/custom_response/local_response_policy/v3/local_response_policy.proto',
  'envoy/type/matcher/v3/status_code_input.proto',
  // Listener filters.
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/filters/listener/proxy_protocol/v3/proxy_protocol.proto',
  // Access loggers.
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/extensions/access_loggers/stream/v3/stream.proto',
  'envoy/extensions/access_loggers/grpc/v3/als.proto',
  // Tracers (TracingService).
  'envoy/config/trace/v3/zipkin.proto',
  'envoy/config/trace/v3/opentelemetry.proto',
  'envoy/config/trace/v3/datadog.proto',
  // Discovery services (the ADS server encodes and decodes these).
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/discovery/v3/discovery.proto',
  'envoy/service/listener/v3/lds.proto',
  'envoy/service/route/v3/rds.proto',
  'envoy/service/cluster/v3/cds.proto',
  'envoy/service/endpoint/v3/eds.proto',
  'envoy/service/secret/v3/sds.proto',
  // External services our filters talk to.
  'envoy/service/auth/v3/external_auth.proto',
  'envoy/service/ratelimit/v3/rls.proto',
  'envoy/service/accesslog/v3/als.proto',
  // Untyped filter configs Envoy accepts in typed_config.
  'xds/type/v3/typed_struct.proto',
  'udpa/type/v1/typed_struct.proto',
];

rmSync(workDir, { recursive: true, force: true });
mkdirSync(protoDir, { recursive: true });

const modules = [];
for (const [root, subdirs] of Object.entries(roots)) {
  for (const sub of subdirs) {
    const from = join(xdsPackageDir, 'deps', root, sub);
    if (!existsSync(from)) throw new Error(`@grpc/grpc-js-xds has no deps/${root}/${sub} (${from})`);
    cpSync(from, join(protoDir, root, sub), {
      recursive: true,
      filter: (src) => statSync(src).isDirectory() || src.endsWith('.proto'),
    });
  }
  modules.push({ path: `proto/${root}` });
}

patchValidateProto(join(protoDir, 'protoc-gen-validate', 'validate', 'validate.proto'));

// buf v2 workspace: one module per proto root, so imports resolve across roots.
writeFileSync(
  join(workDir, 'buf.yaml'),
  `version: v2\nmodules:\n${modules.map((m) => `  - path: ${m.path}`).join('\n')}\n`,
);

const buf = join(packageDir, 'node_modules', '.bin', process.platform === 'win32' ? 'buf.cmd' : 'buf');
const pathArgs = targets.flatMap((target) => ['--path', `proto/${rootOf(target)}/${target}`]);
try {
  execFileSync(buf, ['build', '--exclude-source-info', '-o', 'envoy.binpb', ...pathArgs], {
    cwd: workDir,
    stdio: 'inherit',
  });
  renameSync(join(workDir, 'envoy.binpb'), outFile);
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
console.log(
  `build-descriptors: wrote ${outFile} (${statSync(outFile).size} bytes, ${targets.length} target files)`,
);

/** The proto root a target file lives in, from its first path segment. */
function rootOf(target) {
  const top = target.split('/')[0];
  const root = Object.keys(roots).find((r) => roots[r].includes(top));
  if (!root) throw new Error(`build-descriptors: no proto root holds '${target}'`);
  return root;
}

/**
 * Adds the PGV rules newer than the bundled validate.proto. Numbers are the
 * upstream ones, so the descriptors read them exactly as Envoy's PGV does.
 */
function patchValidateProto(file) {
  const source = readFileSync(file, 'utf8');
  const anchor = /(message StringRules \{[\s\S]*?optional bool strict = 25 \[default = true\];)/;
  if (!anchor.test(source)) throw new Error(`cannot patch ${file}: StringRules.strict (25) not found`);
  if (/ignore_empty/.test(source)) return;
  const patched = source.replace(
    anchor,
    '$1\n\n  // Patched in by build-descriptors.mjs (upstream PGV field 26): skip the\n  // rules when the value is empty.\n  optional bool ignore_empty = 26;',
  );
  writeFileSync(file, patched);
}
