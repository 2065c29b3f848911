import { emptyIR, type PassContext, type ResourceRef } from '@attache/core';
import { describe, expect, it } from 'vitest';
import type { HttpModule } from '../model.js';
import { customResponse, mappingFilterName, moduleFilterName } from './error-responses.js';
import { mappingErrorResponses, parseErrorResponseOverrides } from './error-responses-parse.js';

function context() {
  const codes: string[] = [];
  const ctx = {
    ir: emptyIR(),
    report: (d: { code: string; path?: string }) => codes.push(`${d.code} ${d.path}`),
  } as unknown as PassContext;
  return { ctx, codes };
}

const ref: ResourceRef = {
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Mapping',
  namespace: 'default',
  name: 'api',
};
const moduleWithOverrides: HttpModule = {
  config: {},
  errorResponses: [{ statusCode: 404, body: { text: 'gone' } }],
};

describe('error_response_overrides entries', () => {
  it('accepts Envoy format operators, with arguments and lengths, and %% for a percent sign', () => {
    const { ctx, codes } = context();
    const parsed = parseErrorResponseOverrides(ctx, ref, '/spec/error_response_overrides', [
      { on_status_code: 404, body: { text_format: '%REQ(:PATH)% is 100%% gone (%RESPONSE_CODE%)' } },
      {
        on_status_code: 500,
        body: { json_format: { at: '%START_TIME(%s)%', up: '%REQ(x-request-id):10%' } },
      },
    ]);
    expect(codes).toEqual([]);
    expect(parsed.map((p) => p.statusCode)).toEqual([404, 500]);
  });

  it('refuses a length on an operator that takes none (Envoy 1.39.3: "does not take any parameters or length")', () => {
    const { ctx, codes } = context();
    parseErrorResponseOverrides(ctx, ref, '/spec/error_response_overrides', [
      { on_status_code: 500, body: { text_format: 'upstream %UPSTREAM_HOST:10%' } },
    ]);
    expect(codes).toEqual(['ERROR_RESPONSE_FORMAT_INVALID /spec/error_response_overrides/0/body']);
  });

  it('leaves out an entry with an operator Envoy does not know, and keeps the others', () => {
    const { ctx, codes } = context();
    const parsed = parseErrorResponseOverrides(ctx, ref, '/p', [
      { on_status_code: 404, body: { text_format: '%NO_SUCH_THING%' } },
      { on_status_code: 503, body: { json_format: { a: '%ALSO_UNKNOWN(x)%' } } },
      { on_status_code: 502, body: { text_format: 'bad gateway' } },
    ]);
    expect(codes).toEqual([
      'ERROR_RESPONSE_FORMAT_INVALID /p/0/body',
      'ERROR_RESPONSE_FORMAT_INVALID /p/1/body',
    ]);
    expect(parsed.map((p) => p.statusCode)).toEqual([502]);
  });

  it('leaves out an entry with a "%" that starts no operator, which Envoy would refuse', () => {
    const { ctx, codes } = context();
    const parsed = parseErrorResponseOverrides(ctx, ref, '/p', [
      { on_status_code: 404, body: { text_format: '100% gone' } },
    ]);
    expect(codes).toEqual(['ERROR_RESPONSE_FORMAT_INVALID /p/0/body']);
    expect(parsed).toEqual([]);
  });

  it('turns json_format numbers and booleans into strings, as Emissary does', () => {
    const { ctx } = context();
    const [parsed] = parseErrorResponseOverrides(ctx, ref, '/p', [
      { on_status_code: 429, body: { json_format: { retry: 30, transient: true } } },
    ]);
    expect(parsed?.body).toEqual({ json: { retry: '30', transient: 'true' } });
  });
});

describe("a Mapping's error responses", () => {
  it('with no valid entry has none of its own, so the Module applies', () => {
    const { ctx, codes } = context();
    const choice = mappingErrorResponses(ctx, ref, moduleWithOverrides, {
      error_response_overrides: [{ on_status_code: 200, body: { text_format: 'ok' } }],
    });
    expect(choice).toBeUndefined();
    expect(codes).toEqual(['ERROR_RESPONSE_STATUS_INVALID /spec/error_response_overrides/0/on_status_code']);
  });

  it('turns the Module instance off and configures the route-only instance', () => {
    const { ctx } = context();
    const choice = mappingErrorResponses(ctx, ref, moduleWithOverrides, {
      error_response_overrides: [{ on_status_code: 503, body: { text_format: 'later' } }],
    });
    expect(Object.keys(choice?.routeConfig ?? {})).toEqual([moduleFilterName, mappingFilterName]);
    expect(choice?.routeConfig?.[moduleFilterName]).toMatchObject({ disabled: true });
  });

  it('changes nothing with bypass when the Module has no overrides', () => {
    const { ctx } = context();
    const choice = mappingErrorResponses(ctx, ref, { config: {} }, { bypass_error_response_overrides: true });
    expect(choice).toEqual({ bypass: true });
  });
});

describe('the custom_response matcher', () => {
  it('keys the policies by status code in ascending order', () => {
    const config = customResponse([
      { statusCode: 503, body: { text: 'b' } },
      { statusCode: 404, body: { text: 'a' } },
    ]) as { custom_response_matcher: { matcher_tree: { exact_match_map: { map: object } } } };
    expect(Object.keys(config.custom_response_matcher.matcher_tree.exact_match_map.map)).toEqual([
      '404',
      '503',
    ]);
  });
});
