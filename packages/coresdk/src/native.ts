/**
 * The native addon. `@coresdk/native` picks the prebuilt binary for this platform
 * (its per-platform package, e.g. `@coresdk/native-linux-x64-gnu`).
 * @internal
 */
import * as native from '@coresdk/native';

export default native;
export type {
  NativeDecision,
  NativeQueryResult,
  PolicyEngine as NativePolicyEngine,
  Masker as NativeMasker,
  AuditLog,
  KeyProviderBridge,
  TokenVerifier,
  TokenVerifierOptions,
} from '@coresdk/native';
