/**
 * CoreSDK: in-process Rego policy evaluation, PII and secret masking, and RFC 8785
 * canonical JSON hashing, on one Rust core shared with the Python package.
 * @packageDocumentation
 */
export { PolicyEngine } from './policy.js';
export type {
  PolicyEngineOptions,
  DecisionCacheOptions,
  LoadBundleOptions,
  ModuleOptions,
  RegoVersion,
  Decision,
  QueryResult,
  QueryRow,
} from './policy.js';
export { BundlePoller, DirectoryWatch } from './bundle.js';
export type { BundleVerification, BundlePollerOptions, DirectoryWatchOptions } from './bundle.js';
export type { PolicyMetrics, SourceStatus, LatencyBucket } from './metrics.js';
export { AuditLog, verifyAuditLog } from './audit.js';
export type { AuditLogOptions, AuditReport, VerifyAuditLogOptions } from './audit.js';
export type { KeyProvider } from './keys.js';
export { DEFAULT_KEY_PROVIDER_TIMEOUT_MS } from './keys.js';
export { TokenVerifier } from './token.js';
export type { TokenKey, TokenVerifierOptions } from './token.js';
export { Masker } from './mask.js';
export { pinoMasking } from './logging.js';
export type { PinoMaskingOptions } from './logging.js';
export type { MaskerOptions, MaskStrategy, TypeStrategy, CustomDetector, Finding } from './mask.js';
export { canonicalize, canonicalizeJson, hash, hashJson } from './canonical.js';
export { CoreSdkError, ERROR_CODES } from './error.js';
export type { ErrorCode, SourceLocation } from './error.js';
export { version, panicProbe, panicProbeAsync } from './meta.js';
