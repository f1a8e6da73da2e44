import { CoreSdkError, native as call, nativeAsync } from './error.js';
import { toJsonText } from './json.js';
import { type KeyProvider, keyProviderBridge } from './keys.js';
import native, { type AuditLog as NativeAuditLog } from './native.js';
import type { Decision } from './policy.js';

/** Options of {@link AuditLog.open}; the same names and defaults as Python's. */
export interface AuditLogOptions {
  /** The HMAC key (keep it out of the log's reach: from a secret store, not the log's directory). */
  key?: string | Uint8Array;
  /** Instead of `key`: a key file only its owner can read (`chmod 600`; docs/AUDIT.md) ... */
  keyFile?: string;
  /** ... and the id of the HMAC key in it (or in `keyProvider`). Default `'audit'`. */
  keyId?: string;
  /** Instead of `key` / `keyFile`: a {@link KeyProvider} (a KMS client). Use {@link AuditLog.openAsync} and `appendAsync` with it. */
  keyProvider?: KeyProvider;
  /** How long one `keyProvider` call may take, in ms. Default 10000. */
  keyProviderTimeoutMs?: number;
  /** Records between Merkle checkpoints. Default 1000. */
  checkpointEvery?: number;
  /** `'every_record'` (fsync after each append, the default) or `'os_buffered'`. */
  durability?: 'every_record' | 'os_buffered';
}

/** What {@link verifyAuditLog} found. */
export interface AuditReport {
  /** True when every record verified (and the log ends at `expectedHead`, when given). */
  intact: boolean;
  /** Records (decisions and checkpoints) that verified. */
  records: number;
  /** Checkpoints among them. */
  checkpoints: number;
  /** Hash of the last verified record, or null for an empty log. */
  head: string | null;
  /** 1-based line of the first bad record, or null. */
  line: number | null;
  /** `malformed`, `sequence`, `chain`, `hash`, `hmac`, `checkpoint` or `truncated`; null when intact. */
  reason: string | null;
}

const keyBuffer = (key: string | Uint8Array) => (typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key));

const nativeKey = (options: AuditLogOptions) => (options.key === undefined ? undefined : keyBuffer(options.key));

const nativeOptions = (options: AuditLogOptions) => ({
  checkpointEvery: options.checkpointEvery,
  durability: options.durability,
  keyFile: options.keyFile,
  keyId: options.keyId,
});

const recordInput = (input: unknown) => (input === undefined ? '{}' : toJsonText(input, 'input'));

const nativeRecord = (decision: Decision) => {
  return {
    decisionId: decision.decisionId,
    revision: decision.revision,
    bundleRevision: decision.bundleRevision ?? undefined,
    resultJson: decision.defined ? toJsonText(decision.result, 'result') : undefined,
  };
};

/**
 * A tamper-evident audit log (JSON Lines): each decision record holds the decision id,
 * time, revision, query, result and the input masked by the default `Masker` (never raw),
 * chained to the previous record by hash and HMAC'd; every `checkpointEvery` records a
 * Merkle checkpoint is written. Appends are serialised and, by default, fsync'd.
 */
export class AuditLog {
  readonly #inner: NativeAuditLog;

  private constructor(inner: NativeAuditLog) {
    this.#inner = inner;
  }

  /**
   * Opens (or creates) the log at `path`; an existing log is verified first and appends
   * continue its chain.
   * @throws CoreSdkError `INTEGRITY` (existing log does not verify), `SOURCE_UNAVAILABLE`, `INVALID_ARGUMENT` (also for a `keyProvider`: use {@link AuditLog.openAsync}), `KEY_UNAVAILABLE` (key file readable by others, or no such key)
   */
  static open(path: string, options: AuditLogOptions): AuditLog {
    if (options.keyProvider !== undefined) {
      throw new CoreSdkError('INVALID_ARGUMENT', 'a log keyed by a keyProvider is opened with AuditLog.openAsync');
    }
    return new AuditLog(call(() => new native.AuditLog(path, nativeKey(options), nativeOptions(options))));
  }

  /**
   * As {@link AuditLog.open}, off the JavaScript thread: the way to open a log keyed by a
   * {@link KeyProvider} (its `hmac` is called for every existing record while verifying).
   * @throws CoreSdkError as `open`, and `KEY_UNAVAILABLE` when the provider fails
   */
  static async openAsync(path: string, options: AuditLogOptions): Promise<AuditLog> {
    const bridge =
      options.keyProvider === undefined
        ? undefined
        : call(() => keyProviderBridge(options.keyProvider as KeyProvider, options.keyProviderTimeoutMs));
    return new AuditLog(
      await nativeAsync(() => native.openAuditLogAsync(path, nativeKey(options), nativeOptions(options), bridge)),
    );
  }

  /** Appends `decision`, made on `query` for `input` (masked before it is written). Returns the new head. */
  append(decision: Decision, query: string, input?: unknown): string {
    const text = recordInput(input);
    const record = nativeRecord(decision);
    return call(() => this.#inner.append(record, query, text));
  }

  /**
   * As {@link AuditLog.append}, on the libuv pool; required for a log keyed by a
   * {@link KeyProvider}. Concurrent appends are serialised in call order of arrival.
   */
  async appendAsync(decision: Decision, query: string, input?: unknown): Promise<string> {
    const text = recordInput(input);
    const record = nativeRecord(decision);
    return nativeAsync(() => this.#inner.appendAsync(record, query, text));
  }

  /** The hash of the last record: keep it elsewhere to detect records cut from the end. */
  get head(): string {
    return call(() => this.#inner.head);
  }
}

/** Options of {@link verifyAuditLog}. */
export interface VerifyAuditLogOptions {
  /** The head the log must end at (catches records cut from the end). */
  expectedHead?: string;
  /** Instead of `key`: a key file only its owner can read, as {@link AuditLogOptions.keyFile} ... */
  keyFile?: string;
  /** ... and the id of the HMAC key in it. Default `'audit'`. */
  keyId?: string;
}

/**
 * Verifies an audit log (its bytes) with `key`, or with the key `keyId` of `keyFile` (as
 * {@link AuditLog.open} takes them; pass `undefined` as `key` then); with `expectedHead`,
 * also that nothing was cut from the end. Reports the first line where an edit,
 * deletion, insertion, reordering or truncation broke the chain.
 * @throws CoreSdkError `INVALID_ARGUMENT` (neither or both of `key` and `keyFile`), `KEY_UNAVAILABLE` (key file readable by others, or unreadable), `INVALID_JSON` (not a key file); a key id the file does not hold fails the first record as `hmac`
 */
export function verifyAuditLog(
  log: Uint8Array,
  key: string | Uint8Array | undefined,
  options: VerifyAuditLogOptions = {},
): AuditReport {
  const bytes = Buffer.from(log.buffer, log.byteOffset, log.byteLength);
  const keyBytes = key === undefined ? undefined : keyBuffer(key);
  return JSON.parse(
    call(() => native.verifyAuditLog(bytes, keyBytes, options.expectedHead, options.keyFile, options.keyId)),
  ) as AuditReport;
}
