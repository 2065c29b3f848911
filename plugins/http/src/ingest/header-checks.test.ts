import { describe, expect, it } from 'vitest';
import { lineBreakProblems } from './header-checks.js';

describe('lineBreakProblems', () => {
  it('finds nothing in clean fields', () => {
    expect(
      lineBreakProblems({
        rewrite: '/x/',
        host_rewrite: 'a.example',
        allow_upgrade: ['websocket'],
        health_checks: [{ health_check: { http: { path: '/ready', hostname: 'h' } } }],
      }),
    ).toEqual([]);
  });

  it('names each field with a control character, in field order, with its path', () => {
    const problems = lineBreakProblems({
      rewrite: 'a\nb',
      prefix_redirect: 'ok',
      regex_redirect: { substitution: '\u0000' },
      allow_upgrade: ['websocket', 'h2c\r'],
      health_checks: [
        { health_check: { http: { path: '/ok' } } },
        { health_check: { http: { hostname: 'x\u007f' }, grpc: { authority: 'y\n' } } },
      ],
    });
    expect(problems.map((p) => p.path)).toEqual([
      '/spec/rewrite',
      '/spec/regex_redirect/substitution',
      '/spec/allow_upgrade/1',
      '/spec/health_checks/1/health_check/http/hostname',
      '/spec/health_checks/1/health_check/grpc/authority',
    ]);
    expect(problems[2]).toEqual({
      code: 'HTTP_SCHEMA_INVALID',
      path: '/spec/allow_upgrade/1',
      message:
        'spec.allow_upgrade.1 contains a control character (CR, LF, NUL…), which cannot go into a request line or header; remove it',
    });
  });

  it('lets a tab through (allowed in header values)', () => {
    expect(lineBreakProblems({ rewrite: 'a\tb' })).toEqual([]);
  });
});
