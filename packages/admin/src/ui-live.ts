import type { Diagnostic, ResourceRef, Snapshot } from '@attache/core';
import { type ClientStream, type ClientStreamType, shortTypeName } from './client-stream.js';
import { html, type SafeHtml } from './html.js';
import { refLinks } from './ui-refs.js';

export interface LiveInput {
  snapshots: readonly Snapshot[];
  streams: readonly ClientStream[];
  diagnostics: readonly Diagnostic[];
}

/**
 * Is the config live and everywhere: the snapshot each group serves, then
 * every connected client with what it acknowledged per type and its last
 * refusal, named down to the input resources behind the refused ones.
 */
export function renderLive(input: LiveInput): SafeHtml {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const d of input.diagnostics) counts[d.severity]++;
  const behind = input.streams.filter((s) => s.types.some((t) => !isCurrent(s, t, input.snapshots)));
  return html`<h1>Is the configuration live?</h1>
<div class="summary" id="summary">
${input.snapshots.length === 0 ? html`<div><b class="warning">No snapshot yet</b>the first compile has not finished</div>` : ''}
${input.snapshots.map(
  (s) =>
    html`<div><b>serial ${s.serial}</b>group <code>${s.group}</code>, version <code>${s.version.slice(0, 12)}</code></div>`,
)}
<div><b class="${behind.length > 0 ? 'warning' : 'ok'}">${input.streams.length} client${input.streams.length === 1 ? '' : 's'}</b>${
    input.streams.length === 0
      ? 'none connected'
      : behind.length === 0
        ? 'all acknowledged the current version'
        : html`<span class="warning">${behind.length} not up to date</span>`
  }</div>
<div><b class="${counts.error > 0 ? 'error' : 'ok'}">${counts.error} error${counts.error === 1 ? '' : 's'}</b>${counts.warning} warning${counts.warning === 1 ? '' : 's'}, ${counts.info} note${counts.info === 1 ? '' : 's'}</div>
<div><label class="small"><input type="checkbox" id="auto-refresh"> refresh every 5 s</label><br><span class="small muted">for watching a rollout</span></div>
</div>
<section class="panel" id="live">
<h2>Connected clients</h2>
${input.streams.length === 0 ? html`<p class="muted">No Envoy or gRPC client is connected to the ADS server.</p>` : renderClients(input)}
</section>`;
}

function renderClients(input: LiveInput): SafeHtml {
  return html`<table class="clients">
<tr><th>Node</th><th>Group</th><th>Stream</th><th>Type</th><th>Acknowledged</th><th>Pushes / ACKs / NACKs</th><th>Last NACK</th></tr>
${input.streams.map((s) => {
  const snapshot = input.snapshots.find((x) => x.group === (s.group ?? 'default'));
  return s.types.map(
    (t, i) => html`<tr data-node="${s.node?.id ?? ''}" data-type="${shortTypeName(t.typeUrl)}">
${
  i === 0
    ? html`<td rowspan="${s.types.length}"><code>${s.node?.id ?? '(no node)'}</code><br><span class="small muted">cluster ${s.node?.cluster ?? '?'} · ${s.peer}</span></td>
<td rowspan="${s.types.length}"><code>${s.group ?? '?'}</code></td>
<td rowspan="${s.types.length}">${s.variant} ${s.service.split('.').pop() ?? ''}<br><span class="small muted" title="${s.connectedAt}">since ${s.connectedAt.slice(0, 19).replace('T', ' ')}</span></td>`
    : ''
}
<td>${shortTypeName(t.typeUrl)}</td>
<td>${acked(s, t, input.snapshots)}</td>
<td>${t.pushes} / ${t.acks} / <span class="${t.nacks > 0 ? 'error' : ''}">${t.nacks}</span></td>
<td class="nack">${t.lastNack ? renderNack(t, snapshot) : html`<span class="muted">none</span>`}</td>
</tr>`,
  );
})}
</table>`;
}

function acked(s: ClientStream, t: ClientStreamType, snapshots: readonly Snapshot[]): SafeHtml {
  const current = isCurrent(s, t, snapshots);
  const text =
    s.variant === 'delta'
      ? `${t.resources ?? 0} resource${t.resources === 1 ? '' : 's'} held`
      : t.ackedVersion
        ? `version ${t.ackedVersion}`
        : 'nothing yet';
  return html`<span class="badge ${current ? 'ok' : t.lastNack ? 'error' : 'warning'}">${current ? 'current' : t.pending ? 'pending' : t.lastNack ? 'refused' : 'behind'}</span> <code class="small">${text}</code>`;
}

/** Current: nothing in flight, and (SotW) the acknowledged version is the one last sent. */
function isCurrent(s: ClientStream, t: ClientStreamType, _snapshots: readonly Snapshot[]): boolean {
  if (t.pending) return false;
  if (s.variant === 'sotw') return t.sentVersion === undefined || t.ackedVersion === t.sentVersion;
  return t.lastNack === undefined;
}

function renderNack(t: ClientStreamType, snapshot: Snapshot | undefined): SafeHtml {
  const nack = t.lastNack!;
  const byName = new Map(
    Object.values(snapshot?.resources ?? {})
      .flat()
      .filter((r) => r.typeUrl === t.typeUrl)
      .map((r) => [r.name, r.provenance] as const),
  );
  const inputs: ResourceRef[] = nack.resourceNames.flatMap((n) => byName.get(n) ?? []);
  return html`<span class="error">${nack.message}</span><br>
<span class="small">Envoy resources: ${nack.resourceNames.length > 0 ? nack.resourceNames.map((n, i) => html`${i > 0 ? ', ' : ''}<code>${n}</code>`) : 'not named'}</span><br>
<span class="small">from: ${refLinks(inputs)}</span> <span class="small muted" title="${nack.at}">at ${nack.at.slice(0, 19).replace('T', ' ')}</span>`;
}
