import native, { type AuditLog as NativeAuditLog } from './native.js';
import { native as call } from './error.js';
import { toJsonText } from './json.js';
import type { Decision } from './policy.js';

/** Options of {@link AuditLog.open}; the same names and defaults as Python's. */
export interface AuditLogOptions {
  /** The HMAC key (keep it out of the log's reach: from a secret store, not the log's directory). */
  key?: string | Uint8Array;
  /** Instead of `key`: a key file only its owner can read (`chmod 600`; docs/AUDIT.md) ... */
  keyFile?: string;
  /** ... and the id of the HMAC key in it. Default `'audit'`. */
  keyId?: string;
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
   * @throws CoreSdkError `INTEGRITY` (existing log does not verify), `SOURCE_UNAVAILABLE`, `INVALID_ARGUMENT`, `KEY_UNAVAILABLE` (key file readable by others, or no such key)
   */
  static open(path: string, options: AuditLogOptions): AuditLog {
    return new AuditLog(
      call(
        () =>
          new native.AuditLog(path, options.key === undefined ? undefined : keyBuffer(options.key), {
            checkpointEvery: options.checkpointEvery,
            durability: options.durability,
            keyFile: options.keyFile,
            keyId: options.keyId,
          }),
      ),
    );
  }

  /** Appends `decision`, made on `query` for `input` (masked before it is written). Returns the new head. */
  append(decision: Decision, query: string, input?: unknown): string {
    const text = input === undefined ? '{}' : toJsonText(input, 'input');
    const resultJson = decision.defined ? toJsonText(decision.result, 'result') : undefined;
    return call(() =>
      this.#inner.append(
        {
          decisionId: decision.decisionId,
          revision: decision.revision,
          bundleRevision: decision.bundleRevision ?? undefined,
          resultJson,
        },
        query,
        text,
      ),
    );
  }

  /** The hash of the last record: keep it elsewhere to detect records cut from the end. */
  get head(): string {
    return call(() => this.#inner.head);
  }
}

/**
 * Verifies an audit log (its bytes) with `key`; with `expectedHead`, also that nothing was
 * cut from the end. Reports the first line where an edit, deletion, insertion,
 * reordering or truncation broke the chain.
 */
export function verifyAuditLog(log: Uint8Array, key: string | Uint8Array, options: { expectedHead?: string } = {}): AuditReport {
  const bytes = Buffer.from(log.buffer, log.byteOffset, log.byteLength);
  return JSON.parse(call(() => native.verifyAuditLog(bytes, keyBuffer(key), options.expectedHead))) as AuditReport;
}
