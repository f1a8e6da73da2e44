//! `coresdk._native`: the pyo3 binding of `coresdk-engine`, wired into one extension
//! module. The public, typed API is the pure-Python package `coresdk`; this module only
//! converts values, maps errors (`error.rs`) and releases the GIL while the core works.

mod audit;
mod bundle;
mod canonical;
mod conversion;
mod decision_log;
mod error;
mod http;
mod keys;
mod mask;
mod policy;
mod results;
mod secret_scan;
mod shadow;
mod status;
mod token;
mod value;

use pyo3::prelude::*;

/// Counts what each thread allocates, so evaluations are held to their memory budget
/// (`PolicyOptions::memory_limit`).
#[global_allocator]
static ALLOCATOR: coresdk_engine::CountingAllocator = coresdk_engine::CountingAllocator;

/// Panics inside the core on purpose, to prove a panic surfaces as
/// `CoreSdkError(code="INTERNAL")` and never as pyo3's `PanicException`.
#[pyfunction]
fn _panic_probe(py: Python<'_>) -> PyResult<()> {
    error::detached(py, coresdk_engine::error::panic_probe)
}

/// Native core of CoreSDK (private: use the `coresdk` package).
#[pymodule]
mod _native {
    use pyo3::prelude::*;
    use pyo3::types::PyTuple;

    #[pymodule_export]
    use super::_panic_probe;
    #[pymodule_export]
    use super::audit::{verify_audit_log, AuditLog};
    #[pymodule_export]
    use super::bundle::{BundlePoller, DirectoryWatch};
    #[pymodule_export]
    use super::canonical::{canonicalize_json, hash_json};
    #[pymodule_export]
    use super::decision_log::DecisionLogger;
    #[pymodule_export]
    use super::http::RequestAuthorization;
    #[pymodule_export]
    use super::mask::{unmask_json, unmask_text, Masker, StreamMasker};
    #[pymodule_export]
    use super::policy::PolicyEngine;
    #[pymodule_export]
    use super::results::{Decision, Finding, QueryResult};
    #[pymodule_export]
    use super::secret_scan::{scan_paths, ScanResult};
    #[pymodule_export]
    use super::shadow::Shadow;
    #[pymodule_export]
    use super::status::StatusReporter;
    #[pymodule_export]
    use super::token::TokenVerifier;
    #[pymodule_export]
    use super::value::to_json;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        // One version for everything: the core's, which is the Cargo workspace version.
        m.add("__version__", coresdk_engine::VERSION)?;
        // Every stable error code the core can raise, so the Python layer can check that
        // its exception families cover them all.
        let codes = coresdk_engine::ErrorCode::ALL.map(|code| code.as_str());
        m.add("ERROR_CODES", PyTuple::new(m.py(), codes)?)?;
        Ok(())
    }
}
