import { type Diagnostic, type Snapshot, type StoredResource, TypeUrl } from '@attache/core';
import { summarizeCertificate } from './certificate-summary.js';
import { html, type SafeHtml } from './html.js';
import { renderProblems } from './ui-problems.js';

export interface ResourceQuery {
  kind?: string;
  namespace?: string;
  name?: string;
}

const typeNames = Object.fromEntries(Object.entries(TypeUrl).map(([name, url]) => [url, name]));

/**
 * One input resource: where it was read, its spec (a Secret by certificate
 * subject, fingerprint and expiry only), its problems, and the Envoy
 * resources it became.
 */
export function renderResource(
  query: ResourceQuery,
  inputs: readonly StoredResource[],
  diagnostics: readonly Diagnostic[],
  snapshots: readonly Snapshot[],
): SafeHtml {
  const same = (r: { kind?: string; namespace?: string | undefined; name?: string }) =>
    r.kind === query.kind && (r.namespace ?? '') === (query.namespace ?? '') && r.name === query.name;
  const found = inputs.filter((s) => same({ ...s.resource.metadata, kind: s.resource.kind }));
  const title = `${query.kind ?? '?'} ${query.namespace ? `${query.namespace}/` : ''}${query.name ?? '?'}`;
  const mine = diagnostics.filter((d) => d.resource && same(d.resource));
  const produced = snapshots.flatMap((s) =>
    Object.values(s.resources)
      .flat()
      .filter((r) => r.provenance.some(same))
      .map((r) => ({ group: s.group, type: typeNames[r.typeUrl] ?? r.typeUrl, name: r.name })),
  );
  return html`<h1>${title}</h1>
${found.length === 0 ? html`<p class="warning">No input resource of that name is in the store now.</p>` : ''}
${found.map(
  (s) => html`<section class="panel"><h2>Read from <code>${originText(s)}</code></h2>
<p class="small muted">${s.resource.apiVersion}</p>
${s.resource.kind === 'Secret' ? renderSecret(s) : html`<pre>${JSON.stringify(withoutManagedFields(s.resource), null, 2)}</pre>`}
</section>`,
)}
${renderProblems(mine, {}, { filterForm: false })}
<section class="panel"><h2>Envoy resources it became</h2>
${
  produced.length === 0
    ? html`<p class="muted">None in the current snapshots.</p>`
    : html`<table><tr><th>Group</th><th>Type</th><th>Name</th></tr>${produced.map((p) => html`<tr><td><code>${p.group}</code></td><td>${p.type}</td><td><code>${p.name}</code></td></tr>`)}</table>`
}
</section>`;
}

function originText(s: StoredResource): string {
  const o = s.origin;
  return o.file ? (o.line ? `${o.file}:${o.line}` : o.file) : o.source;
}

function withoutManagedFields(resource: StoredResource['resource']): unknown {
  const { managedFields: _m, ...metadata } = resource.metadata as unknown as Record<string, unknown>;
  return { ...resource, metadata };
}

/** A Secret is never shown: its type and, for a certificate, subject, fingerprint and expiry. */
function renderSecret(s: StoredResource): SafeHtml {
  const r = s.resource as unknown as {
    type?: string;
    data?: Record<string, unknown>;
    stringData?: Record<string, unknown>;
  };
  const crt = r.data?.['tls.crt'];
  const pem =
    typeof crt === 'string'
      ? Buffer.from(crt, 'base64').toString('utf8')
      : typeof r.stringData?.['tls.crt'] === 'string'
        ? (r.stringData['tls.crt'] as string)
        : undefined;
  const cert = pem ? summarizeCertificate(pem) : undefined;
  const keys = [...Object.keys(r.data ?? {}), ...Object.keys(r.stringData ?? {})].sort();
  return html`<table>
<tr><th>Type</th><td>${r.type ?? 'Opaque'}</td></tr>
<tr><th>Keys</th><td>${keys.join(', ')} <span class="small muted">(values are never shown)</span></td></tr>
${cert ? html`<tr><th>Subject</th><td>${cert.subject}</td></tr><tr><th>Issuer</th><td>${cert.issuer}</td></tr><tr><th>SHA-256 fingerprint</th><td><code>${cert.fingerprint}</code></td></tr><tr><th>Expires</th><td>${cert.notAfter}</td></tr>${cert.subjectAltName ? html`<tr><th>Names</th><td>${cert.subjectAltName}</td></tr>` : ''}` : ''}
</table>`;
}
