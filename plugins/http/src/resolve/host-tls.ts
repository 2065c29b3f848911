import {
  type IRDownstreamTls,
  type IRSecret,
  type PassContext,
  type PassMemo,
  readExt,
  type StoredResource,
  TlsTerminationRequestsExt,
} from '@attache/core';
import { configOf } from '../config.js';
import { ExtKey, type HttpHost, type HttpTLSContext } from '../model.js';
import { sameObjects } from '../same-objects.js';
import type { TLSContextSettings } from '../schemas/tlscontext.js';
import { SecretResolver, type SecretResolverState, splitSecretName } from './secrets.js';
import { tlsParameters } from './tls-settings.js';

/**
 * Gives every Host its downstream TLS (certificate, CA, parameters), drops
 * Hosts whose TLS cannot work (with a diagnostic, where Emissary only logs),
 * keeps one Host per hostname, and synthesizes Emissary's default Host when
 * none is left.
 */
export function resolveHostTls(ctx: PassContext): void {
  const secrets = new SecretResolver(ctx);
  const contexts = (ctx.ir.ext[ExtKey.tlsContexts] as HttpTLSContext[] | undefined) ?? [];
  const hosts = (ctx.ir.ext[ExtKey.hosts] as HttpHost[] | undefined) ?? [];
  let kept: HttpHost[];
  if (ctx.memo) {
    const outcome = keptOutcome(ctx, ctx.memo, hosts, contexts, secrets);
    kept = [...outcome.kept];
  } else kept = resolveAll(ctx, hosts, contexts, secrets);
  secrets.reportProblems();
  ctx.ir.ext[ExtKey.hosts] = kept;
}

/** What the Host TLS of one compile gave: the Hosts kept, and the Secret verdicts behind them. */
interface Outcome {
  kept: readonly HttpHost[];
  secrets: SecretResolverState;
}

/** Everything resolveAll reads, but the Secrets' contents (kept per Secret object) and the clock. */
interface Inputs {
  hosts: readonly HttpHost[];
  contexts: readonly HttpTLSContext[];
  secretObjects: readonly StoredResource[];
  /** IR secrets written before this pass (an earlier pass's decoded Secrets are not judged again). */
  prior: readonly IRSecret[];
  config: unknown;
}

interface LastRun {
  inputs: Inputs;
  key: object;
  /** False when the default Host was made: it reads more (TLS termination requests); not reused. */
  reusable: boolean;
}

const lastRuns = new WeakMap<PassMemo, LastRun>();

/**
 * Host TLS under an incremental compiler: an edit that touches no Host, TLSContext
 * or Secret (a Mapping edit) gets the last compile's outcome again, with its
 * diagnostics (PassMemo replays them) and its Secrets' verdicts (their expiry
 * checked against this compile's clock), instead of resolving every Host again.
 */
function keptOutcome(
  ctx: PassContext,
  memo: PassMemo,
  hosts: readonly HttpHost[],
  contexts: readonly HttpTLSContext[],
  secrets: SecretResolver,
): Outcome {
  const inputs: Inputs = {
    hosts,
    contexts,
    secretObjects: secrets.objects(),
    prior: Object.values(ctx.ir.secrets),
    config: ctx.config,
  };
  const last = lastRuns.get(memo);
  const key = last?.reusable && sameInputs(last.inputs, inputs) ? last.key : {};
  let computed = false;
  const outcome = memo.reuse(key, 'host tls', (): Outcome => {
    computed = true;
    const kept = resolveAll(ctx, hosts, contexts, secrets);
    return { kept, secrets: secrets.state() };
  });
  if (!computed) secrets.restore(outcome.secrets);
  lastRuns.set(memo, { inputs, key, reusable: !outcome.kept.some((h) => h.synthesized) });
  return outcome;
}

function sameInputs(a: Inputs, b: Inputs): boolean {
  return (
    a.config === b.config &&
    sameObjects(a.secretObjects, b.secretObjects) &&
    sameObjects(a.prior, b.prior) &&
    sameList(a.contexts, b.contexts, sameContext) &&
    sameList(a.hosts, b.hosts, sameIngestedHost)
  );
}

/**
 * Whether the lists hold, position by position, the same objects or ones `same` finds equal. The
 * identity test is made here: 5,000 kept Hosts cost no call through `same` (a call site seeing
 * several functions, never inlined).
 */
function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as T;
    const y = b[i] as T;
    if (x !== y && !same(x, y)) return false;
  }
  return true;
}

function sameRef(a: HttpHost['ref'], b: HttpHost['ref']): boolean {
  return (
    a === b ||
    (a.apiVersion === b.apiVersion &&
      a.kind === b.kind &&
      a.namespace === b.namespace &&
      a.name === b.name &&
      a.source === b.source)
  );
}

/** Labels are copied per compile (admit): compared by content. */
function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  if (a === b) return true;
  let count = 0;
  for (const key in a) {
    if (a[key] !== b[key]) return false;
    count++;
  }
  for (const _ in b) count--;
  return count === 0;
}

/** The same TLSContext: its identity and the same admitted spec object. */
function sameContext(a: HttpTLSContext, b: HttpTLSContext): boolean {
  return (
    a === b ||
    (sameRef(a.ref, b.ref) &&
      a.id === b.id &&
      a.name === b.name &&
      a.namespace === b.namespace &&
      sameLabels(a.labels, b.labels) &&
      a.spec === b.spec &&
      Object.keys(a).length === Object.keys(b).length)
  );
}

/** The same Host as ingested (before TLS): every field, objects from its admitted spec by identity. */
function sameIngestedHost(a: HttpHost, b: HttpHost): boolean {
  if (a === b) return true;
  const ra = a.tlsRequest;
  const rb = b.tlsRequest;
  return (
    sameRef(a.ref, b.ref) &&
    a.id === b.id &&
    a.name === b.name &&
    a.namespace === b.namespace &&
    sameLabels(a.labels, b.labels) &&
    a.hostname === b.hostname &&
    a.insecureAction === b.insecureAction &&
    a.mappingSelector === b.mappingSelector &&
    a.additionalPort === b.additionalPort &&
    a.synthesized === b.synthesized &&
    a.tls === undefined &&
    b.tls === undefined &&
    Object.keys(a).length === Object.keys(b).length &&
    (ra === rb ||
      (ra !== undefined &&
        rb !== undefined &&
        ra.contextName === rb.contextName &&
        ra.inline === rb.inline &&
        ra.secret?.name === rb.secret?.name &&
        ra.secret?.namespace === rb.secret?.namespace &&
        Object.keys(ra).length === Object.keys(rb).length))
  );
}

/**
 * The Host with its TLS, built field by field in ingest's order (the shape a
 * Host had when TLS was set on it in place): a spread copy was several times
 * slower to read for the build passes, thousands of times per compile.
 */
function withTls(host: HttpHost, tls: IRDownstreamTls): HttpHost {
  const out: HttpHost = {
    ref: host.ref,
    id: host.id,
    name: host.name,
    namespace: host.namespace,
    labels: host.labels,
    hostname: host.hostname,
    insecureAction: host.insecureAction,
  };
  if (host.mappingSelector !== undefined) out.mappingSelector = host.mappingSelector;
  if (host.additionalPort !== undefined) out.additionalPort = host.additionalPort;
  if (host.tlsRequest !== undefined) out.tlsRequest = host.tlsRequest;
  if (host.synthesized !== undefined) out.synthesized = host.synthesized;
  out.tls = tls;
  return out;
}

/** Resolves every Host's TLS (reporting as it goes), then makes the default Host when none is left. */
function resolveAll(
  ctx: PassContext,
  hosts: readonly HttpHost[],
  contexts: readonly HttpTLSContext[],
  secrets: SecretResolver,
): HttpHost[] {
  const config = configOf(ctx.config);
  const contextsByName = new Map<string, HttpTLSContext[]>();
  for (const c of contexts) contextsByName.set(c.name, [...(contextsByName.get(c.name) ?? []), c]);
  const findContext = (name: string, namespace: string) => {
    const candidates = contextsByName.get(name) ?? [];
    return candidates.find((c) => c.namespace === namespace) ?? candidates[0];
  };

  const kept: HttpHost[] = [];
  const byHostname = new Map<string, HttpHost>();
  for (const host of hosts) {
    const request = host.tlsRequest;
    let resolved = host;
    if (request) {
      let context: HttpTLSContext | undefined;
      if (request.contextName && request.inline) {
        ctx.report({
          code: 'HOST_TLS_AMBIGUOUS',
          resource: host.ref,
          path: '/spec/tls',
          message:
            'spec.tls and spec.tlsContext are both set; keep one (inline settings, or a TLSContext by name)',
        });
        continue;
      }
      if (request.contextName) {
        context = findContext(request.contextName, host.namespace);
        if (!context) {
          ctx.report({
            code: 'HOST_TLS_CONTEXT_UNKNOWN',
            resource: host.ref,
            path: '/spec/tlsContext/name',
            message: `TLSContext '${request.contextName}' does not exist; create it or fix spec.tlsContext.name`,
          });
          continue;
        }
      } else if (request.secret && !request.inline) {
        // Emissary adopts a TLSContext named "<host>-context" silently.
        context = findContext(`${host.name}-context`, host.namespace);
      }
      const settings: TLSContextSettings = { ...(context?.spec ?? {}), ...(request.inline ?? {}) };
      let secretRef = request.secret;
      if (context?.spec.secret) {
        const fromContext = splitSecretName(
          context.spec.secret,
          context.namespace,
          context.spec.secret_namespacing,
        );
        if (
          secretRef &&
          (secretRef.name !== fromContext.name || secretRef.namespace !== fromContext.namespace)
        ) {
          ctx.report({
            code: 'HOST_TLS_CONTEXT_MISMATCH',
            resource: host.ref,
            path: '/spec/tlsSecret',
            message: `spec.tlsSecret ${secretRef.namespace}/${secretRef.name} differs from TLSContext ${context.name}'s secret ${fromContext.namespace}/${fromContext.name}; make them the same or drop one`,
          });
          continue;
        }
        secretRef = fromContext;
      }
      if (secretRef) {
        const certificate = secrets.certificate(
          secretRef.namespace,
          secretRef.name,
          context?.ref ?? host.ref,
        );
        if (context) secrets.certificate(secretRef.namespace, secretRef.name, host.ref);
        if (!certificate) {
          ctx.report({
            code: 'HOST_SECRET_MISSING',
            resource: host.ref,
            path: request.secret ? '/spec/tlsSecret/name' : '/spec/tlsContext/name',
            message: `TLS Secret ${secretRef.namespace}/${secretRef.name} ${secrets.reason(secretRef.namespace, secretRef.name, 'certificate')}; create it (kubernetes.io/tls) or fix the reference`,
          });
          continue;
        }
        const tls: IRDownstreamTls = { certificateSecret: certificate, ...tlsParameters(settings) };
        if (settings.ca_secret) {
          const ca = splitSecretName(
            settings.ca_secret,
            context?.namespace ?? host.namespace,
            settings.secret_namespacing,
          );
          const caSecret = secrets.ca(ca.namespace, ca.name, context?.ref ?? host.ref);
          if (context) secrets.ca(ca.namespace, ca.name, host.ref);
          if (!caSecret) {
            ctx.report({
              code: 'TLSCONTEXT_SECRET_MISSING',
              resource: context?.ref ?? host.ref,
              path: context ? '/spec/ca_secret' : '/spec/tls/ca_secret',
              message: `CA Secret ${ca.namespace}/${ca.name} ${secrets.reason(ca.namespace, ca.name, 'ca')}; create it or fix ca_secret`,
            });
            continue;
          }
          tls.caSecret = caSecret;
          if (settings.cert_required) tls.requireClientCertificate = true;
        }
        if (settings.sni !== undefined) {
          ctx.report({
            code: 'TLSCONTEXT_SNI_ON_TERMINATION',
            resource: context?.ref ?? host.ref,
            path: context ? '/spec/sni' : '/spec/tls/sni',
            message: `sni is ignored where TLS is terminated for Host ${host.id}; it only applies to Mapping spec.tls (origination)`,
          });
        }
        // A copy: the ingested Host is an input, compared with the next compile's.
        resolved = withTls(host, tls);
      }
    }
    const previous = byHostname.get(host.hostname);
    if (previous) {
      ctx.report({
        code: 'HOST_HOSTNAME_DUPLICATE',
        resource: host.ref,
        path: '/spec/hostname',
        message: `hostname '${host.hostname}' is already served by Host ${previous.id}; merge the two Hosts or change the hostname`,
      });
      continue;
    }
    byHostname.set(host.hostname, resolved);
    kept.push(resolved);
  }

  if (kept.length === 0) {
    // A TLSContext that terminates TLS for a TCPMapping's host (feature-tcp) is in use without a Host.
    const asked = new Set((readExt(ctx.ir, TlsTerminationRequestsExt) ?? []).map((r) => r.serverName));
    for (const c of contexts) {
      if (c.spec.hosts?.length && !c.spec.hosts.some((h) => asked.has(h))) {
        ctx.report({
          code: 'TLSCONTEXT_NO_HOSTS_DEFINED',
          resource: c.ref,
          path: '/spec/hosts',
          message:
            'no Host is defined, so this TLSContext terminates nothing; create a Host whose tlsContext names it',
        });
      }
    }
    const fallback = secrets.certificate(config.ambassadorNamespace, 'fallback-self-signed-cert');
    const host: HttpHost = {
      ref: {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Host',
        namespace: config.ambassadorNamespace,
        name: 'default-host',
      },
      id: `${config.ambassadorNamespace}/default-host`,
      name: 'default-host',
      namespace: config.ambassadorNamespace,
      labels: {},
      hostname: '*',
      insecureAction: fallback ? 'Redirect' : 'Route',
      synthesized: true,
    };
    if (fallback) host.tls = { certificateSecret: fallback };
    ctx.report({
      code: 'HTTP_DEFAULT_HOST',
      message: fallback
        ? 'no Host is defined: serving every hostname with the certificate fallback-self-signed-cert, redirecting cleartext; define a Host to choose'
        : 'no Host is defined: serving every hostname over cleartext only; define a Host to choose hostnames and TLS',
    });
    kept.push(host);
  }
  return kept;
}
