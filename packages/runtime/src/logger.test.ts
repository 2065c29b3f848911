import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, resolveLogFormat } from './logger.js';

function capture(isTTY?: boolean) {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    }),
    isTTY === undefined ? {} : { isTTY },
  );
  return { text: () => text, lines: () => text.split('\n').filter(Boolean), stream };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('createLogger', () => {
  it("adapts pino to core's Logger: strings, objects with messages, child bindings, levels", async () => {
    const out = capture();
    const logger = createLogger('info', out.stream, 'json');
    logger.info('plain');
    logger.warn({ file: 'a.yaml' }, 'with fields');
    logger.child({ source: 'file' }).error({ code: 7 }, 'from a child');
    logger.debug('below the level');
    await settle();
    const lines = out.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map(({ level, msg, file, source, code }) => ({ level, msg, file, source, code }))).toEqual([
      { level: 30, msg: 'plain', file: undefined, source: undefined, code: undefined },
      { level: 40, msg: 'with fields', file: 'a.yaml', source: undefined, code: undefined },
      { level: 50, msg: 'from a child', file: undefined, source: 'file', code: 7 },
    ]);
  });

  it('pretty: one human-readable line per entry with time, level, message and fields', async () => {
    const out = capture();
    const logger = createLogger('info', out.stream, 'pretty');
    logger.info({ sink: 'ads', port: 18000 }, 'xDS server listening');
    logger.child({ source: 'file' }).warn('file removed');
    logger.debug('below the level');
    await settle();
    const lines = out.lines();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: xDS server listening \{"sink":"ads","port":18000\}$/,
    );
    expect(lines[1]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: file removed \{"source":"file"\}$/);
    // Not colourised when the destination is no terminal.
    expect(out.text()).not.toContain('\u001b[');
  });

  it('auto: pretty on a terminal, JSON on anything else', async () => {
    const tty = capture(true);
    createLogger('info', tty.stream).info('hello');
    const pipe = capture(false);
    createLogger('info', pipe.stream).info('hello');
    await settle();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: colour escapes are what is stripped
    const plain = tty.text().replace(/\u001b\[\d+m/g, '');
    expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: hello\n$/);
    if (process.env.NO_COLOR === undefined) expect(tty.text()).toContain('\u001b[');
    expect(JSON.parse(pipe.lines()[0]!)).toMatchObject({ level: 30, msg: 'hello', name: 'attache' });
  });

  it('resolves auto by the destination, and keeps an explicit format', () => {
    expect(resolveLogFormat('auto', { isTTY: true })).toBe('pretty');
    expect(resolveLogFormat('auto', {})).toBe('json');
    expect(resolveLogFormat('json', { isTTY: true })).toBe('json');
    expect(resolveLogFormat('pretty', { isTTY: false })).toBe('pretty');
  });
});
