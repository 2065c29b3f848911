import type { PassContext, ResourceRef } from '@attache/core';
import { nonAsciiHostnameMessage } from '../idn.js';
import type { HttpModule } from '../model.js';
import type { MappingSpec } from '../schemas/mapping.js';
import { utf8Bytes } from '../utf8-bytes.js';

/** Envoy's default max_request_headers_kb, which Emissary keeps unless the Module sets it. */
export const envoyDefaultMaxRequestHeadersKb = 60;

/** A problem that leaves the Mapping out, reported with the others by the caller. */
export interface MappingProblem {
  code: string;
  path: string;
  message: string;
}

/**
 * Checks of fields against each other and against limits: a prefix no
 * request can carry (returned: the Mapping is left out), a non-ASCII
 * hostname, redirect fields that exclude each other, and rewrite or redirect
 * fields that do nothing (reported here: the Mapping stays).
 */
export function checkMappingFields(
  ctx: PassContext,
  ref: ResourceRef,
  spec: MappingSpec,
  module: HttpModule | undefined,
  problems: MappingProblem[] = [],
  hostname?: { readonly notAscii: string | undefined },
): MappingProblem[] {
  const kb = module?.config.max_request_headers_kb ?? envoyDefaultMaxRequestHeadersKb;
  // A prefix of at most a third of the limit in UTF-16 units is within it (utf8Bytes' own first
  // test, made here: no call for nearly every Mapping).
  const prefixBytes = spec.prefix.length * 3 <= kb * 1024 ? 0 : utf8Bytes(spec.prefix, kb * 1024);
  if (prefixBytes > kb * 1024) {
    problems.push({
      code: 'MAPPING_PREFIX_TOO_LONG',
      path: '/spec/prefix',
      message: `spec.prefix is ${prefixBytes} bytes, more than the ${kb} KiB of request headers Envoy accepts (Module max_request_headers_kb${module?.config.max_request_headers_kb === undefined ? `, default ${envoyDefaultMaxRequestHeadersKb}` : ''}), so no request can match it; shorten the prefix`,
    });
  }
  // hostname, then host, written out: no iterator nor field text made per Mapping.
  // `hostname`: the caller's nonAsciiHostnameMessage of spec.hostname, when it has one.
  if (spec.hostname !== undefined) {
    const message = hostname ? hostname.notAscii : nonAsciiHostnameMessage('spec.hostname', spec.hostname);
    if (message)
      ctx.report({ code: 'HTTP_HOSTNAME_NOT_ASCII', resource: ref, path: '/spec/hostname', message });
  }
  if (spec.host !== undefined && !spec.host_regex) {
    const message = nonAsciiHostnameMessage('spec.host', spec.host);
    if (message) ctx.report({ code: 'HTTP_HOSTNAME_NOT_ASCII', resource: ref, path: '/spec/host', message });
  }
  // Most Mappings set none of the fields reportRedirectFields looks at: no call for them.
  if (
    spec.host_redirect ||
    spec.path_redirect !== undefined ||
    spec.prefix_redirect !== undefined ||
    spec.regex_redirect !== undefined ||
    spec.redirect_response_code !== undefined ||
    (spec.host_rewrite !== undefined && spec.auto_host_rewrite)
  )
    reportRedirectFields(ctx, ref, spec);
  return problems;
}

/** Envoy's RedirectAction takes one path rewrite; Emissary uses the first of these and posts an error. */
const redirectFields = ['path_redirect', 'prefix_redirect', 'regex_redirect'] as const;

/** The redirect and rewrite fields that exclude each other or do nothing, reported (exported for its test). */
export function reportRedirectFields(ctx: PassContext, ref: ResourceRef, spec: MappingSpec): void {
  // Most Mappings set none of these: nothing is made for them.
  if (
    !spec.host_redirect &&
    spec.path_redirect === undefined &&
    spec.prefix_redirect === undefined &&
    spec.regex_redirect === undefined &&
    spec.redirect_response_code === undefined &&
    (spec.host_rewrite === undefined || !spec.auto_host_rewrite)
  )
    return;
  const set = redirectFields.filter((f) => spec[f] !== undefined);
  if (!spec.host_redirect) {
    for (const field of [
      ...set,
      ...(spec.redirect_response_code !== undefined ? ['redirect_response_code'] : []),
    ]) {
      ctx.report({
        code: 'MAPPING_FIELD_IGNORED',
        resource: ref,
        path: `/spec/${field}`,
        message: `spec.${field} has no effect without host_redirect: true (the Mapping proxies); set host_redirect: true to redirect, or remove it`,
      });
    }
    if (spec.host_rewrite !== undefined && spec.auto_host_rewrite) {
      ctx.report({
        code: 'MAPPING_REWRITE_OVERRIDDEN',
        resource: ref,
        path: '/spec/auto_host_rewrite',
        message: 'spec.auto_host_rewrite is ignored because spec.host_rewrite is set; remove one of them',
      });
    }
    return;
  }
  const [used, ...ignored] = set;
  for (const field of ignored) {
    ctx.report({
      code: 'MAPPING_REDIRECT_CONFLICT',
      resource: ref,
      path: `/spec/${field}`,
      message: `spec.${used} and spec.${field} cannot both be set: a redirect rewrites the path one way; ${used} is used and ${field} ignored. Remove one of them`,
    });
  }
  for (const field of ['rewrite', 'regex_rewrite', 'host_rewrite', 'auto_host_rewrite'] as const) {
    if (spec[field] === undefined || spec[field] === false) continue;
    ctx.report({
      code: 'MAPPING_FIELD_IGNORED',
      resource: ref,
      path: `/spec/${field}`,
      message: `spec.${field} has no effect on a redirect (host_redirect: true): nothing is proxied; use ${field.includes('host') ? 'the service field for the redirect host' : 'prefix_redirect or regex_redirect to change the path'}, or remove it`,
    });
  }
}
