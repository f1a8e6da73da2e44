//! OPA bundles: `.tar.gz` archives or directories holding `.rego` modules, `data.json` /
//! `data.yaml` documents placed at their directory path, a `.manifest`, and optionally
//! `.signatures.json`.
//!
//! STUB: the types below are the contract; parsing is being implemented.

use crate::error::{Error, ErrorCode, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// The `.manifest` of a bundle.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Manifest {
    /// `revision` (empty when absent).
    pub revision: String,
    /// `roots`: the data paths this bundle owns, slash-separated (`""` = everything).
    pub roots: Vec<String>,
    /// `rego_version` (0 or 1); `None` when absent (v1).
    pub rego_version: Option<u8>,
    /// `file_rego_versions`: per-file overrides of `rego_version`.
    pub file_rego_versions: BTreeMap<String, u8>,
    /// `metadata`, as given.
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

/// One Rego module of a bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// Path inside the bundle, e.g. `authz/policy.rego` (no leading slash).
    pub path: String,
    /// The module's text.
    pub source: String,
    /// True when the module is Rego v0 syntax (per the manifest).
    pub rego_v0: bool,
}

/// A key that bundle signatures are verified with.
#[derive(Debug, Clone)]
pub enum VerificationKey {
    /// HS256/HS384/HS512 shared secret.
    Hmac(Vec<u8>),
    /// A PEM public key (RSA, EC or Ed25519) for RS*/PS*/ES*/EdDSA.
    PublicPem(String),
}

/// How signatures are checked: when set, a bundle without a valid `.signatures.json`
/// is rejected with `INTEGRITY`.
#[derive(Debug, Clone)]
pub struct Verification {
    /// The key.
    pub key: VerificationKey,
    /// The JWT `alg` expected, e.g. `"RS256"` or `"HS256"`.
    pub algorithm: String,
    /// Expected `keyid` claim, if any.
    pub key_id: Option<String>,
    /// Expected `scope` claim, if any.
    pub scope: Option<String>,
}

/// A parsed, validated bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// The manifest (defaults when the bundle has none).
    pub manifest: Manifest,
    /// Modules, in path order.
    pub modules: Vec<Module>,
    /// The data document (always a JSON object), every data file merged at its path.
    pub data: serde_json::Value,
}

impl Bundle {
    /// Parses a gzipped tarball.
    pub fn from_tar_gz(_bytes: &[u8], _verification: Option<&Verification>) -> Result<Bundle> {
        Err(Error::new(ErrorCode::BundleInvalid, "not implemented"))
    }

    /// Reads a bundle laid out as a directory tree.
    pub fn from_dir(_path: &Path, _verification: Option<&Verification>) -> Result<Bundle> {
        Err(Error::new(ErrorCode::BundleInvalid, "not implemented"))
    }
}
