import { seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { parseService, serviceError } from './service.js';

describe('parseService', () => {
  it.each([
    ['quote', { host: 'quote' }],
    ['quote:8080', { host: 'quote', port: 8080 }],
    ['quote.apps', { host: 'quote.apps' }],
    ['https://billing.example.net', { scheme: 'https', host: 'billing.example.net' }],
    ['http://quote.apps:81/', { scheme: 'http', host: 'quote.apps', port: 81 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
  ])('%s', (text, expected) => {
    expect(parseService(text)).toEqual(expected);
  });

  it.each(['quote:0', 'quote:99999', 'quote:http', 'ftp://quote', 'a/b', ':80', '[::1'])(
    'rejects %s',
    (text) => {
      expect(parseService(text)).toHaveProperty('error');
    },
  );
});

describe('serviceError', () => {
  // Strings near the usual form: its characters, the ones that end the fast read, ports of every length.
  const alphabet = [
    'a',
    'z',
    'A',
    'Z',
    '0',
    '5',
    '9',
    '.',
    '-',
    '_',
    ':',
    '/',
    ' ',
    '[',
    ']',
    '@',
    '#',
    '?',
    'é',
    '\t',
  ];
  const pieces = [
    ...alphabet,
    'quote',
    'svc-12.team-1',
    'http://',
    'https://',
    'ftp://',
    ':8080',
    ':0',
    ':65535',
    ':65536',
    ':99999',
    ':000080',
    '::1',
  ];

  it("is parseService's error, or undefined when it parses, over random services", () => {
    const random = seededRandom(15);
    const next = (n: number) => Math.floor(random() * n);
    let fast = 0;
    for (let i = 0; i < 20_000; i++) {
      let service = '';
      const parts = next(6);
      for (let p = 0; p < parts; p++)
        service += pieces[next(random() < 0.5 ? alphabet.length : pieces.length)];
      if (random() < 0.3)
        service = `svc-${next(100)}${random() < 0.5 ? `.team-${next(9)}` : ''}:${next(100_000)}`;
      const parsed = parseService(service);
      expect(serviceError(service), JSON.stringify(service)).toBe(
        'error' in parsed ? parsed.error : undefined,
      );
      if (/^[A-Za-z0-9._-]+(:[0-9]{1,5})?$/.test(service)) fast++;
    }
    // The fast read was taken often, with valid and out-of-range ports.
    expect(fast).toBeGreaterThan(5_000);
  });
});
