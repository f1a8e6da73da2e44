//! Loading policies and data: modules, files and directories, data documents and
//! bundles, each accepted as one change or refused whole.

use super::*;

impl PolicyEngine {
    /// Adds one Rego module under `name` (used in error locations), parsed as the
    /// engine's [`PolicyOptions::rego_version`].
    ///
    /// Errors: `POLICY_PARSE` with file, line and column; `LIMIT_EXCEEDED` past the policy
    /// size limits ([`MAX_POLICY_BYTES`], [`MAX_POLICY_LINES`], [`MAX_POLICY_COLUMNS`]).
    pub fn add_module(&self, name: &str, source: &str) -> Result<u64> {
        self.add_modules(&[(name.to_string(), source.to_string())])
    }

    /// Adds several modules as one change: all compile and are published as one new
    /// revision, or none is. Takes `(name, source)` pairs or [`RegoModule`]s (which may
    /// name their Rego version).
    pub fn add_modules<M: Into<RegoModule> + Clone>(&self, modules: &[M]) -> Result<u64> {
        let modules = self.rego_modules(modules);
        self.update(|candidate| candidate.add_modules(module_texts(&modules)))
    }

    /// Modules with their Rego version settled (a module's own, else the engine's).
    pub(super) fn rego_modules<M: Into<RegoModule> + Clone>(
        &self,
        modules: &[M],
    ) -> Vec<RegoModule> {
        modules
            .iter()
            .map(|m| {
                let mut module: RegoModule = m.clone().into();
                module.rego_version =
                    Some(module.rego_version.unwrap_or(self.options.rego_version));
                module
            })
            .collect()
    }

    /// Replaces every loaded module with `modules` (data is kept), as one change: the
    /// new set compiles and is published as one new revision, or the old set keeps
    /// serving.
    pub fn replace_modules<M: Into<RegoModule> + Clone>(&self, modules: &[M]) -> Result<u64> {
        let modules = self.rego_modules(modules);
        self.update(|candidate| {
            let mut fresh = Snapshot::empty(&self.options);
            fresh.add_modules(module_texts(&modules))?;
            fresh.add_data(candidate.engine.get_data())?;
            fresh.bundle_revision = candidate.bundle_revision.take();
            *candidate = fresh;
            Ok(())
        })
    }

    /// Replaces everything: the modules with `modules` and the data with `data` (JSON text
    /// of an object; `None` = empty), as one change published as one revision, or rejected
    /// whole while the old snapshot keeps serving.
    ///
    /// Errors: as [`Self::add_modules`] and [`Self::add_data_json`].
    pub fn reload<M: Into<RegoModule> + Clone>(
        &self,
        modules: &[M],
        data: Option<&[u8]>,
    ) -> Result<u64> {
        let data = data.map(data_document).transpose()?;
        let modules = self.rego_modules(modules);
        self.update(|candidate| {
            let mut fresh = Snapshot::empty(&self.options);
            fresh.add_modules(module_texts(&modules))?;
            if let Some(data) = data {
                fresh.add_data(data)?;
            }
            *candidate = fresh;
            Ok(())
        })
    }

    /// Activates an OPA bundle: its modules and data replace every module and all data
    /// loaded before, as one change, and decisions report its manifest revision.
    pub fn load_bundle(&self, bundle: &Bundle) -> Result<u64> {
        let data = regorus::Value::with_interned_keys(|| {
            <regorus::Value as serde::Deserialize>::deserialize(&bundle.data)
        })
        .map_err(|e| Error::new(ErrorCode::BundleInvalid, format!("bundle data: {e}")))?;
        self.update(|candidate| {
            let mut fresh = Snapshot::empty(&self.options);
            fresh.add_modules(bundle.modules.iter().map(|m| ModuleText {
                name: &m.path,
                source: &m.source,
                version: m.rego_version.unwrap_or(self.options.rego_version),
            }))?;
            fresh.add_data(data)?;
            // A bundle without a manifest, or whose manifest names no revision, has none:
            // `None` in every language (never an empty string).
            fresh.bundle_revision =
                Some(bundle.manifest.revision.clone()).filter(|revision| !revision.is_empty());
            *candidate = fresh;
            Ok(())
        })
    }

    /// Parses a `.tar.gz` bundle (verifying its signature when `verification` is set)
    /// and activates it. Errors: `BUNDLE_INVALID`, `INTEGRITY`, `LIMIT_EXCEEDED`, and
    /// the policy errors of its modules; on any error the serving snapshot is kept.
    pub fn load_bundle_bytes(
        &self,
        bytes: &[u8],
        verification: Option<&Verification>,
    ) -> Result<u64> {
        let outcome = Bundle::from_tar_gz(bytes, verification);
        self.metrics_on_bundle_error(&outcome);
        self.load_bundle(&outcome?)
    }

    /// Loads a bundle from a `.tar.gz` file or a bundle directory and activates it.
    /// Errors as [`Self::load_bundle_bytes`], plus `SOURCE_UNAVAILABLE` when the path
    /// cannot be read.
    pub fn load_bundle_path(
        &self,
        path: impl AsRef<Path>,
        verification: Option<&Verification>,
    ) -> Result<u64> {
        let path = path.as_ref();
        if path.is_dir() {
            let outcome = Bundle::from_dir(path, verification);
            self.metrics_on_bundle_error(&outcome);
            return self.load_bundle(&outcome?);
        }
        let bytes = std::fs::read(path).map_err(|e| {
            Error::new(
                ErrorCode::SourceUnavailable,
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        self.load_bundle_bytes(&bytes, verification)
    }

    /// A bundle that fails to parse or verify is a failed reload.
    pub(super) fn metrics_on_bundle_error(&self, outcome: &Result<Bundle>) {
        if outcome.is_err() {
            self.metrics.reload(false);
        }
    }

    /// Adds a `.rego` file, or every `.rego` file below a directory (recursively, in
    /// path order), as one change. Module names are the file paths.
    ///
    /// Errors: `SOURCE_UNAVAILABLE` when the path cannot be read, `INVALID_ARGUMENT` when
    /// a directory holds no `.rego` file, `POLICY_PARSE` as for [`Self::add_module`].
    pub fn add_path(&self, path: impl AsRef<Path>) -> Result<u64> {
        let path = path.as_ref();
        let mut files = Vec::new();
        collect_rego_files(path, &mut files)?;
        if files.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("no .rego files under {}", path.display()),
            ));
        }
        files.sort();
        let mut modules = Vec::with_capacity(files.len());
        for file in files {
            let bytes = std::fs::read(&file).map_err(|e| {
                Error::new(
                    ErrorCode::SourceUnavailable,
                    format!("cannot read {}: {e}", file.display()),
                )
            })?;
            let source = json::text(&bytes)?.to_string();
            modules.push((file.display().to_string(), source));
        }
        self.add_modules(&modules)
    }

    /// Merges a JSON data document (an object) into `data`.
    ///
    /// Errors: `INVALID_JSON` / `LIMIT_EXCEEDED` for bad text, `INVALID_ARGUMENT` when the
    /// document is not an object, `POLICY_CONFLICT` when it collides with data already
    /// loaded.
    pub fn add_data_json(&self, bytes: &[u8]) -> Result<u64> {
        let data = data_document(bytes)?;
        self.update(|candidate| candidate.add_data(data))
    }
}

/// A data document: JSON text of an object. Object keys are interned (one allocation per
/// distinct key, as regorus's own parser does), so records of one shape do not each
/// hold their own copies of the key names.
pub(super) fn data_document(bytes: &[u8]) -> Result<regorus::Value> {
    let data: regorus::Value = regorus::Value::with_interned_keys(|| json::parse_as(bytes))?;
    if data.as_object().is_err() {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            "data must be a JSON object",
        ));
    }
    Ok(data)
}

pub(super) fn module_texts(modules: &[RegoModule]) -> impl Iterator<Item = ModuleText<'_>> {
    modules.iter().map(|m| ModuleText {
        name: &m.name,
        source: &m.source,
        version: m.rego_version.unwrap_or_default(),
    })
}

pub(super) fn collect_rego_files(path: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Error::new(
            ErrorCode::SourceUnavailable,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let entries = std::fs::read_dir(path).map_err(|e| {
        Error::new(
            ErrorCode::SourceUnavailable,
            format!("cannot list {}: {e}", path.display()),
        )
    })?;
    for entry in entries.flatten() {
        let child = entry.path();
        if child.is_dir() {
            collect_rego_files(&child, out)?;
        } else if child.extension().is_some_and(|ext| ext == "rego") {
            out.push(child);
        }
    }
    Ok(())
}
