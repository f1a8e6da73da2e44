// Leak tests of the logging integrations: every masking fixture goes through every path by
// which a value reaches a pino or winston log line, and the bytes written must not hold
// what the masker removes, while level, time, error type, message and stack survive.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import pino, { type Logger, type LoggerOptions } from 'pino';
import { describe, expect, it } from 'vitest';
import winston from 'winston';
import { Masker, type MaskerOptions, pinoMasking, winstonMasking } from '../src/index.js';

const EMAIL = 'bob@example.com';
const CARD = '4111 1111 1111 1111';
const TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
const FRAME = /\n {4}at \S/;

// ---------------------------------------------------------------------------------------
// The fixture cases and what each must remove

interface MaskCase {
  id: string;
  op: string;
  args: { text: string; options?: Record<string, any> };
  expect: { text?: string };
}

/** A case: its text, the masker it runs with, and the parts of the text masking removes. */
interface LeakCase {
  id: string;
  text: string;
  expected: string;
  masker: Masker;
  removed: string[];
}

const FIXTURES = resolve(__dirname, '../../../fixtures/mask');
const TOKEN_RE = /\[REDACTED:[A-Z][A-Z0-9_]*\]/;
const STRATEGY_OPTIONS = ['strategy', 'strategies', 'key', 'keep'];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The maximal substrings of `input` that `expected` replaced by `[REDACTED:...]` tokens,
 * of 4 characters or more: the text between the literal parts both share.
 */
function removedParts(input: string, expected: string): string[] {
  const literals = expected.split(TOKEN_RE);
  const match = new RegExp(`^${literals.map(escapeRegExp).join('(.+?)')}$`, 's').exec(input);
  if (!match) throw new Error(`the expected text is not the input with tokens: ${JSON.stringify(expected)}`);
  // A part the expected text still holds elsewhere (`oid 00a0.c912.3a56.0001` after the MAC
  // address `00a0.c912.3a56`) cannot be asserted absent.
  return match.slice(1).filter((part) => part.length >= 4 && !expected.includes(part));
}

function maskerFor(options: Record<string, any> | undefined, cache: Map<string, Masker>): Masker {
  const key = JSON.stringify(options ?? {});
  let masker = cache.get(key);
  if (!masker) {
    const o = options ?? {};
    const config: MaskerOptions = {
      sensitiveKeys: o.sensitive_keys,
      allow: o.allow,
      customDetectors: o.custom_detectors,
      paths: o.paths,
    };
    masker = new Masker(config);
    cache.set(key, masker);
  }
  return masker;
}

/** Every `mask_text` case whose output differs from its input, except those choosing a strategy. */
function leakCases(): LeakCase[] {
  const maskers = new Map<string, Masker>();
  return readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .flatMap((name) => {
      const doc = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as MaskCase | MaskCase[];
      return Array.isArray(doc) ? doc : [doc];
    })
    .filter(
      (c) =>
        c.op === 'mask_text' &&
        typeof c.expect.text === 'string' &&
        c.expect.text !== c.args.text &&
        !STRATEGY_OPTIONS.some((option) => c.args.options?.[option] !== undefined),
    )
    .map((c) => ({
      id: c.id,
      text: c.args.text,
      expected: c.expect.text as string,
      masker: maskerFor(c.args.options, maskers),
      removed: removedParts(c.args.text, c.expect.text as string),
    }))
    .filter((c) => c.removed.length > 0);
}

/**
 * The cases the masker itself passes: one it does not pass yet (a fixture added before the
 * native addon is rebuilt, or a known gap in fixtures/expected-failures.json) is the golden
 * runner's failure (fixtures.test.ts), not the integrations'.
 */
const ALL_CASES = leakCases();
const CASES = ALL_CASES.filter((c) => c.masker.maskText(c.text) === c.expected);

/** Every string in a JSON value, keys included. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      strings(item, out);
    }
  }
  return out;
}

/** The records of newline-delimited JSON output. */
function records(written: string): Record<string, any>[] {
  return written
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, any>);
}

/**
 * The removed parts found in `written`: as written, JSON-escaped or as `util.inspect`
 * quotes them, in the bytes or in any string of the decoded records (so escaping twice, as
 * `%j` inside a JSON line does, hides nothing).
 */
function leaked(written: string, removed: string[]): string[] {
  const haystacks = [written, ...strings(records(written))];
  return removed.filter((part) => {
    const forms = new Set([part, JSON.stringify(part).slice(1, -1), inspect(part).slice(1, -1)]);
    return [...forms].some((form) => haystacks.some((haystack) => haystack.includes(form)));
  });
}

// ---------------------------------------------------------------------------------------
// pino

/** The bytes a pino logger with `pinoMasking(masker)` (and `options`) writes for `write`. */
function pinoOutput(masker: Masker, options: LoggerOptions, write: (log: Logger) => void): string {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  write(pino({ ...pinoMasking(masker), ...options }, sink));
  return chunks.join('');
}

interface PinoPath {
  options?: (text: string) => LoggerOptions;
  write: (log: Logger, text: string) => void;
  /** What must survive in the record besides level and time. */
  check?: (record: Record<string, any>) => void;
}

/** `record.err` is pino's serialized TypeError: type, a message, a stack with frames. */
function serializedTypeError(record: Record<string, any>, errorKey = 'err'): void {
  const err = record[errorKey];
  expect(err.type).toBe('TypeError');
  expect(typeof err.message).toBe('string');
  expect(err.stack).toMatch(/^TypeError: /);
  expect(err.stack).toMatch(FRAME);
}

function fakeRequest(text: string) {
  return {
    method: 'GET',
    url: '/users',
    headers: { 'x-note': text, authorization: 'Bearer abc.def.ghi' },
    socket: { remoteAddress: '10.0.0.1', remotePort: 443 },
  };
}

const PINO_PATHS: Record<string, PinoPath> = {
  'merged object value': { write: (log, t) => log.info({ note: t }, 'merged') },
  'nested object': { write: (log, t) => log.info({ a: { b: [{ note: t }] } }, 'nested') },
  'object key': { write: (log, t) => log.info({ a: { [t]: 1 } }, 'keyed') },
  'child bindings': { write: (log, t) => log.child({ note: t }).info('child') },
  'child binding key': { write: (log, t) => log.child({ [t]: 1 }).info('child key') },
  'grandchild bindings': {
    write: (log, t) =>
      log
        .child({ a: 1 })
        .child({ ctx: { note: t } })
        .info('grandchild'),
  },
  'message string': { write: (log, t) => log.info(t) },
  'message after a merged object': { write: (log, t) => log.info({ a: 1 }, t) },
  '%s argument': { write: (log, t) => log.info('value %s end', t) },
  '%o argument': { write: (log, t) => log.info('value %o end', { note: t }) },
  '%j argument': { write: (log, t) => log.info('value %j end', { note: t }) },
  '%O argument': { write: (log, t) => log.info('value %O end', { note: t }) },
  'argument without a token': {
    write: (log, t) => (log.info as (...args: unknown[]) => void).call(log, 'value', t),
  },
  'Error message': {
    write: (log, t) => log.error(new TypeError(t)),
    check: (r) => serializedTypeError(r),
  },
  'Error own property': {
    write: (log, t) => log.error(Object.assign(new TypeError('lookup failed'), { detail: t })),
    check: (r) => {
      serializedTypeError(r);
      expect(r.err.message).toBe('lookup failed');
      expect(r.msg).toBe('lookup failed');
    },
  },
  'Error cause': {
    write: (log, t) => log.error(new TypeError('lookup failed', { cause: new Error(t) })),
    check: (r) => {
      serializedTypeError(r);
      expect(r.err.message).toMatch(/^lookup failed: /);
      expect(r.err.stack).toContain('caused by: Error: ');
    },
  },
  '{ err }': {
    write: (log, t) => log.error({ err: new TypeError(t) }, 'request failed'),
    check: (r) => {
      serializedTypeError(r);
      expect(r.msg).toBe('request failed');
    },
  },
  'Error nested in the merged object': {
    write: (log, t) => log.error({ ctx: { error: Object.assign(new TypeError(t), { detail: t }) } }, 'nested error'),
    check: (r) => expect(r.msg).toBe('nested error'),
  },
  'messageKey and errorKey': {
    options: () => ({ messageKey: 'message', errorKey: 'error' }),
    write: (log, t) => log.error({ error: new TypeError(t) }),
    check: (r) => serializedTypeError(r, 'error'),
  },
  nestedKey: { options: () => ({ nestedKey: 'payload' }), write: (log, t) => log.info({ note: t }, 'nested key') },
  msgPrefix: { write: (log, t) => log.child({}, { msgPrefix: `[${t}] ` }).info('prefixed') },
  'mixin output': { options: (t) => ({ mixin: () => ({ note: t }) }), write: (log) => log.info('mixed') },
  'custom serializer output': {
    options: (t) => ({ serializers: { user: (user: { id: number }) => ({ id: user.id, note: t }) } }),
    write: (log) => log.info({ user: { id: 7 } }, 'served'),
    check: (r) => expect(r.user.id).toBe(7),
  },
  'formatters given by the caller': {
    options: () => ({
      formatters: { level: (label: string) => ({ level: label }), log: (o: Record<string, unknown>) => o },
    }),
    write: (log, t) => log.child({ note: t }).warn({ other: t }, 'formatted'),
    check: (r) => expect(r.level).toBe('warn'),
  },
  'http request': {
    write: (log, t) => log.info(fakeRequest(t)),
    check: (r) => {
      expect(r.req.method).toBe('GET');
      expect(r.req.headers.authorization).toBe('[REDACTED:SECRET]');
    },
  },
};

describe('pinoMasking', () => {
  it('masks the merged object and the message of every record', () => {
    const written = pinoOutput(new Masker(), { base: undefined, timestamp: false }, (log) => {
      log.info({ user: EMAIL, password: 'hunter2', nested: { card: CARD } }, 'login by %s with %s', EMAIL, TOKEN);
      log.warn(`plain message for ${EMAIL}`);
    });
    expect(records(written)).toEqual([
      {
        level: 30,
        user: '[REDACTED:EMAIL]',
        password: '[REDACTED:SECRET]',
        nested: { card: '[REDACTED:CREDIT_CARD]' },
        msg: 'login by [REDACTED:EMAIL] with [REDACTED:GITHUB_TOKEN]',
      },
      { level: 40, msg: 'plain message for [REDACTED:EMAIL]' },
    ]);
    expect(written).not.toContain('example.com');
  });

  it('has cases and paths to test', () => {
    expect(CASES.length).toBeGreaterThan(100);
    expect(CASES.length).toBeGreaterThanOrEqual(ALL_CASES.length * 0.8);
    expect(CASES.map((c) => c.id)).toEqual(expect.arrayContaining(['mask/email-in-log-line', 'mask/allow-list']));
    expect(Object.keys(PINO_PATHS).length).toBeGreaterThanOrEqual(20);
  });

  it.each(CASES.map((c) => [c.id, c] as const))('%s never reaches a pino line by any path', (_id, c) => {
    const leaks: string[] = [];
    for (const [name, path] of Object.entries(PINO_PATHS)) {
      const written = pinoOutput(c.masker, path.options?.(c.text) ?? {}, (log) => path.write(log, c.text));
      if (leaked(written, c.removed).length > 0) leaks.push(`${name}: ${written}`);
      const lines = records(written);
      expect(lines, name).toHaveLength(1);
      const record = lines[0] as Record<string, any>;
      expect(record.level, name).toBeDefined();
      expect(typeof record.time, name).toBe('number');
      expect(record.masking_error, name).toBeUndefined();
      path.check?.(record);
    }
    expect(leaks).toEqual([]);
  });

  it('keeps the type, message and stack frames of an error, masked', () => {
    const [plain, own, caused, wrapped] = records(
      pinoOutput(new Masker(), {}, (log) => {
        log.error(new TypeError(`no user ${EMAIL}`));
        log.error(Object.assign(new RangeError('over limit'), { code: 'E_LIMIT', card: CARD, user: { email: EMAIL } }));
        log.error(new Error('lookup failed', { cause: new TypeError(`no user ${EMAIL}`) }));
        log.warn({ err: new TypeError(`no user ${EMAIL}`), user: EMAIL }, 'request failed for %s', EMAIL);
      }),
    ) as Record<string, any>[];
    expect(plain?.level).toBe(50);
    expect(plain?.time).toBeGreaterThan(1_600_000_000_000);
    expect(plain?.msg).toBe('no user [REDACTED:EMAIL]');
    expect(plain?.err.type).toBe('TypeError');
    expect(plain?.err.message).toBe('no user [REDACTED:EMAIL]');
    expect(plain?.err.stack).toMatch(/^TypeError: no user \[REDACTED:EMAIL\]\n {4}at .*logging\.test\.ts/);

    expect(own?.err).toMatchObject({
      type: 'RangeError',
      message: 'over limit',
      code: 'E_LIMIT',
      card: '[REDACTED:CREDIT_CARD]',
      user: { email: '[REDACTED:EMAIL]' },
    });
    expect(own?.err.stack).toMatch(FRAME);

    expect(caused?.err.type).toBe('Error');
    expect(caused?.err.message).toBe('lookup failed: no user [REDACTED:EMAIL]');
    expect(caused?.err.stack).toContain('\ncaused by: TypeError: no user [REDACTED:EMAIL]\n    at ');

    expect(wrapped).toMatchObject({
      level: 40,
      user: '[REDACTED:EMAIL]',
      msg: 'request failed for [REDACTED:EMAIL]',
      err: { type: 'TypeError', message: 'no user [REDACTED:EMAIL]' },
    });
  });

  it('masks a secret split across the format string and its argument', () => {
    const [record] = records(pinoOutput(new Masker(), {}, (log) => log.info('password=%s', 'hunter2')));
    expect(record?.msg).toBe('password=[REDACTED:SECRET]');
  });

  it('masks card numbers written as numbers, under any key', () => {
    const [record] = records(
      pinoOutput(new Masker(), {}, (log) => log.info({ card_number: 4111111111111111, n: 4111111111111111, ok: 42 })),
    );
    expect(record).toMatchObject({ card_number: '[REDACTED:CREDIT_CARD]', n: '[REDACTED:CREDIT_CARD]', ok: 42 });
  });

  it('writes an unmaskable record as its level, time and the failure code only', () => {
    let deep: Record<string, unknown> = { email: EMAIL };
    for (let i = 0; i < 200; i++) deep = { deep };
    const written = pinoOutput(new Masker(), {}, (log) => log.child({ user: EMAIL }).warn(deep, `for ${EMAIL}`));
    expect(written).not.toContain(EMAIL);
    const [record] = records(written);
    expect(record).toEqual({ level: 40, time: expect.any(Number), masking_error: 'LIMIT_EXCEEDED' });
  });
});

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
    expect(error?.stack).toMatch(/^TypeError: no user \[REDACTED:EMAIL\]\n {4}at .*logging\.test\.ts/);
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

describe('removedParts', () => {
  it('finds the text each token replaced, and only parts of 4 characters or more', () => {
    expect(removedParts('user bob@example.com logged in', 'user [REDACTED:EMAIL] logged in')).toEqual([
      'bob@example.com',
    ]);
    expect(removedParts('http://[fe80::1]:8080/', 'http://[[REDACTED:IP_ADDRESS]]:8080/')).toEqual(['fe80::1']);
    expect(removedParts('a ::1 b', 'a [REDACTED:IP_ADDRESS] b')).toEqual([]);
    expect(() => removedParts('abc', 'xyz [REDACTED:EMAIL]')).toThrow();
  });
});
