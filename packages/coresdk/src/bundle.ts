import type {
  BundlePoller as NativeBundlePoller,
  BundleVerification as NativeBundleVerification,
  DirectoryWatch as NativeDirectoryWatch,
} from '@coresdk/native';
import { native as call } from './error.js';
import type { KeyProvider } from './keys.js';

/**
 * How OPA bundle signatures (`.signatures.json`) are verified. With a verification
 * configured, an unsigned bundle or one whose signature or file hashes do not match is
 * rejected with `INTEGRITY` and the revision serving stays.
 */
export interface BundleVerification {
  /** The JWT algorithm: `RS256`..`RS512`, `PS256`..`PS512`, `ES256`, `ES384`, `EdDSA` or `HS256`..`HS512`. */
  algorithm: string;
  /** PEM public key, for the asymmetric algorithms. */
  publicKey?: string;
  /** Shared secret, for HS*. */
  secret?: string | Uint8Array;
  /** The expected `keyid` claim, if any. */
  keyId?: string;
  /** The expected `scope` claim, if any. */
  scope?: string;
}

/**
 * AWS Signature Version 4 for bundle requests. With neither key given, the keys come from
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, read for every
 * request (OPA's `environment_credentials`).
 */
export interface AwsSigning {
  /** The region. Default: `AWS_REGION`, else `AWS_DEFAULT_REGION`. */
  region?: string;
  /** The service in the signature's scope. Default `s3`. */
  service?: string;
  /** The access key id (with `secretAccessKey`). */
  accessKeyId?: string;
  /** The secret access key (with `accessKeyId`). */
  secretAccessKey?: string;
  /** A session token, for temporary credentials. */
  sessionToken?: string;
}

/** Options of {@link PolicyEngine.startBundlePolling}; the same names and defaults as Python's. */
export interface BundlePollerOptions {
  /** The bundle URL (`http://` or `https://`). */
  url: string;
  /** Shortest delay between polls in ms. Default 60000 (OPA's). */
  minDelayMs?: number;
  /** Longest delay between polls, and the cap of the failure backoff, in ms. Default 120000. */
  maxDelayMs?: number;
  /** Time limit of one request in ms. Default 30000. */
  timeoutMs?: number;
  /** Extra request headers, e.g. `{ Authorization: 'Bearer ...' }`. */
  headers?: Record<string, string>;
  /**
   * A file holding a bearer token (`chmod 600`), read for every poll so a token rotated on
   * disk is used from the next poll on (OPA's `bearer.token_path`). A file that cannot be
   * read, is empty or is open to others is refused with `KEY_UNAVAILABLE`.
   */
  bearerTokenFile?: string;
  /**
   * Sign each request with AWS Signature Version 4, for a bundle in S3 or an S3-compatible
   * store such as MinIO (OPA's `credentials.s3_signing`). Not with `bearerTokenFile`.
   */
  awsSigning?: AwsSigning;
  /** Verify bundle signatures. */
  verification?: BundleVerification;
  /**
   * Persist each activated bundle to this file, HMAC'd with `key` and written atomically;
   * when the server is down at start the persisted bundle serves (unless `restore` is
   * false); a persisted bundle that fails its HMAC is never served (`INTEGRITY`).
   */
  lastKnownGood?: {
    path: string;
    /** The HMAC key, or `keyFile` (`chmod 600`) + `keyId` (default `'last-known-good'`), or `keyProvider` + `keyId`. */
    key?: string | Uint8Array;
    keyFile?: string;
    keyId?: string;
    /** A {@link KeyProvider} (a KMS client) computing the cache's HMAC; called from the poller's thread. */
    keyProvider?: KeyProvider;
    /** How long one `keyProvider` call may take, in ms. Default 10000. */
    keyProviderTimeoutMs?: number;
    restore?: boolean;
  };
}

/** Options of {@link PolicyEngine.watchDirectory}. */
export interface DirectoryWatchOptions {
  /** Quiet time after the last file event before reloading, in ms. Default 100. */
  debounceMs?: number;
  /** Verify bundle signatures. */
  verification?: BundleVerification;
}

/** @internal the native form of a verification. */
export function nativeVerification(v: BundleVerification | undefined): NativeBundleVerification | undefined {
  if (v === undefined) return undefined;
  const secret = typeof v.secret === 'string' ? Buffer.from(v.secret, 'utf8') : v.secret;
  return {
    algorithm: v.algorithm,
    publicKey: v.publicKey,
    secret: secret === undefined ? undefined : Buffer.from(secret),
    keyId: v.keyId,
    scope: v.scope,
  };
}

/**
 * A running HTTP bundle poller (OPA's bundle protocol: `ETag` / `If-None-Match` / `304`,
 * randomised delay between polls, exponential backoff on failure). While the server is
 * unreachable the last good revision keeps serving; the state shows in
 * `engine.metrics().source`.
 */
export class BundlePoller {
  readonly #inner: NativeBundlePoller;

  /** @internal */
  constructor(inner: NativeBundlePoller) {
    this.#inner = inner;
  }

  /** Stops polling (returns at once; the revision serving stays). Idempotent. */
  stop(): void {
    call(() => this.#inner.stop());
  }
}

/** A running watch of a bundle directory; reloads (debounced) when its files change. */
export class DirectoryWatch {
  readonly #inner: NativeDirectoryWatch;

  /** @internal */
  constructor(inner: NativeDirectoryWatch) {
    this.#inner = inner;
  }

  /** Stops watching (the revision serving stays). Idempotent. */
  stop(): void {
    call(() => this.#inner.stop());
  }
}
