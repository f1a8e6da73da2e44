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

pub mod audit;
mod builtins;
pub mod bundle;
pub mod cache;
pub mod canonical;
pub mod error;
mod graphql;
pub mod json;
mod jwk;
pub mod jwks;
pub mod keys;
pub mod lkg;
pub mod mask;
mod memory;
pub mod metrics;
pub mod policy;
pub mod poller;
mod replica;
pub mod token;
pub mod watch;

pub use audit::{AuditLog, AuditOptions, Durability};
pub use cache::CacheOptions;
pub use error::{catch_panic, Error, ErrorCode, Result, SourceLocation};
pub use jwks::JwksOptions;
pub use keys::{KeyProvider, SoftwareKeyStore};
pub use lkg::LastKnownGood;
pub use mask::{Finding, MaskOptions, Masker, Strategy};
pub use memory::{memory_budgets_enforced, CountingAllocator};
pub use policy::{Decision, PolicyEngine, PolicyOptions, QueryDecision, RegoModule, RegoVersion};
pub use poller::{BundlePoller, PollerOptions};
pub use token::{KeySet, TokenOptions, TokenVerifier};
pub use watch::DirectoryWatch;

/// The version of this crate (and of every CoreSDK package: one version for all).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
