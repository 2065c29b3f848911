import {
  type CompileResult,
  compile,
  createIncrementalCompiler,
  HttpModelExt,
  type IncrementalCompiler,
  keyOfResource,
  type Plugin,
  type Resource,
  readExt,
  type StoredResource,
  seededRandom,
} from '@attache/core';
import { benchCertificatePem, benchPrivateKeyPem } from './bench-certificate.js';
import { generateCompileInputs, hostnameOf } from './compile-inputs.js';

/**
 * The differential check of the incremental compiler: random edit sequences
 * (seeded) on a generated configuration, and after every step the incremental
 * result is compared byte for byte with a fresh full compile of the same
 * inputs. The input store behaves like the runtime's: an edit replaces the
 * objects it changes and keeps every other object as it was.
 */

export const editKinds = [
  'add',
  'change',
  'delete',
  'rename',
  'move-host',
  'secret-rotation',
  'module-change',
  'listener-change',
  'host-change',
  'host-hostname',
  'canary',
  'shadow',
  'selector',
  'binding',
  'host-tls',
  'tlscontext-change',
  'upstream-tls',
  'secret-break',
  'clock',
  'nothing',
] as const;
export type EditKind = (typeof editKinds)[number];

/** mulberry32: a small seeded PRNG, so a failing sequence replays exactly. */
export { seededRandom };

/** A store of inputs by key, replaced object by object. */
export class EditableInputs {
  private readonly byKey = new Map<string, StoredResource>();
  private added = 0;
  /** The compile's clock (Secrets' expiry is checked against it); the `clock` edit moves it. */
  now = Date.UTC(2026, 11, 6);

  constructor(
    initial: readonly StoredResource[],
    private readonly hosts: number,
    private readonly random: () => number,
  ) {
    for (const stored of initial) this.byKey.set(keyOfResource(stored.resource), stored);
  }

  list(): StoredResource[] {
    return [...this.byKey.values()];
  }

  private pick(kind: string): StoredResource | undefined {
    const all = [...this.byKey.values()].filter((s) => s.resource.kind === kind);
    return all[Math.floor(this.random() * all.length)];
  }

  private put(resource: Resource): void {
    this.byKey.set(keyOfResource(resource), {
      resource,
      origin: { source: 'bench', file: `edits/${resource.kind}-${resource.metadata.name}.yaml`, line: 1 },
    });
  }

  private remove(stored: StoredResource): void {
    this.byKey.delete(keyOfResource(stored.resource));
  }

  private int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** A Mapping spec, now and then with a user mistake (so diagnostics are part of what is compared). */
  private mappingSpec(): Record<string, unknown> {
    const spec: Record<string, unknown> = {
      hostname: this.int(10) === 0 ? '*' : hostnameOf(this.int(this.hosts)),
      prefix: `/edit/${this.int(1000)}/`,
      service: `svc-edit-${this.int(50)}.team-${this.int(4)}:8080`,
    };
    const flavour = this.int(14);
    if (flavour === 0) spec.timout_ms = 100; // unknown field: HTTP_FIELD_UNKNOWN with a suggestion
    if (flavour === 1) spec.service = undefined; // missing service
    if (flavour === 2) {
      spec.prefix = '/edit/(unclosed/';
      spec.prefix_regex = true; // invalid RE2
    }
    if (flavour === 3) spec.rewrite = `/r/${this.int(10)}/`;
    if (flavour === 4) spec.timeout_ms = 500 * (1 + this.int(10));
    if (flavour === 5) spec.weight = 10;
    if (flavour === 6) spec.headers = { 'x-edit': `v${this.int(5)}` };
    // Upstreams that read more than the Mapping: a TLSContext (which `upstream-tls` edits), a
    // resolver that does not exist (MAPPING_RESOLVER_UNKNOWN, an unresolved EDS cluster).
    if (flavour === 7) spec.tls = 'upstream-tls';
    if (flavour === 8) spec.resolver = 'no-such-resolver';
    return JSON.parse(JSON.stringify(spec)) as Record<string, unknown>;
  }

  apply(kind: EditKind): string {
    switch (kind) {
      case 'add': {
        const name = `edit-${this.added++}`;
        this.put({
          apiVersion: 'getambassador.io/v3alpha1',
          kind: 'Mapping',
          metadata: { name, namespace: `team-${this.int(4)}` },
          spec: this.mappingSpec(),
        });
        return `add Mapping ${name}`;
      }
      case 'change': {
        const m = this.pick('Mapping');
        if (!m) return this.apply('add');
        const spec = { ...(m.resource.spec as Record<string, unknown>), ...this.mappingSpec() };
        spec.hostname = (m.resource.spec as Record<string, unknown>).hostname;
        this.put({ ...m.resource, spec });
        return `change Mapping ${m.resource.metadata.name}`;
      }
      case 'delete': {
        const m = this.pick('Mapping');
        if (!m) return 'delete: none left';
        this.remove(m);
        return `delete Mapping ${m.resource.metadata.name}`;
      }
      case 'rename': {
        const m = this.pick('Mapping');
        if (!m) return 'rename: none left';
        this.remove(m);
        const name = `renamed-${this.added++}`;
        this.put({ ...m.resource, metadata: { ...m.resource.metadata, name } });
        return `rename Mapping ${m.resource.metadata.name} → ${name}`;
      }
      case 'move-host': {
        const m = this.pick('Mapping');
        if (!m) return 'move: none left';
        const hostname = hostnameOf(this.int(this.hosts));
        this.put({ ...m.resource, spec: { ...(m.resource.spec as Record<string, unknown>), hostname } });
        return `move Mapping ${m.resource.metadata.name} to ${hostname}`;
      }
      case 'secret-rotation': {
        const s = this.pick('Secret');
        if (!s) return 'rotate: no Secret';
        // Valid PEM either way; the bytes (and so the Envoy Secret's version) change.
        const trailing = '\n'.repeat(1 + this.int(3));
        this.put({
          ...s.resource,
          data: {
            'tls.crt': Buffer.from(benchCertificatePem + trailing).toString('base64'),
            'tls.key': Buffer.from(benchPrivateKeyPem).toString('base64'),
          },
        } as Resource);
        return `rotate Secret ${s.resource.metadata.name}`;
      }
      case 'module-change': {
        const config: Record<string, unknown> = {};
        const choice = this.int(4);
        if (choice === 0) config.regex_max_size = 20 + this.int(200);
        if (choice === 1) config.use_remote_address = this.int(2) === 0;
        if (choice === 2) config.circuit_breakers = [{ max_connections: 100 + this.int(1000) }];
        if (choice === 3)
          config.load_balancer = { policy: this.int(2) === 0 ? 'round_robin' : 'least_request' };
        this.put({
          apiVersion: 'getambassador.io/v3alpha1',
          kind: 'Module',
          metadata: { name: 'ambassador', namespace: 'edge' },
          spec: { config },
        });
        return `Module config ${JSON.stringify(config)}`;
      }
      case 'listener-change': {
        const l = this.pick('Listener');
        if (!l) return 'listener: none';
        const spec = l.resource.spec as Record<string, unknown>;
        const port = spec.port === 8080 ? 8081 : spec.port === 8081 ? 8080 : spec.port;
        const securityModel =
          this.int(3) === 0 ? (spec.securityModel === 'XFP' ? 'SECURE' : 'XFP') : spec.securityModel;
        this.put({ ...l.resource, spec: { ...spec, port, securityModel } });
        return `Listener ${l.resource.metadata.name} port ${String(port)} ${String(securityModel)}`;
      }
      case 'host-change': {
        // The insecure action decides every route of the Host: kept routes must follow it.
        const h = this.pick('Host');
        if (!h) return 'host: none';
        const spec = h.resource.spec as Record<string, unknown>;
        const action = ['Redirect', 'Route', 'Reject'][this.int(3)];
        this.put({ ...h.resource, spec: { ...spec, requestPolicy: { insecure: { action } } } });
        return `Host ${h.resource.metadata.name} insecure ${String(action)}`;
      }
      case 'host-hostname': {
        // The same Host (same virtual host name) serving another name: its domains change.
        const h = this.pick('Host');
        if (!h) return 'host: none';
        const hostname =
          this.int(2) === 0 ? `alt-${this.int(3)}.bench.example` : hostnameOf(this.int(this.hosts));
        this.put({ ...h.resource, spec: { ...(h.resource.spec as Record<string, unknown>), hostname } });
        return `Host ${h.resource.metadata.name} hostname ${hostname}`;
      }
      case 'canary':
      case 'shadow': {
        // Half the time an existing shadow moves to another service: the routes it mirrors change.
        const shadows =
          kind === 'shadow' ? this.list().filter((r) => r.resource.metadata.name.startsWith('shadow-')) : [];
        const moved = shadows.length > 0 && this.int(2) === 0 ? shadows[this.int(shadows.length)] : undefined;
        if (moved) {
          const service = `svc-shadow-${this.int(50)}.team-${this.int(4)}:8080`;
          this.put({
            ...moved.resource,
            spec: { ...(moved.resource.spec as Record<string, unknown>), service },
          });
          return `shadow ${moved.resource.metadata.name} to ${service}`;
        }
        // A Mapping with the match of another: its canary weights (or shadows) change the other's routes.
        const m = this.pick('Mapping');
        if (!m) return this.apply('add');
        const name = `${kind}-${this.added++}`;
        const spec: Record<string, unknown> = {
          ...(m.resource.spec as Record<string, unknown>),
          service: `svc-${kind}-${this.int(50)}.team-${this.int(4)}:8080`,
        };
        if (kind === 'canary') spec.weight = 5 + this.int(40);
        else {
          spec.shadow = true;
          if (this.int(2) === 0) spec.weight = 10 + this.int(80);
        }
        this.put({
          ...m.resource,
          metadata: { name, namespace: m.resource.metadata.namespace },
          spec,
        });
        return `${kind} of Mapping ${m.resource.metadata.name}: ${name}`;
      }
      case 'selector': {
        // A Host that selects Mappings by label (or stops): Host association then reads labels.
        const h = this.pick('Host');
        if (!h) return 'selector: no Host';
        const spec = { ...(h.resource.spec as Record<string, unknown>) };
        if (spec.mappingSelector !== undefined) delete spec.mappingSelector;
        else spec.mappingSelector = { matchLabels: { team: `team-${this.int(8)}` } };
        this.put({ ...h.resource, spec });
        return `selector of Host ${h.resource.metadata.name}: ${JSON.stringify(spec.mappingSelector ?? null)}`;
      }
      case 'binding': {
        // Which Hosts a Listener binds: a Host's labels, or the Listener's label selector.
        if (this.int(2) === 0) {
          const h = this.pick('Host');
          if (!h) return 'binding: no Host';
          const labels = { ...(h.resource.metadata.labels ?? {}) };
          if (labels.tier === 'a') delete labels.tier;
          else labels.tier = 'a';
          this.put({ ...h.resource, metadata: { ...h.resource.metadata, labels } });
          return `binding label of Host ${h.resource.metadata.name}: ${labels.tier ?? 'none'}`;
        }
        const l = this.pick('Listener');
        if (!l) return 'binding: no Listener';
        const spec = l.resource.spec as Record<string, unknown>;
        const binding = spec.hostBinding as Record<string, unknown> | undefined;
        const hostBinding =
          binding?.selector === undefined
            ? { namespace: { from: 'ALL' }, selector: { matchLabels: { tier: 'a' } } }
            : { namespace: { from: 'ALL' } };
        this.put({ ...l.resource, spec: { ...spec, hostBinding } });
        return `binding of Listener ${l.resource.metadata.name}: ${JSON.stringify(hostBinding)}`;
      }
      case 'host-tls': {
        // A Host's TLS settings: inline, a TLSContext by name, another Host's Secret (shared), a missing one.
        const h = this.pick('Host');
        if (!h) return 'TLS: no Host';
        const spec = { ...(h.resource.spec as Record<string, unknown>) };
        delete spec.tls;
        delete spec.tlsContext;
        const choice = this.int(6);
        if (choice === 0) spec.tls = { min_tls_version: this.int(2) === 0 ? 'v1.2' : 'v1.3' };
        if (choice === 1) spec.tlsContext = { name: 'host-tls' };
        if (choice === 2) spec.tlsSecret = { name: `h${this.int(this.hosts)}-tls` };
        if (choice === 3) spec.tlsSecret = { name: 'missing-tls' };
        if (choice === 4) spec.tlsSecret = { name: `${h.resource.metadata.name}-tls` };
        if (choice === 5) spec.tls = { alpn_protocols: 'h2,http/1.1' };
        this.put({ ...h.resource, spec });
        return `TLS of Host ${h.resource.metadata.name}: ${JSON.stringify({ tls: spec.tls, tlsContext: spec.tlsContext, tlsSecret: spec.tlsSecret })}`;
      }
      case 'tlscontext-change': {
        // A TLSContext Hosts name (host-tls) or adopt silently (h0-context): settings, its own secret, gone.
        const name = this.int(3) === 0 ? 'h0-context' : 'host-tls';
        const choice = this.int(4);
        const existing = [...this.byKey.values()].find(
          (s) => s.resource.kind === 'TLSContext' && s.resource.metadata.name === name,
        );
        if (choice === 0) {
          if (existing) this.remove(existing);
          return `TLSContext ${name} deleted`;
        }
        const spec: Record<string, unknown> = { min_tls_version: choice === 1 ? 'v1.2' : 'v1.3' };
        if (choice === 2) spec.secret = `h${this.int(this.hosts)}-tls`;
        if (choice === 3) spec.alpn_protocols = 'h2';
        this.put({
          apiVersion: 'getambassador.io/v3alpha1',
          kind: 'TLSContext',
          metadata: { name, namespace: 'edge' },
          spec,
        });
        return `TLSContext ${name} ${JSON.stringify(spec)}`;
      }
      case 'upstream-tls': {
        // The TLSContext some Mappings originate TLS with: its SNI or versions changed, gone, back.
        const choice = this.int(4);
        if (choice === 0) {
          const existing = [...this.byKey.values()].find(
            (s) => s.resource.kind === 'TLSContext' && s.resource.metadata.name === 'upstream-tls',
          );
          if (existing) this.remove(existing);
          return 'upstream-tls deleted';
        }
        const spec: Record<string, unknown> = {
          sni: `backend-${this.int(3)}.bench.attache.invalid`,
          min_tls_version: choice === 1 ? 'v1.2' : 'v1.3',
        };
        if (choice === 3) spec.secret = `h${this.int(this.hosts)}-tls`;
        this.put({
          apiVersion: 'getambassador.io/v3alpha1',
          kind: 'TLSContext',
          metadata: { name: 'upstream-tls', namespace: 'edge' },
          spec,
        });
        return `upstream-tls ${JSON.stringify(spec)}`;
      }
      case 'secret-break': {
        // A Secret Envoy would refuse, a Secret gone, or a missing Host Secret made again.
        const choice = this.int(3);
        if (choice === 2) {
          const name = `h${this.int(this.hosts)}-tls`;
          this.put({
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name, namespace: 'edge' },
            type: 'kubernetes.io/tls',
            data: {
              'tls.crt': Buffer.from(benchCertificatePem).toString('base64'),
              'tls.key': Buffer.from(benchPrivateKeyPem).toString('base64'),
            },
          } as Resource);
          return `break: Secret ${name} made again`;
        }
        const s = this.pick('Secret');
        if (!s) return 'break: no Secret';
        if (choice === 1) {
          this.remove(s);
          return `break: Secret ${s.resource.metadata.name} deleted`;
        }
        this.put({ ...s.resource, data: { 'tls.crt': '!not base64!', 'tls.key': 'AAAA' } } as Resource);
        return `break: Secret ${s.resource.metadata.name} unreadable`;
      }
      case 'clock': {
        // The bench certificate ends on 2126-11-03: now far from it, within the warning window, or past it.
        const choice = this.int(3);
        this.now =
          choice === 0
            ? Date.UTC(2026, 11, 6) + this.int(1000) * 60_000
            : choice === 1
              ? Date.UTC(2126, 9, 20 + this.int(10))
              : Date.UTC(2127, 0, 1);
        return `clock ${new Date(this.now).toISOString()}`;
      }
      case 'nothing':
        return 'no change';
    }
  }
}

/**
 * The bytes compared: every Envoy resource (name, version, JSON, provenance), every diagnostic,
 * and the HTTP model feature plugins read (route sources with their route names, virtual hosts'
 * Hosts, route configurations' Listeners, the Module), in the order it was written.
 */
export function resultBytes(result: CompileResult): string {
  return JSON.stringify({
    xds: result.xds,
    diagnostics: result.diagnostics,
    model: readExt(result.ir, HttpModelExt) ?? null,
  });
}

export interface DifferentialStep {
  step: number;
  edit: string;
  equal: boolean;
  incrementalMs: number;
  fullMs: number;
  memoHits: number;
  memoMisses: number;
  unchanged: boolean;
}

export interface DifferentialOptions {
  seed: number;
  steps: number;
  hosts: number;
  mappings: number;
  plugins: readonly Plugin[];
  /** Called after every step (the bench prints; the test collects). */
  onStep?: (step: DifferentialStep) => void;
  /** Stop at the first difference (default true). */
  stopOnDifference?: boolean;
  /** Inputs added to the generated ones (resources of feature plugins). */
  extraInputs?: readonly StoredResource[];
}

/** Runs the random sequence; returns every step. */
export function runDifferential(options: DifferentialOptions): DifferentialStep[] {
  const random = seededRandom(options.seed);
  const inputs = new EditableInputs(
    [
      ...generateCompileInputs({ hosts: options.hosts, mappings: options.mappings }).resources,
      ...(options.extraInputs ?? []),
    ],
    options.hosts,
    random,
  );
  const incremental: IncrementalCompiler = createIncrementalCompiler(options.plugins);
  const pipeline = incremental.pipeline;
  incremental.compile(inputs.list(), { now: inputs.now });
  const steps: DifferentialStep[] = [];
  for (let step = 1; step <= options.steps; step++) {
    const kind = editKinds[Math.floor(random() * editKinds.length)] as EditKind;
    const edit = inputs.apply(kind);
    const list = inputs.list();
    let started = performance.now();
    const mine = incremental.compile(list, { now: inputs.now });
    const incrementalMs = performance.now() - started;
    started = performance.now();
    const fresh = compile(list, pipeline, { now: inputs.now });
    const fullMs = performance.now() - started;
    const record: DifferentialStep = {
      step,
      edit,
      equal: resultBytes(mine) === resultBytes(fresh),
      incrementalMs,
      fullMs,
      memoHits: incremental.stats.memoHits,
      memoMisses: incremental.stats.memoMisses,
      unchanged: incremental.stats.unchanged,
    };
    steps.push(record);
    options.onStep?.(record);
    if (!record.equal && options.stopOnDifference !== false) break;
  }
  return steps;
}
