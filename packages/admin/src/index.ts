export type { AdminState } from './admin-state.js';
export { type DiagnosticsFilter, filterDiagnostics } from './diagnostics-filter.js';
export { renderDiagnosticsPage } from './diagnostics-page.js';
export { defaultAdminAddress, type ListenAddress, parseListenAddress } from './listen-address.js';
export { redactSecrets } from './redact.js';
export { type AdminServer, type AdminServerOptions, createAdminServer } from './server.js';
export {
  type ResourceSummary,
  type ResourceTypeSummary,
  type SnapshotSummary,
  summarizeSnapshot,
} from './snapshot-summary.js';
