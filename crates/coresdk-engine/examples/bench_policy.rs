//! CoreSDK policy evaluation from Rust directly, for the side-by-side benchmarks
//! (`benchmarks/compare/policy.mjs` runs it): one workload written by that script
//! (`policy.rego`, `data.json`, `cases.json` in a folder), checked for the expected
//! decisions, then timed on one thread and on two. Prints one JSON object.
//!
//!     cargo run --release -p coresdk-engine --example bench_policy -- <workload dir> <seconds> <rounds> [compiled|interpreter]

use coresdk_engine::{Evaluator, PolicyEngine, PolicyOptions};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (dir, seconds, rounds, evaluator) = match args.as_slice() {
        [_, dir, seconds, rounds] => (dir, seconds, rounds, Evaluator::default()),
        [_, dir, seconds, rounds, e] if e == "compiled" => {
            (dir, seconds, rounds, Evaluator::Compiled)
        }
        [_, dir, seconds, rounds, e] if e == "interpreter" => {
            (dir, seconds, rounds, Evaluator::Interpreter)
        }
        _ => {
            eprintln!(
                "usage: bench_policy <workload dir> <seconds> <rounds> [compiled|interpreter]"
            );
            std::process::exit(2);
        }
    };
    let dir = Path::new(dir);
    let seconds: f64 = seconds.parse().expect("seconds");
    let rounds: usize = rounds.parse().expect("rounds");
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let cases: Value = serde_json::from_slice(&read("cases.json")).expect("cases.json");
    let path = format!(
        "data.{}",
        cases["entrypoint"]
            .as_str()
            .expect("entrypoint")
            .replace('/', ".")
    );
    let inputs: Vec<(Vec<u8>, Value)> = cases["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|c| (c["input"].to_string().into_bytes(), c["expect"].clone()))
        .collect();

    let engine = PolicyEngine::new(PolicyOptions {
        evaluator,
        ..PolicyOptions::default()
    });
    let policy = String::from_utf8(read("policy.rego")).expect("UTF-8 policy");
    engine
        .add_module("policy.rego", &policy)
        .expect("policy compiles");
    engine
        .add_data_json(&read("data.json"))
        .expect("data loads");
    for (input, expect) in &inputs {
        let got = engine.evaluate(&path, input).expect("evaluates").result;
        assert_eq!(
            got.as_ref(),
            Some(expect),
            "decision for {}",
            String::from_utf8_lossy(input)
        );
    }

    let run = |threads: usize| -> (f64, Vec<f64>) {
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let start = Instant::now();
        let per_thread: Vec<Vec<f64>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let (engine, inputs, path) = (&engine, &inputs, &path);
                    s.spawn(move || {
                        let mut latencies = Vec::new();
                        let mut n = t;
                        while Instant::now() < deadline {
                            let (input, expect) = &inputs[n % inputs.len()];
                            let t0 = Instant::now();
                            let decision = engine.evaluate(path, input).expect("evaluates");
                            latencies.push(t0.elapsed().as_secs_f64() * 1e6);
                            assert_eq!(
                                decision.result.as_ref(),
                                Some(expect),
                                "wrong decision during timing"
                            );
                            n += 1;
                        }
                        latencies
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        let latencies: Vec<f64> = per_thread.into_iter().flatten().collect();
        (
            latencies.len() as f64 / start.elapsed().as_secs_f64(),
            latencies,
        )
    };

    run(1); // warm-up
    let (mut one, mut two, mut all) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let (rate, latencies) = run(1);
        one.push(rate);
        all.extend(latencies);
        two.push(run(2).0);
    }
    all.sort_by(f64::total_cmp);
    let pct =
        |p: f64| all[((p / 100.0 * all.len() as f64).ceil() as usize).clamp(1, all.len()) - 1];
    println!(
        "{}",
        json!({"one": one, "two": two, "p50": pct(50.0), "p99": pct(99.0)})
    );
}
