import { native as call, nativeAsync } from './error.js';
import { toJsonText } from './json.js';
import type { SourceStatus } from './metrics.js';
import addon, {
  type TokenVerifier as NativeTokenVerifier,
  type TokenVerifierOptions as NativeTokenVerifierOptions,
} from './native.js';

/** One verification key: a PEM public key (RS*, PS*, ES*, EdDSA) or a secret (HS*). */
export interface TokenKey {
  /** The algorithm the key verifies, e.g. `'RS256'`. */
  algorithm: string;
  /** PEM public key (or certificate-free SPKI `PUBLIC KEY`). */
  publicKey?: string;
  /** HMAC secret. */
  secret?: string | Uint8Array;
  /** The `kid` tokens name this key by. */
  keyId?: string;
}

/** Options of a {@link TokenVerifier}; the same names and defaults as Python's. */
export interface TokenVerifierOptions {
  /** A JWKS document (`{ keys: [...] }`), as an object or JSON text. */
  jwks?: Record<string, unknown> | string;
  /** Keys given one by one. */
  keys?: TokenKey[];
  /** Accepted issuers (`iss`); empty or absent = any. */
  issuers?: string[];
  /** Accepted audiences (`aud`); empty or absent = not checked. */
  audiences?: string[];
  /** Clock skew allowed on `exp` / `nbf`, in seconds. Default 60. */
  leewaySeconds?: number;
  /** Claims that must be present (e.g. `['sub']`); `exp` is always required. */
  requiredClaims?: string[];
  /**
   * Fetch the JWKS from this URL (now, then every `jwksRefreshSeconds` in the background;
   * a failed refresh keeps the last good keys). Instead of `jwks` / `keys`.
   */
  jwksUrl?: string;
  /** Seconds between background refreshes of `jwksUrl`. Default 300. */
  jwksRefreshSeconds?: number;
  /** Shortest seconds between refetches triggered by tokens with an unknown `kid`. Default 30. */
  jwksMinRefetchSeconds?: number;
  /** Time limit of one JWKS request in ms. Default 10000. */
  jwksTimeoutMs?: number;
}

/**
 * Verifies JWTs: signature (RS/PS/ES/EdDSA/HS), `exp`/`nbf` with leeway, issuer, audience
 * and required claims, against fixed keys or a JWKS URL refreshed in the background.
 * Failures throw `CoreSdkError` `TOKEN_EXPIRED` or `TOKEN_INVALID`
 * with a reason that never contains the token.
 */
export class TokenVerifier {
  /** @internal */
  readonly native: NativeTokenVerifier;

  /**
   * A verifier over fixed keys (`jwks` and/or `keys`). For a JWKS URL use
   * {@link TokenVerifier.fromJwksUrl}.
   * @throws CoreSdkError `INVALID_ARGUMENT` / `INVALID_JSON` for unusable key material.
   */
  constructor(options: TokenVerifierOptions);
  /** @internal */
  constructor(options: TokenVerifierOptions, native: NativeTokenVerifier);
  constructor(options: TokenVerifierOptions, existing?: NativeTokenVerifier) {
    this.native = existing ?? call(() => new addon.TokenVerifier(nativeOptions(options)));
  }

  /**
   * A verifier over the JWKS at `options.jwksUrl`: fetched now on the libuv pool, then
   * refreshed every `jwksRefreshSeconds` in the background; a failed refresh keeps the
   * last good keys (see {@link TokenVerifier.keySourceStatus}).
   * @throws CoreSdkError `SOURCE_UNAVAILABLE` when the first fetch fails, `INVALID_ARGUMENT`, `INVALID_JSON`
   */
  static async fromJwksUrl(options: TokenVerifierOptions & { jwksUrl: string }): Promise<TokenVerifier> {
    const remote = await nativeAsync(() => addon.tokenVerifierFromJwksUrl(nativeOptions(options)));
    return new TokenVerifier(options, remote);
  }

  /**
   * {@link TokenVerifier.authenticate} on the libuv pool: use it with a JWKS URL, where a
   * token with an unknown `kid` may refetch the key set.
   */
  async authenticateAsync(token: string): Promise<Record<string, unknown>> {
    return JSON.parse(await nativeAsync(() => this.native.authenticateJsonAsync(token))) as Record<string, unknown>;
  }

  /** The remote JWKS's state (same shape as `metrics().source`, kind `'jwks'`), or null for fixed keys. */
  keySourceStatus(): SourceStatus | null {
    return JSON.parse(call(() => this.native.keySourceStatusJson())) as SourceStatus | null;
  }

  /**
   * The verified claims of `token`.
   * @throws CoreSdkError `TOKEN_EXPIRED`, `TOKEN_INVALID`
   */
  authenticate(token: string): Record<string, unknown> {
    return JSON.parse(call(() => this.native.authenticateJson(token))) as Record<string, unknown>;
  }
}

function nativeOptions(options: TokenVerifierOptions): NativeTokenVerifierOptions {
  const jwks =
    options.jwks === undefined
      ? undefined
      : typeof options.jwks === 'string'
        ? options.jwks
        : toJsonText(options.jwks, 'jwks');
  return {
    jwksJson: jwks,
    keys: options.keys?.map((k) => ({
      algorithm: k.algorithm,
      publicKey: k.publicKey,
      secret:
        k.secret === undefined
          ? undefined
          : Buffer.from(typeof k.secret === 'string' ? Buffer.from(k.secret, 'utf8') : k.secret),
      keyId: k.keyId,
    })),
    issuers: options.issuers,
    audiences: options.audiences,
    leewaySeconds: options.leewaySeconds,
    requiredClaims: options.requiredClaims,
    jwksUrl: options.jwksUrl,
    jwksRefreshSeconds: options.jwksRefreshSeconds,
    jwksMinRefetchSeconds: options.jwksMinRefetchSeconds,
    jwksTimeoutMs: options.jwksTimeoutMs,
  };
}
