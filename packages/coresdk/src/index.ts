/**
 * CoreSDK: in-process Rego policy evaluation, PII and secret masking, and RFC 8785
 * canonical JSON hashing, on one Rust core shared with the Python package.
 * @packageDocumentation
 */

export type { AuditLogOptions, AuditReport, VerifyAuditLogOptions } from './audit.js';
export { AuditLog, verifyAuditLog } from './audit.js';
export type { AwsSigning, BundlePollerOptions, BundleVerification, DirectoryWatchOptions } from './bundle.js';
export { BundlePoller, DirectoryWatch } from './bundle.js';
export { canonicalize, canonicalizeJson, hash, hashJson } from './canonical.js';
export type { DecisionLogEvent, DecisionLoggerOptions, DecisionLogMetrics } from './decision-log.js';
export { DecisionLogger } from './decision-log.js';
export type { ErrorCode, SourceLocation } from './error.js';
export { CoreSdkError, ERROR_CODES } from './error.js';
export type { HttpRequest, Problem, RequestAuthorization, RequestOptions } from './http.js';
export type { KeyProvider } from './keys.js';
export { DEFAULT_KEY_PROVIDER_TIMEOUT_MS } from './keys.js';
export type { PinoMaskingOptions, WinstonInfo, WinstonMaskingFormat } from './logging.js';
export { pinoMasking, winstonMasking } from './logging.js';
export type { CustomDetector, Finding, MaskerOptions, MaskStrategy, TokenKeys, TypeStrategy } from './mask.js';
export { Masker, unmaskText, unmaskValue } from './mask.js';
export { panicProbe, panicProbeAsync, version } from './meta.js';
export type { LatencyBucket, PolicyMetrics, SourceStatus } from './metrics.js';
export type { AuthorizationOptions, AuthorizedRequest } from './middleware.js';
export {
  authorizeHttpRequest,
  expressAuthorization,
  fastifyAuthorization,
  fetchHttpRequest,
  nodeHttpRequest,
  problemParts,
  refusalResponse,
  writeRefusal,
} from './middleware.js';
export type {
  Decision,
  DecisionCacheOptions,
  Evaluator,
  LoadBundleOptions,
  ModuleOptions,
  PolicyEngineOptions,
  QueryResult,
  QueryRow,
  RegoVersion,
} from './policy.js';
export { PolicyEngine } from './policy.js';
export type { ScanFormat, ScanOptions, ScanResult } from './secret-scan.js';
export { scanPaths } from './secret-scan.js';
export type { ShadowDisagreement, ShadowMetrics, ShadowOptions } from './shadow.js';
export { Shadow } from './shadow.js';
export type { StatusMetrics, StatusReporterOptions } from './status.js';
export { StatusReporter } from './status.js';
export { StreamMasker } from './stream.js';
export type { TokenKey, TokenVerifierOptions } from './token.js';
export { TokenVerifier } from './token.js';
export { maskingTransform, maskingTransformStream } from './transforms.js';
