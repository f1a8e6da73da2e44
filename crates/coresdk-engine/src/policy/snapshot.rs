//! Snapshots: one immutable, prepared set of policies and data with a revision, and the
//! way candidates for the next one are built.

use super::compiled::Programs;
use super::errors::{compile_error, policy_error};
use super::{PolicyOptions, RegoVersion};
use crate::error::{Error, ErrorCode, Result};
use crate::replica::{Copies, Copy};
use std::num::{NonZeroU32, NonZeroUsize};

/// Longest accepted line of a policy module, in columns.
pub const MAX_POLICY_COLUMNS: u32 = 65_536;
/// Largest accepted policy module, in bytes.
pub const MAX_POLICY_BYTES: usize = 4 * 1024 * 1024;
/// Most lines accepted in one policy module.
pub const MAX_POLICY_LINES: usize = 100_000;

/// One Rego module as loaded: its name (used in error locations), its text, and the Rego
/// version it is parsed as.
#[derive(Debug, Clone)]
pub(crate) struct ModuleText<'a> {
    pub name: &'a str,
    pub source: &'a str,
    pub version: RegoVersion,
}

/// One immutable, prepared set of policies and data. Also the candidate a change is
/// applied to before it is published.
#[derive(Clone)]
pub(crate) struct Snapshot {
    pub engine: regorus::Engine,
    pub revision: u64,
    /// The packages loaded, as `data.x.y`, to tell an unknown package from an undefined rule.
    pub packages: Vec<String>,
    /// Names of the modules parsed as Rego v0, so replicas parse them the same way.
    pub v0_modules: Vec<String>,
    /// The manifest revision of the bundle this snapshot came from, if it did.
    pub bundle_revision: Option<String>,
    /// The copies of `engine` the evaluating threads use (replica.rs says why).
    copies: Copies,
    /// The rule paths compiled for the register VM (compiled.rs).
    pub programs: Programs,
}

impl Snapshot {
    /// The empty snapshot of a new engine (revision 0).
    pub fn empty(options: &PolicyOptions) -> Self {
        let mut engine = base_engine(options);
        // An empty engine prepares without error; the result is irrelevant.
        let _ = engine.eval_bool_query("true".to_string(), false);
        Self {
            engine,
            revision: 0,
            packages: Vec::new(),
            v0_modules: Vec::new(),
            bundle_revision: None,
            copies: Copies::new(),
            programs: Programs::default(),
        }
    }

    /// Adds modules to this candidate, recording packages and v0 modules.
    pub fn add_modules<'a>(
        &mut self,
        modules: impl IntoIterator<Item = ModuleText<'a>>,
    ) -> Result<()> {
        for module in modules {
            let rego_v0 = module.version == RegoVersion::V0;
            self.engine.set_rego_v0(rego_v0);
            let added = self
                .engine
                .add_policy(module.name.to_string(), module.source.to_string());
            self.engine.set_rego_v0(false);
            let package = added.map_err(|e| policy_error(&e, module.name))?;
            if rego_v0 {
                self.v0_modules.push(module.name.to_string());
            }
            if !self.packages.contains(&package) {
                self.packages.push(package);
            }
        }
        Ok(())
    }

    /// Merges a data document into this candidate.
    pub fn add_data(&mut self, data: regorus::Value) -> Result<()> {
        self.engine
            .add_data(data)
            .map_err(|e| Error::new(ErrorCode::PolicyConflict, format!("data: {e}")))
    }

    /// True when the base data holds the top-level document `path` starts in
    /// (`data.roles` for `data.roles.alice.x`): a path under it is answered from the data
    /// (undefined where a key is missing, as OPA's data API answers).
    pub fn has_data_at(&self, path: &str) -> bool {
        let Some(root) = path.split('.').nth(1) else {
            return false;
        };
        match self.engine.get_data() {
            regorus::Value::Object(fields) => fields.contains_key(&regorus::Value::from(root)),
            _ => false,
        }
    }

    /// Prepares the candidate (scheduling, rule gathering happen on the first
    /// evaluation; doing it here makes compile errors reject the change and keeps clones
    /// on the hot path cheap).
    ///
    /// Then the checks OPA's compiler makes that regorus leaves to evaluation: undefined
    /// functions and recursion reject the change here, so a broken reload never replaces
    /// the revision serving.
    pub fn prepare(&mut self) -> Result<()> {
        self.engine
            .eval_bool_query("true".to_string(), false)
            .map(|_| ())
            .map_err(|e| compile_error(&e))?;
        self.engine.check_policy().map_err(|e| compile_error(&e))
    }

    /// Runs `f` on a copy of this snapshot's engine that no other evaluation is using
    /// (replica.rs); `engine_id` names the `PolicyEngine` it belongs to.
    pub fn with_copy<T>(
        &self,
        engine_id: u64,
        options: &PolicyOptions,
        f: impl FnOnce(&mut Copy) -> Result<T>,
    ) -> Result<T> {
        self.copies.run(
            (engine_id, self.revision),
            &self.engine,
            || self.replicate(options),
            f,
        )
    }

    /// A prepared engine equal to this snapshot's that shares no `Arc` with it: modules
    /// re-added from their text and the data deep-copied (replica.rs says why). Falls
    /// back to a plain clone should that ever fail, since the snapshot compiled already.
    pub fn replicate(&self, options: &PolicyOptions) -> regorus::Engine {
        let rebuild = || -> anyhow::Result<regorus::Engine> {
            let mut engine = base_engine(options);
            for source in self.engine.get_policies()? {
                engine.set_rego_v0(self.v0_modules.contains(source.file()));
                engine.add_policy(source.file().clone(), source.contents().clone())?;
            }
            engine.set_rego_v0(false);
            engine.add_data(super::deep_copy::deep_copy(&self.engine.get_data()))?;
            engine.eval_bool_query("true".to_string(), false)?;
            Ok(engine)
        };
        rebuild().unwrap_or_else(|_| self.engine.clone())
    }
}

/// A fresh regorus engine configured from `options`.
pub(crate) fn base_engine(options: &PolicyOptions) -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    engine.set_strict_builtin_errors(options.strict_builtin_errors);
    crate::builtins::register(&mut engine, options.strict_builtin_errors);
    // print() output is gathered (and handed to the host with the decision) instead of
    // written to the host's stderr.
    engine.set_gather_prints(true);
    engine.set_execution_timer_config(timer(options));
    // regorus refuses lines over 1,024 columns by default; generated policies (and 45 of
    // OPA's own conformance cases) have longer ones. Keep a bound, a generous one.
    engine.set_policy_length_config(regorus::utils::limits::PolicyLengthConfig {
        max_col: NonZeroU32::new(MAX_POLICY_COLUMNS).unwrap_or(NonZeroU32::MIN),
        max_file_bytes: NonZeroUsize::new(MAX_POLICY_BYTES).unwrap_or(NonZeroUsize::MIN),
        max_lines: NonZeroUsize::new(MAX_POLICY_LINES).unwrap_or(NonZeroUsize::MIN),
    });
    engine
}

/// The time limit of one evaluation, on the interpreter and on the VM.
pub(crate) fn timer(options: &PolicyOptions) -> regorus::utils::limits::ExecutionTimerConfig {
    // Check the clock every 64 units of work: frequent enough to stop a loop within a
    // few milliseconds of the limit, rare enough not to show in the hot path.
    let check_interval = NonZeroU32::new(64).unwrap_or(NonZeroU32::MIN);
    regorus::utils::limits::ExecutionTimerConfig {
        limit: options.timeout,
        check_interval,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A replica answers as the snapshot does on data of every JSON type, big and
    /// fractional numbers and Unicode included.
    #[test]
    fn a_replica_answers_as_the_snapshot() {
        let options = PolicyOptions::default();
        let mut snapshot = Snapshot::empty(&options);
        snapshot
            .add_modules([ModuleText {
                name: "p.rego",
                source: "package p\n\
                    import rego.v1\n\
                    users := {name | some name, u in data.users; u.active}\n\
                    total := sum([u.score | some u in data.users])\n\
                    big := data.limits.big + 1\n\
                    tags contains t if { some u in data.users; some t in u.tags }\n\
                    doc := [data.users, data.limits]\n",
                version: RegoVersion::V1,
            }])
            .unwrap();
        let data = super::super::load::data_document(
            r#"{"users": {"ann": {"active": true, "score": 1.5, "tags": ["a", "é"]},
                          "bob": {"active": false, "score": -2, "tags": [], "note": null},
                          "cyd": {"active": true, "score": 3, "tags": ["a", "😀"]}},
                "limits": {"big": 123456789012345678901234567890}}"#
                .as_bytes(),
        )
        .unwrap();
        snapshot.add_data(data).unwrap();
        snapshot.prepare().unwrap();
        let mut replica = snapshot.replicate(&options);
        let mut own = snapshot.engine.clone();
        for rule in ["users", "total", "big", "tags", "doc"] {
            let path = format!("data.p.{rule}");
            let expected = own.eval_rule(path.clone()).unwrap();
            assert_eq!(replica.eval_rule(path).unwrap(), expected, "{rule}");
        }
        assert_eq!(
            replica.eval_rule("data.p.total".into()).unwrap(),
            regorus::Value::from(2.5)
        );
    }
}
