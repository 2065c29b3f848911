import type { X509Certificate } from 'node:crypto';
import { type IRSecret, type PassContext, type ResourceRef, refOf, type StoredResource } from '@attache/core';
import {
  caBundleVerdict,
  certificatePairVerdict,
  expiryProblems,
  expiryQuietUntil,
  type PemProblem,
} from './certificates.js';

/** What one Secret gives for one use (certificate or CA bundle): its IR secret, or why it cannot be used. */
interface Verdict {
  secret?: string;
  /** The IR secret written for `secret`. */
  ir?: IRSecret;
  stored: StoredResource;
  /** Problems of the Secret itself (never expiry, which depends on each compile's clock). */
  problems: PemProblem[];
  /** Certificates whose expiry is checked, against the compile's clock, when problems are reported. */
  expiring: Array<{ field: string; certificate: X509Certificate }>;
}

/** A resolver's verdicts and their users before reportProblems(): what `restore` puts back. */
export interface SecretResolverState {
  readonly verdicts: ReadonlyMap<string, Verdict>;
  readonly users: ReadonlyMap<string, readonly ResourceRef[]>;
}

/**
 * Turns Kubernetes Secrets into IR secrets on demand, once each. Names are
 * `namespace/name` for a certificate and `namespace/name#ca` for the same
 * Secret used as a CA bundle. `stringData` is read exactly like `data` (it
 * wins where both name a key, as the Kubernetes API merges them). The PEM is
 * parsed as Envoy would load it: a Secret Envoy would refuse never becomes an
 * IR secret, so one bad Secret cannot make Envoy reject a whole Secret update.
 * Problems are reported on the Secret, naming every Host or TLSContext that
 * asked for it, when the pass calls reportProblems().
 */
export class SecretResolver {
  #indexed: Map<string, StoredResource> | undefined;
  readonly #ctx: PassContext;
  readonly #verdicts = new Map<string, Verdict>();
  readonly #users = new Map<string, ResourceRef[]>();
  /** What restore() put back, read as it is until this resolver resolves more (then copied in). */
  #restored: SecretResolverState | undefined;
  /** Pair verdicts by field names, then certificate text, then key text (no key made of the texts). */
  readonly #pairs = new Map<string, Map<string, Map<string, ReturnType<typeof certificatePairVerdict>>>>();
  /**
   * Base64 field values decoded, by value: copies of one certificate (a wildcard in every
   * namespace) are decoded once, into one string (its hash computed once, its memory held once).
   */
  readonly #decoded = new Map<string, string>();

  constructor(ctx: PassContext) {
    this.#ctx = ctx;
  }

  /** The Secrets by `namespace/name`, indexed on first use (a kept outcome never looks one up). */
  get #index(): Map<string, StoredResource> {
    if (this.#indexed === undefined) {
      this.#indexed = new Map();
      for (const s of this.#ctx.resources('Secret')) {
        this.#indexed.set(`${s.resource.metadata.namespace ?? 'default'}/${s.resource.metadata.name}`, s);
      }
    }
    return this.#indexed;
  }

  has(namespace: string, name: string): boolean {
    return this.#index.has(`${namespace}/${name}`);
  }

  /** The IR secret name of a TLS certificate + key, or undefined when missing or unusable. */
  certificate(namespace: string, name: string, user?: ResourceRef): string | undefined {
    return this.#resolve(`${namespace}/${name}`, `${namespace}/${name}`, user, (stored) => {
      // Parsing and matching the pair is the costly part and depends on the Secret alone: kept
      // between compiles of an incremental compiler; expiry depends on the compile's time.
      const pair = this.#once(stored, 'certificate', () => {
        const crt = this.#field(stored, 'tls.crt');
        const key = this.#field(stored, 'tls.key');
        const unreadable = [crt, key].flatMap((f) => ('problem' in f ? [f.problem] : []));
        if (unreadable.length > 0 || 'problem' in crt || 'problem' in key) return { problems: unreadable };
        // Hosts often hold copies of one certificate (a wildcard in every namespace): parsed once per compile.
        const fields = `${crt.field}\u0000${key.field}`;
        let byCrt = this.#pairs.get(fields);
        if (byCrt === undefined) {
          byCrt = new Map();
          this.#pairs.set(fields, byCrt);
        }
        let byKey = byCrt.get(crt.text);
        if (byKey === undefined) {
          byKey = new Map();
          byCrt.set(crt.text, byKey);
        }
        let verdict = byKey.get(key.text);
        if (verdict === undefined) {
          verdict = certificatePairVerdict(crt, key);
          byKey.set(key.text, verdict);
        }
        if ('problem' in verdict) return { problems: [verdict.problem] };
        return { problems: [], crt, key, leaf: verdict.leaf };
      });
      if (!pair.leaf) return { problems: pair.problems };
      const { crt, key } = pair;
      return {
        problems: [],
        expiring: [{ field: crt.field, certificate: pair.leaf }],
        secret: { name: `${namespace}/${name}`, certificateChain: crt.text, privateKey: key.text },
      };
    });
  }

  /** The IR secret name of a CA bundle (ca.crt, else tls.crt), or undefined. */
  ca(namespace: string, name: string, user?: ResourceRef): string | undefined {
    return this.#resolve(`${namespace}/${name}#ca`, `${namespace}/${name}`, user, (stored) => {
      const parsed = this.#once(stored, 'ca', () => {
        const field = this.#present(stored, 'ca.crt') ? 'ca.crt' : 'tls.crt';
        const bundle = this.#field(stored, field);
        if ('problem' in bundle) return { problems: [bundle.problem] };
        const verdict = caBundleVerdict(bundle);
        if ('problem' in verdict) return { problems: [verdict.problem] };
        return { problems: [], bundle, certificates: verdict.certificates };
      });
      if (!parsed.certificates) return { problems: parsed.problems };
      const { bundle } = parsed;
      return {
        problems: [],
        expiring: parsed.certificates.map((certificate) => ({ field: bundle.field, certificate })),
        secret: { name: `${namespace}/${name}#ca`, trustedCa: bundle.text },
      };
    });
  }

  /** Why a Secret gave no IR secret, for the diagnostic of the Host or TLSContext that needs it. */
  reason(namespace: string, name: string, use: 'certificate' | 'ca'): string {
    this.#own();
    const verdict = this.#verdicts.get(`${namespace}/${name}${use === 'ca' ? '#ca' : ''}`);
    const error = verdict?.problems.find((p) => p.severity === 'error');
    if (!this.has(namespace, name)) return 'does not exist';
    return error
      ? `cannot be used (${error.field}: see the Secret's diagnostic)`
      : 'is not a valid TLS Secret';
  }

  /** The verdicts and users so far (call before reportProblems), for `restore` in a later compile. */
  state(): SecretResolverState {
    this.#own();
    return {
      verdicts: new Map(this.#verdicts),
      users: new Map([...this.#users].map(([key, users]) => [key, users.slice()])),
    };
  }

  /**
   * Puts back the verdicts and users of an earlier compile's resolver over the
   * same Secret objects, writing their IR secrets again: what reportProblems()
   * then reports is what that resolver would report now (expiry is checked
   * against this compile's clock).
   */
  restore(state: SecretResolverState): void {
    this.#own();
    // 5,000 Host certificates every Mapping edit: written from two lists made once per state.
    const written = writtenOf(state);
    const secrets = this.#ctx.ir.secrets;
    for (let i = 0; i < written.names.length; i++) secrets[written.names[i]!] = written.irs[i]!;
    // Nothing resolved yet (the usual case): the state is read as it is, not copied.
    if (this.#verdicts.size === 0 && this.#users.size === 0) {
      this.#restored = state;
      return;
    }
    for (const [key, verdict] of state.verdicts) this.#verdicts.set(key, verdict);
    for (const [key, users] of state.users) this.#users.set(key, users.slice());
  }

  /** The restored verdicts and users copied in, before this resolver changes them. */
  #own(): void {
    const restored = this.#restored;
    if (restored === undefined) return;
    this.#restored = undefined;
    for (const [key, verdict] of restored.verdicts) this.#verdicts.set(key, verdict);
    for (const [key, users] of restored.users) this.#users.set(key, users.slice());
  }

  /** Every Secret object, in input order (a name given twice is read as the last one). */
  objects(): readonly StoredResource[] {
    return this.#ctx.resources('Secret');
  }

  /** Reports each Secret's problems once, on the Secret, naming whoever uses it. */
  reportProblems(): void {
    const now = this.#ctx.options.now;
    const restored = this.#restored;
    const allUsers = restored?.users ?? this.#users;
    // A restored state (a kept Host TLS outcome, every Mapping edit): while no certificate of it
    // is near its end, only its verdicts with problems of their own report anything.
    const quiet = restored !== undefined ? quietOf(restored) : undefined;
    const verdicts =
      quiet !== undefined && (now === undefined || now <= quiet.until)
        ? quiet.loud
        : (restored?.verdicts ?? this.#verdicts);
    for (const [key, verdict] of verdicts) {
      const problems =
        verdict.expiring.length === 0
          ? verdict.problems
          : [
              ...verdict.problems,
              ...verdict.expiring.flatMap((e) => expiryProblems(e.field, e.certificate, now)),
            ];
      if (problems.length === 0) continue;
      const users = allUsers.get(key) ?? [];
      const usedBy =
        users.length > 0
          ? `; used by ${users.map((u) => `${u.kind} ${u.namespace}/${u.name}`).join(', ')}`
          : '';
      for (const problem of problems) {
        const dot = problem.field.indexOf('.');
        this.#ctx.report({
          code: problem.severity === 'error' ? 'SECRET_INVALID' : 'SECRET_CERT_EXPIRING',
          resource: refOf(verdict.stored.resource, verdict.stored.origin),
          path: `/${problem.field.slice(0, dot)}/${problem.field
            .slice(dot + 1)
            .replaceAll('~', '~0')
            .replaceAll('/', '~1')}`,
          message:
            problem.severity === 'error'
              ? `${problem.message}${usedBy}; the Secret is not sent to Envoy, so they get no TLS from it`
              : `${problem.message}${usedBy}`,
        });
      }
    }
    this.#restored = undefined;
    this.#verdicts.clear();
    this.#users.clear();
  }

  #resolve(
    key: string,
    secretKey: string,
    user: ResourceRef | undefined,
    judge: (stored: StoredResource) => {
      problems: PemProblem[];
      expiring?: Verdict['expiring'];
      secret?: Omit<IRSecret, 'provenance'>;
    },
  ): string | undefined {
    this.#own();
    if (user) {
      const users = this.#users.get(key) ?? [];
      if (
        !users.some((u) => u.kind === user.kind && u.namespace === user.namespace && u.name === user.name)
      ) {
        users.push(user);
      }
      this.#users.set(key, users);
    }
    const stored = this.#index.get(secretKey);
    if (!stored) return undefined;
    let verdict = this.#verdicts.get(key);
    if (!verdict) {
      if (this.#ctx.ir.secrets[key]) return key; // decoded and checked by an earlier pass
      const judged = judge(stored);
      verdict = { stored, problems: judged.problems, expiring: judged.expiring ?? [] };
      if (judged.secret) {
        const ir = irSecretOf(stored, judged.secret);
        this.#ctx.ir.secrets[key] = ir;
        verdict.secret = key;
        verdict.ir = ir;
      }
      this.#verdicts.set(key, verdict);
    }
    return verdict.secret;
  }

  /** `compute`, kept per Secret object between compiles when the pass runs under an incremental compiler. */
  #once<T>(stored: StoredResource, use: string, compute: () => T): T {
    return this.#ctx.memo ? this.#ctx.memo.reuse(stored, `secret ${use}`, compute) : compute();
  }

  #present(stored: StoredResource, key: string): boolean {
    const stringData = stored.resource.stringData as Record<string, unknown> | undefined;
    return stored.resource.data?.[key] !== undefined || stringData?.[key] !== undefined;
  }

  /** A key's PEM text from stringData (plain) or data (base64), or why it cannot be read. */
  #field(stored: StoredResource, key: string): { field: string; text: string } | { problem: PemProblem } {
    const stringData = stored.resource.stringData as Record<string, unknown> | undefined;
    const fromString = stringData?.[key];
    const raw = stored.resource.data?.[key];
    const field = fromString !== undefined ? `stringData.${key}` : `data.${key}`;
    const problem = (message: string) => ({ problem: { field, severity: 'error' as const, message } });
    let text: string;
    if (fromString !== undefined) {
      if (typeof fromString !== 'string') return problem(`${field} is not a string; store the PEM text`);
      text = fromString;
    } else {
      if (raw === undefined) {
        return problem(
          `${key} is missing (in data and stringData); a TLS Secret needs PEM in tls.crt and tls.key`,
        );
      }
      if (typeof raw !== 'string') return notBase64(field);
      const decoded = this.#decoded.get(raw);
      if (decoded !== undefined) text = decoded;
      else {
        if (!base64.test(raw)) return notBase64(field);
        text = Buffer.from(raw, 'base64').toString('utf8');
        this.#decoded.set(raw, text);
      }
    }
    if (!text.includes('-----BEGIN')) {
      return problem(
        `${field} does not hold PEM text ("-----BEGIN ..."); store the PEM file${fromString === undefined ? ' base64-encoded' : ''}`,
      );
    }
    return { field, text };
  }
}

const base64 = /^[A-Za-z0-9+/=\s]+$/;

function notBase64(field: string): { problem: PemProblem } {
  return {
    problem: {
      field,
      severity: 'error',
      message: `${field} is not base64; data holds base64 PEM (or put the PEM text in stringData)`,
    },
  };
}

/** TLSContext `secret`: `name`, or `name.namespace` unless secret_namespacing is false (Emissary's rule). */
export function splitSecretName(
  secret: string,
  defaultNamespace: string,
  namespacing: boolean | undefined,
): { name: string; namespace: string } {
  const dot = secret.indexOf('.');
  if (namespacing !== false && dot > 0)
    return { name: secret.slice(0, dot), namespace: secret.slice(dot + 1) };
  return { name: secret, namespace: defaultNamespace };
}

// IR secrets are never mutated once made: the same Secret object judged the same way gives the
// same IR secret object, compile after compile (lowering then finds it by identity).
const irSecrets = new WeakMap<StoredResource, IRSecret[]>();

function irSecretOf(stored: StoredResource, secret: Omit<IRSecret, 'provenance'>): IRSecret {
  const known = irSecrets.get(stored) ?? [];
  const fields = Object.keys(secret) as Array<keyof typeof secret>;
  const same = known.find(
    (k) =>
      Object.keys(k).length === fields.length + 1 &&
      fields.every(
        (f) => (k as unknown as Record<string, unknown>)[f] === (secret as Record<string, unknown>)[f],
      ),
  );
  if (same) return same;
  const made = { ...secret, provenance: [refOf(stored.resource, stored.origin)] } as IRSecret;
  // A Secret is used as a certificate and as a CA bundle at most: few entries per object.
  irSecrets.set(stored, [made, ...known].slice(0, 4));
  return made;
}

/** Of a resolver state: its verdicts with problems of their own (in order), and until when none expires. */
interface Quiet {
  loud: ReadonlyArray<readonly [string, Verdict]>;
  /** The least `expiryQuietUntil` of its expiring certificates (states are never edited once made). */
  until: number;
}

const quiets = new WeakMap<SecretResolverState, Quiet>();

/** The IR secrets a state's verdicts wrote, by name, in its order (states are never edited once made). */
const writtens = new WeakMap<SecretResolverState, { names: string[]; irs: IRSecret[] }>();

function writtenOf(state: SecretResolverState): { names: string[]; irs: IRSecret[] } {
  let written = writtens.get(state);
  if (written === undefined) {
    written = { names: [], irs: [] };
    for (const verdict of state.verdicts.values()) {
      if (verdict.secret === undefined || verdict.ir === undefined) continue;
      written.names.push(verdict.secret);
      written.irs.push(verdict.ir);
    }
    writtens.set(state, written);
  }
  return written;
}

function quietOf(state: SecretResolverState): Quiet {
  let quiet = quiets.get(state);
  if (quiet === undefined) {
    const loud: Array<readonly [string, Verdict]> = [];
    let until = Number.POSITIVE_INFINITY;
    for (const [key, verdict] of state.verdicts) {
      if (verdict.problems.length > 0) loud.push([key, verdict]);
      for (const e of verdict.expiring) until = Math.min(until, expiryQuietUntil(e.certificate));
    }
    quiet = { loud, until };
    quiets.set(state, quiet);
  }
  return quiet;
}
