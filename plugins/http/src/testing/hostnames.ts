/**
 * Hostnames of every kind the Host and group matching tells apart, for random tests: exact,
 * with a port, `*`, leading and trailing globs, and names a glob does and does not cover.
 */
export const sampleHostnames: readonly string[] = [
  'a.example.com',
  'b.example.com',
  'a.example.com:8443',
  '*.example.com',
  '*',
  '*.a.example.com',
  'x.a.example.com',
  'other.org',
  '*.org',
  'a.example.*',
];
