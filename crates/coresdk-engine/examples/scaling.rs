//! Thread scaling of one shared engine against one engine per thread, on the ABAC scan
//! (5,000 users): `cargo run --release -p coresdk-engine --example scaling` prints
//! decisions per second for one caller, two callers sharing an engine, and two engines.

use coresdk_engine::PolicyEngine;
use std::sync::Arc;
use std::time::{Duration, Instant};
const POLICY: &str = "package abac\n\ndefault allow := false\n\nallow if {\n\tsome user in data.users\n\tuser.name == input.user\n\tuser.department == input.department\n\tuser.clearance >= input.level\n}\n";
fn build() -> PolicyEngine {
    let e = PolicyEngine::default();
    e.add_module("w.rego", POLICY).unwrap();
    let users: Vec<_> = (0..5000).map(|i| serde_json::json!({"name": format!("user{i}"), "department": format!("d{}", i % 7), "clearance": i % 5})).collect();
    e.add_data_json(serde_json::json!({"users": users}).to_string().as_bytes())
        .unwrap();
    e
}
fn run(engines: Vec<Arc<PolicyEngine>>) -> f64 {
    let dl = Instant::now() + Duration::from_secs(2);
    let hs: Vec<_> = engines
        .into_iter()
        .map(|e| {
            std::thread::spawn(move || {
                let mut n = 0u64;
                while Instant::now() < dl {
                    e.evaluate(
                        "data.abac.allow",
                        br#"{"user":"user4998","department":"d0","level":2}"#,
                    )
                    .unwrap();
                    n += 1;
                }
                n
            })
        })
        .collect();
    hs.into_iter().map(|h| h.join().unwrap()).sum::<u64>() as f64 / 2.0
}
fn main() {
    let shared = Arc::new(build());
    let own2 = vec![Arc::new(build()), Arc::new(build())];
    for _ in 0..2 {
        let one = run(vec![shared.clone()]);
        let two_shared = run(vec![shared.clone(), shared.clone()]);
        let two_own = run(own2.clone());
        println!("1: {one:.0}/s  2 shared: {two_shared:.0}/s ({:.2}x)  2 own engines: {two_own:.0}/s ({:.2}x)", two_shared / one, two_own / one);
    }
}
