import native, { type KeyProviderBridge } from './native.js';

/**
 * Where keys live, implemented by the host program (a KMS or HSM client): the core asks
 * it for HMACs (the audit log, the last-known-good cache) and, where a feature needs
 * them, signatures, verifications and decryptions. Methods may be synchronous or return
 * a Promise (most KMS clients are async).
 *
 * The core calls a provider from its own threads and waits for the answer, so a log or
 * cache keyed by a JavaScript provider is used through the async API
 * (`AuditLog.openAsync`, `appendAsync`; the bundle poller runs on its own thread). A
 * provider that throws, rejects, returns the wrong type or does not answer within
 * `timeoutMs` fails that operation with `KEY_UNAVAILABLE`.
 */
export interface KeyProvider {
  /** HMAC-SHA256 of `data` with key `keyId`. */
  hmac(keyId: string, data: Buffer): Uint8Array | Promise<Uint8Array>;
  /** A signature of `data` with key `keyId`. */
  sign?(keyId: string, data: Buffer): Uint8Array | Promise<Uint8Array>;
  /** True when `signature` is valid for `data` under key `keyId`. */
  verify?(keyId: string, data: Buffer, signature: Buffer): boolean | Promise<boolean>;
  /** `ciphertext` decrypted with key `keyId`. */
  decrypt?(keyId: string, ciphertext: Buffer): Uint8Array | Promise<Uint8Array>;
}

/** How long the core waits for one provider call, by default (ms): the core's value. */
export const DEFAULT_KEY_PROVIDER_TIMEOUT_MS: number = native.defaultKeyProviderTimeoutMs();

type Method = 'hmac' | 'sign' | 'verify' | 'decrypt';

const METHODS: ReadonlySet<string> = new Set<Method>(['hmac', 'sign', 'verify', 'decrypt']);

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Runs `method` on `provider` and checks what it answers (bytes, or a boolean for `verify`). */
async function invoke(
  provider: KeyProvider,
  method: string,
  keyId: string,
  data: Buffer,
  extra: Buffer | null | undefined,
): Promise<Buffer> {
  if (!METHODS.has(method)) throw new Error(`unknown key provider method ${method}`);
  const fn = provider[method as Method] as ((...args: unknown[]) => unknown) | undefined;
  if (typeof fn !== 'function') throw new Error(`the key provider has no ${method}() method`);
  const args = method === 'verify' ? [keyId, data, extra ?? Buffer.alloc(0)] : [keyId, data];
  const answer: unknown = await fn.apply(provider, args);
  if (method === 'verify') {
    if (typeof answer !== 'boolean') throw new Error('verify() must answer a boolean');
    return Buffer.from([answer ? 1 : 0]);
  }
  if (!(answer instanceof Uint8Array)) throw new Error(`${method}() must answer a Uint8Array or Buffer`);
  return asBuffer(answer);
}

const describe = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The native bridge the core calls `provider` through. @internal */
export function keyProviderBridge(provider: KeyProvider, timeoutMs?: number): KeyProviderBridge {
  if (provider === null || typeof provider !== 'object' || typeof provider.hmac !== 'function') {
    throw new TypeError('a key provider is an object with an hmac(keyId, data) method');
  }
  // Created before the bridge exists; only called (on a later turn) once it does.
  let bridge: KeyProviderBridge | undefined;
  const dispatch = (ticket: number, method: string, keyId: string, data: Buffer, extra: Buffer | null | undefined) => {
    invoke(provider, method, keyId, data, extra).then(
      (bytes) => bridge?.resolve(ticket, bytes, undefined),
      (e: unknown) => bridge?.resolve(ticket, undefined, describe(e)),
    );
  };
  bridge = new native.KeyProviderBridge(dispatch, timeoutMs);
  return bridge;
}
