//! # coresdk-engine
//!
//! The core of CoreSDK: Rego policy evaluation (on `regorus`), PII and secret masking,
//! and RFC 8785 canonical JSON hashing. Pure Rust: the Node (napi-rs) and Python (pyo3)
//! bindings are thin adapters over this crate and hold no rules of their own.
//!
//! ```
//! use coresdk_engine::{PolicyEngine, Masker, MaskOptions, canonical};
//!
//! let engine = PolicyEngine::new(Default::default());
//! engine.add_module("authz.rego", "package authz\nallow if input.user == \"admin\"").unwrap();
//! let decision = engine.evaluate("data.authz.allow", br#"{"user":"admin"}"#).unwrap();
//! assert_eq!(decision.result, Some(serde_json::json!(true)));
//!
//! let masker = Masker::new(MaskOptions::default()).unwrap();
//! assert_eq!(masker.mask_text("mail bob@example.com"), "mail [REDACTED:EMAIL]");
//!
//! assert_eq!(canonical::canonicalize_json(br#"{"b":1,"a":[1.0]}"#).unwrap(), r#"{"a":[1],"b":1}"#);
//! ```

// The layers, lowest first (docs/ARCHITECTURE.md): the leaf crates (error codes and JSON,
// canonical hashing, masking), then keys and tokens, then policy evaluation, then the
// sources that feed an engine (bundles, pollers, watches) and HTTP request authorization
// (`http`, over tokens and policy). Imports only point down.
// `secret_scan` (files and directories scanned with the masker's detectors) sits on the
// masking leaf beside them and imports nothing above it.
pub mod audit;
mod aws_signing;
mod builtins;
pub mod bundle;
mod cache;
mod clock;
mod credentials;
pub mod decision_log;
mod graphql;
pub mod http;
mod jwk;
mod jwks;
mod key_set;
mod keys;
mod last_known_good;
mod memory;
mod metrics;
mod policy;
mod poller;
mod replica;
mod secret_scan;
mod shadow;
mod sigv4;
mod status;
mod stop;
mod token;
mod watch;

pub use coresdk_base::{error, json};
pub use coresdk_canonical as canonical;
pub use coresdk_mask as mask;

pub use audit::{AuditLog, AuditOptions, Durability};
pub use aws_signing::{AwsCredentials, AwsSigning};
pub use cache::CacheOptions;
pub use decision_log::{
    labels_from_json, DecisionLogOptions, DecisionLogParts, DecisionLogger, EventHandler,
    TraceContext,
};
pub use error::{catch_panic, Error, ErrorCode, Result, SourceLocation};
pub use http::{HttpRequest, RequestAuthorization, RequestOptions};
pub use jwks::{JwksOptions, MAX_JWKS_BYTES};
pub use keys::{
    host_key, host_key_or_provider, provider_keys, KeyProvider, SoftwareKeyStore,
    DEFAULT_KEY_PROVIDER_TIMEOUT,
};
pub use last_known_good::{CachedBundle, LastKnownGood};
pub use mask::{Finding, MaskOptions, Masker, Strategy, StreamMasker};
pub use memory::{memory_budgets_enforced, CountingAllocator};
pub use metrics::{SourceStatus, LATENCY_BUCKETS_SECONDS};
pub use policy::{
    memory_limit, Decision, Evaluator, PolicyEngine, PolicyOptions, QueryDecision, RegoModule,
    RegoVersion, DEFAULT_MEMORY_LIMIT, MAX_POLICY_BYTES, MAX_POLICY_COLUMNS, MAX_POLICY_LINES,
};
pub use poller::{BundlePoller, PollerOptions, MAX_BUNDLE_DOWNLOAD_BYTES};
pub use secret_scan::{
    parse_baseline, read_baseline, scan_paths, scan_paths_json, ScanFinding, ScanFormat,
    ScanOptions, ScanReport, ScanRun, ScanSkipped, DEFAULT_MAX_SCAN_FILE_BYTES,
};
pub use shadow::{Shadow, ShadowOptions, KEPT_DISAGREEMENTS};
pub use status::{StatusOptions, StatusReporter};
pub use token::{KeySet, KeySources, KeySpec, TokenOptions, TokenVerifier, MAX_TOKEN_BYTES};
pub use watch::DirectoryWatch;

/// The version of this crate (and of every CoreSDK package: one version for all).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
