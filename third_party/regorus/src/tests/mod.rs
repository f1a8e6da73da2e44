// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

mod check_policy;
mod deep_nesting;
mod interned_keys;
mod engine;
pub mod interpreter;
mod scheduler;
