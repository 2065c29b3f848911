import type { ForwardAction } from './actions.js';
import { str, unwrap } from './json.js';

/**
 * Envoy's HTTP connection manager writes the `server` response header itself, after
 * the router has applied the route's response header changes
 * (`server_header_transformation`): OVERWRITE (the default) always sends
 * `server_name` (default "envoy"), APPEND_IF_ABSENT sends it when no `server` header
 * is left, PASS_THROUGH leaves the header alone. So unless it is PASS_THROUGH, a
 * route that removes `server` does not take it away, and under OVERWRITE a `server`
 * value a route adds is replaced. The action keeps only the changes that last, and a
 * note says why the others do not.
 */
export function applyServerHeader(
  action: ForwardAction,
  settings: Record<string, unknown>,
  notes: string[],
): void {
  const mode = str(unwrap(settings.server_header_transformation)) ?? 'OVERWRITE';
  if (mode === 'PASS_THROUGH') return;
  const name = str(unwrap(settings.server_name)) ?? 'envoy';
  const removes = action.responseHeadersToRemove.some((h) => h.toLowerCase() === 'server');
  const adds = action.responseHeadersToAdd.some((h) => h.key.toLowerCase() === 'server');
  if (removes) {
    action.responseHeadersToRemove = action.responseHeadersToRemove.filter(
      (h) => h.toLowerCase() !== 'server',
    );
    if (!adds)
      notes.push(
        `the route removes response header server, but the connection manager sets it afterwards (server_header_transformation ${mode}): clients still get server: ${name}`,
      );
  }
  if (adds && mode === 'OVERWRITE') {
    action.responseHeadersToAdd = action.responseHeadersToAdd.filter((h) => h.key.toLowerCase() !== 'server');
    notes.push(
      `the route sets response header server, but the connection manager overwrites it (server_header_transformation OVERWRITE): clients get server: ${name}`,
    );
  }
}
