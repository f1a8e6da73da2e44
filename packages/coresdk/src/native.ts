/**
 * The native addon. `@coresdk/native` picks the prebuilt binary for this platform
 * (its per-platform package, e.g. `@coresdk/native-linux-x64-gnu`).
 * @internal
 */
import * as native from '@coresdk/native';

export default native;
export type {
  AuditLog,
  DecisionLogger as NativeDecisionLogger,
  KeyProviderBridge,
  Masker as NativeMasker,
  NativeHttpRequest,
  NativeQueryResult,
  NativeRequestAuthorization,
  NativeRequestOptions,
  PolicyEngine as NativePolicyEngine,
  Shadow as NativeShadow,
  StatusReporter as NativeStatusReporter,
  StreamMasker as NativeStreamMasker,
  TokenVerifier,
  TokenVerifierOptions,
} from '@coresdk/native';
