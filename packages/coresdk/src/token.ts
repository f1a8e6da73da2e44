import native, { type TokenVerifier as NativeTokenVerifier } from './native.js';
import { native as call } from './error.js';
import { toJsonText } from './json.js';

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
}

/**
 * Verifies JWTs: signature (RS/PS/ES/EdDSA/HS), `exp`/`nbf` with leeway, issuer, audience
 * and required claims. Failures throw `CoreSdkError` `TOKEN_EXPIRED` or `TOKEN_INVALID`
 * with a reason that never contains the token.
 */
export class TokenVerifier {
  /** @internal */
  readonly native: NativeTokenVerifier;

  constructor(options: TokenVerifierOptions) {
    const jwks = options.jwks === undefined ? undefined : typeof options.jwks === 'string' ? options.jwks : toJsonText(options.jwks, 'jwks');
    this.native = call(
      () =>
        new native.TokenVerifier({
          jwksJson: jwks,
          keys: options.keys?.map((k) => ({
            algorithm: k.algorithm,
            publicKey: k.publicKey,
            secret: k.secret === undefined ? undefined : Buffer.from(typeof k.secret === 'string' ? Buffer.from(k.secret, 'utf8') : k.secret),
            keyId: k.keyId,
          })),
          issuers: options.issuers,
          audiences: options.audiences,
          leewaySeconds: options.leewaySeconds,
          requiredClaims: options.requiredClaims,
        }),
    );
  }

  /**
   * The verified claims of `token`.
   * @throws CoreSdkError `TOKEN_EXPIRED`, `TOKEN_INVALID`
   */
  authenticate(token: string): Record<string, unknown> {
    return JSON.parse(call(() => this.native.authenticateJson(token))) as Record<string, unknown>;
  }
}
