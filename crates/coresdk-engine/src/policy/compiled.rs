//! Compiled evaluation: rule paths on regorus's register VM (the RVM) instead of its
//! tree-walking interpreter.
//!
//! A snapshot compiles a rule path the first time it is evaluated ([`Programs`]); the
//! program is shared read-only by every copy of the snapshot, and each copy keeps one VM per
//! path loaded with the copy's own data (replica.rs). Whether a path runs compiled is
//! decided once, when it is compiled, never per decision: what the RVM compiler refuses
//! (`with`, CoreSDK's own builtins such as `io.jwt.*`, which regorus registers as
//! extensions the RVM does not call, paths that are not rules) and what vm_support.rs
//! finds the VM answering differently from OPA run on the interpreter.

use super::errors::eval_error;
use super::vm_support;
use super::PolicyOptions;
use crate::error::{Error, ErrorCode, Result};
use crate::replica::Copy;
use regorus::rvm::program::Program;
use regorus::rvm::RegoVM;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Most rule paths one snapshot records (compiled or found not to compile).
const MAX_PATHS: usize = 1024;

/// Which evaluator answers rule paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Evaluator {
    /// The RVM for every rule path it compiles, the interpreter for the others.
    #[default]
    Compiled,
    /// The interpreter for everything.
    Interpreter,
}

impl Evaluator {
    /// The evaluator a binding's option names: `"compiled"` or `"interpreter"`.
    ///
    /// Errors: `INVALID_ARGUMENT` for any other name.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "compiled" => Ok(Self::Compiled),
            "interpreter" => Ok(Self::Interpreter),
            _ => Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("evaluator must be \"compiled\" or \"interpreter\", not {name:?}"),
            )),
        }
    }

    /// The name [`Self::from_name`] reads.
    pub fn name(self) -> &'static str {
        match self {
            Self::Compiled => "compiled",
            Self::Interpreter => "interpreter",
        }
    }
}

/// The programs compiled for one snapshot, by rule path; `None` for a path that runs on
/// the interpreter. A clone (the next revision's candidate) starts with none.
#[derive(Default)]
pub(crate) struct Programs {
    by_path: RwLock<HashMap<String, Option<Arc<Program>>>>,
}

impl Clone for Programs {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl Programs {
    fn len(&self) -> usize {
        self.by_path
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }

    /// The rule paths asked of this snapshot so far (compiled or not).
    pub fn paths(&self) -> Vec<String> {
        self.by_path
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .keys()
            .cloned()
            .collect()
    }

    /// The program for `path`, compiled from `engine` (the snapshot's) the first time;
    /// `None` when the path runs on the interpreter.
    pub fn get(
        &self,
        path: &str,
        engine: &regorus::Engine,
        options: &PolicyOptions,
    ) -> Option<Arc<Program>> {
        let known = self
            .by_path
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(path)
            .cloned();
        if let Some(program) = known {
            return program;
        }
        if self.len() >= MAX_PATHS {
            // Paths are the caller's to choose (any document under a package is one):
            // past the bound, new ones run on the interpreter, uncompiled and unrecorded.
            return None;
        }
        // Two threads may compile the same path at once; both get equal programs.
        let program = compile(engine, path, options);
        self.by_path
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(path.to_string(), program.clone());
        program
    }
}

/// Compiles `path` on a clone of `engine` (compiling changes the engine's prepared
/// state, which the copies evaluating on the interpreter share); `None` when the path runs
/// on the interpreter.
fn compile(engine: &regorus::Engine, path: &str, options: &PolicyOptions) -> Option<Arc<Program>> {
    if options.strict_builtin_errors {
        return None;
    }
    let mut scratch = engine.clone();
    // Many definitions: the interpreter's rule index wins (vm_support.rs). Counted on the
    // syntax trees first: compiling copies the policy's prepared state, which for thousands
    // of rules costs more than a first decision should.
    if vm_support::definitions_at(scratch.get_modules(), path) > vm_support::MAX_DEFINITIONS {
        return None;
    }
    let policy = scratch.compile_with_entrypoint(&path.into()).ok()?;
    // A package or a document under one: the interpreter assembles it as OPA does.
    let definitions = policy.get_rules().get(path).map(Vec::len)?;
    if definitions > vm_support::MAX_DEFINITIONS {
        return None;
    }
    let program =
        regorus::languages::rego::compiler::Compiler::compile_from_policy(&policy, &[path]).ok()?;
    let supported =
        vm_support::program_supported(&program) && vm_support::policy_supported(&policy, &program);
    supported.then_some(program)
}

/// The VM answering `path` on `copy`, made the first time from the program `programs`
/// compiles from `engine` (the snapshot's); `None` when the path runs on the interpreter.
/// After the first time the copy answers alone: nothing shared is touched.
///
/// Errors: `EVAL_ERROR` when the data and the rules conflict (the VM's own check).
pub(crate) fn vm<'c>(
    copy: &'c mut Copy,
    path: &str,
    programs: &Programs,
    engine: &regorus::Engine,
    options: &PolicyOptions,
) -> Result<Option<&'c mut RegoVM>> {
    let at = match copy.vms.iter().position(|(p, _)| p == path) {
        Some(at) => at,
        None => {
            let vm = match programs.get(path, engine, options) {
                Some(program) => Some(new_vm(&program, &copy.engine, options)?),
                None => None,
            };
            if copy.vms.len() >= MAX_PATHS {
                return Ok(None);
            }
            copy.vms.push((path.to_string(), vm));
            copy.vms.len() - 1
        }
    };
    Ok(copy.vms[at].1.as_mut())
}

/// Evaluates `vm`'s program against `input`.
///
/// Errors: `EVAL_ERROR`, `EVAL_TIMEOUT`, `LIMIT_EXCEEDED`, as the interpreter reports them.
pub(crate) fn evaluate(vm: &mut RegoVM, input: regorus::Value) -> Result<regorus::Value> {
    vm.set_input(input);
    let result = vm.execute().map_err(|e| eval_error(&e.into()));
    // The input is not kept alive until the next decision.
    vm.set_input(regorus::Value::Undefined);
    result
}

/// A VM running `program` on `engine`'s data with the engine's limits.
fn new_vm(
    program: &Arc<Program>,
    engine: &regorus::Engine,
    options: &PolicyOptions,
) -> Result<RegoVM> {
    let mut vm = RegoVM::new();
    vm.load_program(program.clone());
    vm.set_data(engine.get_data())
        .map_err(|e| eval_error(&e.into()))?;
    vm.set_strict_builtin_errors(options.strict_builtin_errors);
    // The time limit bounds an evaluation, as on the interpreter; no instruction count.
    vm.set_max_instructions(usize::MAX);
    vm.set_execution_timer_config(Some(super::snapshot::timer(options)));
    Ok(vm)
}

#[cfg(test)]
mod tests {
    use super::super::PolicyEngine;

    /// A reload compiles the paths asked of the revision it replaces before publishing.
    #[test]
    fn a_reload_compiles_the_paths_asked_before() {
        let engine = PolicyEngine::default();
        engine
            .add_module("p.rego", "package p\nx := input.a\ny := 2\n")
            .unwrap();
        engine.evaluate("data.p.x", br#"{"a": 1}"#).unwrap();
        engine.add_data_json(br#"{"k": 1}"#).unwrap();
        let snapshot = engine.snapshot.load_full();
        assert_eq!(snapshot.programs.paths(), vec!["data.p.x".to_string()]);
        let compiled = snapshot
            .programs
            .get("data.p.x", &snapshot.engine, &engine.options);
        assert!(compiled.is_some());
    }
}
