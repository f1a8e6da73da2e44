// Leak tests of the pino integration: every masking fixture goes through every path by which
// a value reaches a pino log line, and the bytes written must not hold what the masker
// removes, while level, time, error type, message and stack survive.
import { Writable } from 'node:stream';
import pino, { type Logger, type LoggerOptions } from 'pino';
import { describe, expect, it } from 'vitest';
import { Masker, pinoMasking } from '../src/index.js';
import { ALL_CASES, CARD, CASES, EMAIL, FRAME, leaked, records, removedParts, TOKEN } from './log-leaks.js';

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
    expect(plain?.err.stack).toMatch(/^TypeError: no user \[REDACTED:EMAIL\]\n {4}at .*logging-pino\.test\.ts/);

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
