import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it("adapts pino to core's Logger: strings, objects with messages, child bindings, levels", async () => {
    const { lines, stream } = capture();
    const logger = createLogger('info', stream);
    logger.info('plain');
    logger.warn({ file: 'a.yaml' }, 'with fields');
    logger.child({ source: 'file' }).error({ code: 7 }, 'from a child');
    logger.debug('below the level');
    await new Promise((r) => setImmediate(r));
    expect(lines.map(({ level, msg, file, source, code }) => ({ level, msg, file, source, code }))).toEqual([
      { level: 30, msg: 'plain', file: undefined, source: undefined, code: undefined },
      { level: 40, msg: 'with fields', file: 'a.yaml', source: undefined, code: undefined },
      { level: 50, msg: 'from a child', file: undefined, source: 'file', code: 7 },
    ]);
  });
});
