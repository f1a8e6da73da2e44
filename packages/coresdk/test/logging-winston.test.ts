// Leak tests of the winston integration: every masking fixture goes through every path by
// which a value reaches a winston log line, and the bytes written must not hold what the
// masker removes, while level, timestamp, error type, message and stack survive.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import winston from 'winston';
import { Masker, winstonMasking } from '../src/index.js';
import { CARD, CASES, EMAIL, FRAME, leaked, records } from './log-leaks.js';

// ---------------------------------------------------------------------------------------
// winston

type WinstonFormat = ReturnType<typeof winston.format.combine>;
const { format } = winston;
const SPLAT = Symbol.for('splat');

/** The usual pipeline: errors and splat first, then the mask, then the JSON line. */
function jsonPipeline(masker: Masker): WinstonFormat {
  return format.combine(
    format.errors({ stack: true, cause: true }),
    format.splat(),
    format.timestamp(),
    winstonMasking(masker),
    format.json(),
  );
}

/** The bytes a winston logger with `logFormat` writes for `write`. */
async function winstonOutput(logFormat: WinstonFormat, write: (log: winston.Logger) => void): Promise<string> {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const log = winston.createLogger({
    level: 'debug',
    format: logFormat,
    transports: [new winston.transports.Stream({ stream: sink })],
  });
  write(log);
  await new Promise((done) => setImmediate(done));
  log.close();
  return chunks.join('');
}

interface WinstonPath {
  write: (log: winston.Logger, text: string) => void;
  check?: (record: Record<string, any>) => void;
}

function stackFrames(record: Record<string, any>): void {
  expect(record.stack).toMatch(/^TypeError: /);
  expect(record.stack).toMatch(FRAME);
}

const WINSTON_PATHS: Record<string, WinstonPath> = {
  message: { write: (log, t) => log.info(t) },
  meta: { write: (log, t) => log.info('meta', { note: t }), check: (r) => expect(r.message).toBe('meta') },
  'nested meta': { write: (log, t) => log.info('nested', { a: { b: [{ note: t }] } }) },
  'meta key': { write: (log, t) => log.info('keyed', { a: { [t]: 1 } }) },
  'child meta': { write: (log, t) => log.child({ note: t }).info('child') },
  'info object': { write: (log, t) => log.log({ level: 'info', message: t, note: t }) },
  '%s splat argument': { write: (log, t) => log.info('value %s end', t) },
  '%o splat argument': { write: (log, t) => log.info('value %o end', { note: t }) },
  '%j splat argument': { write: (log, t) => log.info('value %j end', { note: t }) },
  '%O splat argument': { write: (log, t) => log.info('value %O end', { note: t }) },
  'meta after the splat arguments': { write: (log, t) => log.info('value %s end', 'x', { note: t }) },
  'meta without tokens': { write: (log, t) => log.info('value', { note: t }, { other: t }) },
  'Error as meta': {
    write: (log, t) => log.error('lookup failed', new TypeError(t)),
    check: (r) => {
      expect(r.message).toMatch(/^lookup failed /);
      stackFrames(r);
    },
  },
  'Error as message (format.errors)': { write: (log, t) => log.error(new TypeError(t)), check: stackFrames },
  'Error own property': {
    write: (log, t) => log.error(Object.assign(new TypeError('lookup failed'), { detail: t })),
    check: (r) => {
      expect(r.message).toBe('lookup failed');
      stackFrames(r);
    },
  },
  'Error cause': {
    write: (log, t) => log.error(new TypeError('lookup failed', { cause: new Error(t) })),
    check: (r) => {
      expect(r.message).toBe('lookup failed');
      stackFrames(r);
      expect(r.cause.stack).toMatch(FRAME);
    },
  },
  'Error in meta': {
    write: (log, t) => log.error('request failed', { err: Object.assign(new TypeError(t), { detail: t }) }),
    check: (r) => {
      expect(r.err.name).toBe('TypeError');
      expect(r.err.stack).toMatch(FRAME);
    },
  },
};

describe('winstonMasking', () => {
  it('has paths to test', () => {
    expect(Object.keys(WINSTON_PATHS).length).toBeGreaterThanOrEqual(15);
  });

  it.each(CASES.map((c) => [c.id, c] as const))('%s never reaches a winston line by any path', async (_id, c) => {
    const leaks: string[] = [];
    for (const [name, path] of Object.entries(WINSTON_PATHS)) {
      const written = await winstonOutput(jsonPipeline(c.masker), (log) => path.write(log, c.text));
      if (leaked(written, c.removed).length > 0) leaks.push(`${name}: ${written}`);
      const lines = records(written);
      expect(lines, name).toHaveLength(1);
      const record = lines[0] as Record<string, any>;
      expect(['info', 'error'], name).toContain(record.level);
      expect(record.timestamp, name).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(record.masking_error, name).toBeUndefined();
      path.check?.(record);
    }
    expect(leaks).toEqual([]);
  });

  it('masks message, meta, splat arguments and errors, keeping level, timestamp and stack frames', async () => {
    const [meta, splat, error, cause] = records(
      await winstonOutput(jsonPipeline(new Masker()), (log) => {
        log.info('login by %s', EMAIL, { user: EMAIL, password: 'hunter2', nested: { card: CARD } });
        log.warn('value %j end', { user: EMAIL, card_number: 4111111111111111 });
        log.error(new TypeError(`no user ${EMAIL}`));
        log.error(new Error('lookup failed', { cause: new TypeError(`no user ${EMAIL}`) }));
      }),
    ) as Record<string, any>[];
    expect(meta).toEqual({
      level: 'info',
      message: 'login by [REDACTED:EMAIL]',
      user: '[REDACTED:EMAIL]',
      password: '[REDACTED:SECRET]',
      nested: { card: '[REDACTED:CREDIT_CARD]' },
      timestamp: expect.stringMatching(/^\d{4}-/),
    });
    expect(splat?.message).toBe('value {"user":"[REDACTED:EMAIL]","card_number":"[REDACTED:CREDIT_CARD]"} end');
    expect(error?.level).toBe('error');
    expect(error?.message).toBe('no user [REDACTED:EMAIL]');
    expect(error?.stack).toMatch(/^TypeError: no user \[REDACTED:EMAIL\]\n {4}at .*logging-winston\.test\.ts/);
    expect(cause?.message).toBe('lookup failed');
    expect(cause?.cause).toMatchObject({ name: 'TypeError', message: 'no user [REDACTED:EMAIL]' });
    expect(cause?.cause.stack).toMatch(/^TypeError: no user \[REDACTED:EMAIL\]\n {4}at /);
  });

  it('masks the splat arguments a later format may print', async () => {
    const printSplat = format.printf((info) => `${info.message} ${JSON.stringify(info[SPLAT])} ${info.user}`);
    const written = await winstonOutput(format.combine(format.splat(), winstonMasking(), printSplat), (log) =>
      log.info('value %s', EMAIL, { user: EMAIL }),
    );
    expect(written).toBe('value [REDACTED:EMAIL] ["[REDACTED:EMAIL]"] [REDACTED:EMAIL]\n');
  });

  it("masks the line format.errors() leaves in info[Symbol.for('message')] when nothing writes another", async () => {
    const written = await winstonOutput(format.combine(format.errors(), winstonMasking()), (log) =>
      log.error(new TypeError(`no user ${EMAIL}`)),
    );
    expect(written).toBe('no user [REDACTED:EMAIL]\n');
  });

  it('masks an already written line as text when placed after format.json()', async () => {
    const written = await winstonOutput(format.combine(format.json(), winstonMasking()), (log) =>
      log.info('login', { user: EMAIL, password: 'hunter2' }),
    );
    expect(JSON.parse(written)).toEqual({
      level: 'info',
      message: 'login',
      user: '[REDACTED:EMAIL]',
      password: '[REDACTED:SECRET]',
    });
  });

  it('masks an Error logged without format.errors() and leaves the caller’s objects alone', async () => {
    const error = new TypeError(`no user ${EMAIL}`);
    const meta = { user: EMAIL };
    const written = await winstonOutput(format.combine(winstonMasking(), format.json()), (log) => {
      log.error(error);
      log.info('meta', meta);
    });
    const [first, second] = records(written);
    expect(first).toMatchObject({ level: 'error', message: 'no user [REDACTED:EMAIL]' });
    expect(first?.stack).toMatch(FRAME);
    expect(second).toEqual({ level: 'info', message: 'meta', user: '[REDACTED:EMAIL]' });
    expect(error.message).toBe(`no user ${EMAIL}`);
    expect(meta.user).toBe(EMAIL);
  });

  it('uses the masker given', async () => {
    const masker = new Masker({ strategy: 'pseudonymize', key: 'k', sensitiveKeys: ['employee'] });
    const [record] = records(
      await winstonOutput(jsonPipeline(masker), (log) => log.info(`mail ${EMAIL}`, { employee: 'Ann' })),
    );
    expect(record?.message).toMatch(/^mail \[EMAIL:[0-9a-f]{16}\]$/);
    expect(record?.employee).toMatch(/^\[SECRET:[0-9a-f]{16}\]$/);
  });

  it('writes an unmaskable info as its level, timestamp and the failure code only', async () => {
    const cyclic: Record<string, unknown> = { email: EMAIL };
    cyclic.self = cyclic;
    const written = await winstonOutput(jsonPipeline(new Masker()), (log) => log.warn(`for ${EMAIL}`, { cyclic }));
    expect(written).not.toContain(EMAIL);
    expect(JSON.parse(written)).toEqual({
      level: 'warn',
      message: '[masking failed: INVALID_ARGUMENT]',
      masking_error: 'INVALID_ARGUMENT',
      timestamp: expect.stringMatching(/^\d{4}-/),
    });
  });

  it('keeps winston optional: no integration imports pino, winston or logform at run time', () => {
    const sources = ['../src/logging.ts', '../src/logging/pino.ts', '../src/logging/winston.ts'].map((file) =>
      readFileSync(resolve(__dirname, file), 'utf8'),
    );
    for (const source of sources) {
      expect(source).not.toMatch(/^import (?!type )[^;]*from '(pino|winston|logform|triple-beam)'/m);
      expect(source).not.toMatch(/(require|import)\(['"](pino|winston|logform)/);
    }
    const manifest = JSON.parse(readFileSync(resolve(__dirname, '../package.json'), 'utf8'));
    expect(manifest.dependencies.winston).toBeUndefined();
    expect(manifest.peerDependenciesMeta.winston).toEqual({ optional: true });
  });
});
