//! OPA bundles: `.tar.gz` archives or directories holding `.rego` modules, `data.json` /
//! `data.yaml` documents placed at their directory path, a `.manifest`, and optionally
//! `.signatures.json` (OPA's formats; docs/POLICY-SOURCES.md).
//!
//! Reading a bundle checks everything that does not need the policy engine: archive
//! limits and paths (`archive.rs`), the manifest and its roots (`manifest.rs`), the
//! signature and file digests when a key is configured (`signature.rs`, `digest.rs`).
//! Compiling the modules is the engine's job ([`crate::PolicyEngine::load_bundle`]).

mod archive;
mod digest;
mod manifest;
mod signature;

pub use archive::{MAX_FILES, MAX_UNPACKED_BYTES};

use crate::error::{Error, ErrorCode, Result};
use archive::{File, Limits};
use serde_json::{Map, Value};
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
    /// The Rego version the manifest gives this file (`file_rego_versions`, else
    /// `rego_version`); `None` when the manifest says nothing, and the engine's
    /// [`PolicyOptions::rego_version`](crate::PolicyOptions::rego_version) decides.
    pub rego_version: Option<crate::RegoVersion>,
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

impl Verification {
    /// Verification settings from the parts a host passes: the JWT `algorithm`, and
    /// either a PEM `public_key` (RS*, PS*, ES*, EdDSA) or an HMAC `secret` (HS*).
    ///
    /// Errors: `INVALID_ARGUMENT` for an unknown algorithm, a missing or surplus key, or
    /// a key of the wrong kind for the algorithm.
    pub fn from_parts(
        algorithm: &str,
        public_key: Option<&str>,
        secret: Option<&[u8]>,
        key_id: Option<String>,
        scope: Option<String>,
    ) -> Result<Self> {
        let invalid = |m: String| Error::new(ErrorCode::InvalidArgument, m);
        let hmac = matches!(algorithm, "HS256" | "HS384" | "HS512");
        if signature::algorithm(algorithm).is_none() {
            return Err(invalid(format!(
                "unsupported signing algorithm {algorithm:?}"
            )));
        }
        let key = match (public_key, secret) {
            (None, Some(secret)) if hmac => VerificationKey::Hmac(secret.to_vec()),
            (Some(pem), None) if !hmac => VerificationKey::PublicPem(pem.to_string()),
            _ if hmac => {
                return Err(invalid(format!(
                    "{algorithm} needs a secret and no public key"
                )))
            }
            _ => {
                return Err(invalid(format!(
                    "{algorithm} needs a PEM public key and no secret"
                )))
            }
        };
        Ok(Self {
            key,
            algorithm: algorithm.to_string(),
            key_id,
            scope,
        })
    }
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
    ///
    /// Errors: `BUNDLE_INVALID` (not a tarball, links or paths outside the archive, a bad
    /// manifest, malformed data, overlapping roots, content outside the roots),
    /// `LIMIT_EXCEEDED` ([`MAX_FILES`], [`MAX_UNPACKED_BYTES`], nesting), `INTEGRITY`
    /// when `verification` is set and the signature or a digest does not verify.
    pub fn from_tar_gz(bytes: &[u8], verification: Option<&Verification>) -> Result<Bundle> {
        Self::from_tar_gz_within(bytes, verification, Limits::default())
    }

    pub(crate) fn from_tar_gz_within(
        bytes: &[u8],
        verification: Option<&Verification>,
        limits: Limits,
    ) -> Result<Bundle> {
        Self::from_files(archive::read_tar_gz(bytes, limits)?, verification)
    }

    /// Reads a bundle laid out as a directory tree. Errors as [`Self::from_tar_gz`],
    /// plus `SOURCE_UNAVAILABLE` when the directory cannot be read.
    pub fn from_dir(path: &Path, verification: Option<&Verification>) -> Result<Bundle> {
        Self::from_files(archive::read_dir(path, Limits::default())?, verification)
    }

    /// The manifest revision (empty when the bundle has none).
    pub fn revision(&self) -> &str {
        &self.manifest.revision
    }

    fn from_files(files: Vec<File>, verification: Option<&Verification>) -> Result<Bundle> {
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = files.iter().find(|f| !seen.insert(f.path.as_str())) {
            return Err(Error::new(
                ErrorCode::BundleInvalid,
                format!("{} appears twice in the bundle", dup.path),
            ));
        }
        if let Some(verification) = verification {
            signature::verify(&files, verification)?;
        }
        let manifest = match files.iter().find(|f| f.path == ".manifest") {
            Some(file) => manifest::parse(&file.bytes)?,
            None => Manifest {
                roots: vec![String::new()],
                ..Manifest::default()
            },
        };
        let mut modules = Vec::new();
        let mut data = Value::Object(Map::new());
        for file in &files {
            let base = file.path.rsplit('/').next().unwrap_or(&file.path);
            let dir: Vec<&str> = match file.path.rfind('/') {
                Some(i) => file.path[..i].split('/').collect(),
                None => Vec::new(),
            };
            if base.ends_with(".rego") {
                modules.push(module(file, &manifest)?);
            } else if matches!(base, "data.json" | "data.yaml" | "data.yml") {
                let value = data_value(file)?;
                check_data_roots(&dir, &value, &manifest.roots, &file.path)?;
                place(&mut data, &dir, value, &file.path)?;
            }
        }
        modules.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Bundle {
            manifest,
            modules,
            data,
        })
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::BundleInvalid, message)
}

fn module(file: &File, manifest: &Manifest) -> Result<Module> {
    let source = std::str::from_utf8(&file.bytes)
        .map_err(|_| invalid(format!("{} is not UTF-8 text", file.path)))?
        .to_string();
    let package = manifest::package_path(&source, &file.path)?;
    let package: Vec<&str> = package.iter().map(String::as_str).collect();
    manifest::check_under_roots(&package, &manifest.roots, &file.path)?;
    let version = manifest
        .file_rego_versions
        .get(&file.path)
        .copied()
        .or(manifest.rego_version);
    Ok(Module {
        path: file.path.clone(),
        source,
        rego_version: version.map(|v| {
            if v == 0 {
                crate::RegoVersion::V0
            } else {
                crate::RegoVersion::V1
            }
        }),
    })
}

fn data_value(file: &File) -> Result<Value> {
    let reword = |e: Error| match e.code() {
        ErrorCode::LimitExceeded => e,
        _ => invalid(format!("{}: {}", file.path, e.message())),
    };
    if file.path.ends_with(".json") {
        return crate::json::parse(&file.bytes).map_err(reword);
    }
    let text = crate::json::text(&file.bytes).map_err(reword)?;
    let value =
        regorus::Value::from_yaml_str(text).map_err(|e| invalid(format!("{}: {e}", file.path)))?;
    let json = serde_json::to_vec(&value).map_err(|e| invalid(format!("{}: {e}", file.path)))?;
    crate::json::parse(&json).map_err(reword)
}

/// A data file at `dir` owns `dir`; a root-level data file owns each of its top-level keys.
fn check_data_roots(dir: &[&str], value: &Value, roots: &[String], name: &str) -> Result<()> {
    if !dir.is_empty() {
        return manifest::check_under_roots(dir, roots, name);
    }
    let Value::Object(members) = value else {
        return Err(invalid(format!(
            "{name}: data at the bundle root must be an object"
        )));
    };
    for key in members.keys() {
        manifest::check_under_roots(&[key.as_str()], roots, name)?;
    }
    Ok(())
}

/// Merges `value` into `data` at `dir`. Objects merge key by key; any other collision is
/// a conflict between two data files.
fn place(data: &mut Value, dir: &[&str], value: Value, name: &str) -> Result<()> {
    let mut at = data;
    for segment in dir {
        let Value::Object(members) = at else {
            return Err(invalid(format!(
                "{name} conflicts with other data in the bundle"
            )));
        };
        at = members
            .entry(segment.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    merge(at, value, name)
}

fn merge(into: &mut Value, value: Value, name: &str) -> Result<()> {
    // An empty object may be the placeholder `place` made on the way to this path.
    let placeholder = into.as_object().is_some_and(Map::is_empty);
    match (into, value) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, v) in b {
                match a.get_mut(&key) {
                    Some(existing) => merge(existing, v, name)?,
                    None => {
                        a.insert(key, v);
                    }
                }
            }
            Ok(())
        }
        (slot, v) if placeholder => {
            *slot = v;
            Ok(())
        }
        _ => Err(invalid(format!(
            "{name} conflicts with other data in the bundle"
        ))),
    }
}
