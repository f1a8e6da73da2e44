//! How closely the evaluation time limit holds for work that runs inside builtins and
//! comprehensions: each policy below runs far past the limit unless it is stopped.
//!
//! `cargo run --release -p coresdk-engine --example eval_deadline [limit_ms] [runs]`
//! prints, per policy, the error code and the slowest of `runs` evaluations, against the
//! target `limit * 1.1 + 10 ms`.

use coresdk_engine::{PolicyEngine, PolicyOptions};
use std::time::{Duration, Instant};

/// Rule bodies that each take seconds (or run out of memory) when not stopped.
const CASES: &[(&str, &str)] = &[
    ("count(numbers.range)", "n := count(numbers.range(1, 1e8))"),
    ("numbers.range result", "n := numbers.range(1, 1e8)"),
    (
        "numbers.range_step",
        "n := count(numbers.range_step(1, 1e8, 1))",
    ),
    (
        "array comprehension",
        "n := count([x | some x in numbers.range(1, 1e7)])",
    ),
    (
        "set comprehension",
        "n := count({x | some x in numbers.range(1, 1e7); x % 2 == 0})",
    ),
    (
        "object comprehension",
        "n := count({x: y | some x in numbers.range(1, 1e7); y := x})",
    ),
    (
        "concat",
        "n := count(concat(\",\", [sprintf(\"%d\", [x]) | some x in numbers.range(1, 1e7)]))",
    ),
    (
        "array.concat",
        "n := count(array.concat(numbers.range(1, 5e6), numbers.range(1, 5e6)))",
    ),
    ("sprintf width", "n := count(sprintf(\"%0999999999d\", [1]))"),
    (
        "json.marshal",
        "n := count(json.marshal(numbers.range(1, 2e7)))",
    ),
    ("walk", "n := count([p | walk(numbers.range(1, 1e7), [p, _])])"),
    (
        "regex.find_n",
        "n := count(regex.find_n(\"a\", concat(\"\", [\"a\" | some _ in numbers.range(1, 1e7)]), -1))",
    ),
    (
        "strings.replace_n",
        "n := count(strings.replace_n({\"a\": \"bb\"}, concat(\"\", [\"a\" | some _ in numbers.range(1, 1e7)])))",
    ),
];

fn main() {
    let mut args = std::env::args().skip(1);
    let limit_ms: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let limit = Duration::from_millis(limit_ms);
    let target = limit.mul_f64(1.1) + Duration::from_millis(10);
    println!("limit {limit:?}, target < {target:?}, slowest of {runs} runs");
    for (name, body) in CASES {
        let engine = PolicyEngine::new(PolicyOptions {
            timeout: limit,
            ..PolicyOptions::default()
        });
        let policy = format!("package slow\n\n{body}\n");
        if let Err(e) = engine.add_module("slow.rego", &policy) {
            println!("{name:24} does not compile: {e}");
            continue;
        }
        let mut slowest = Duration::ZERO;
        let mut outcome = String::new();
        for _ in 0..runs {
            let started = Instant::now();
            let result = engine.evaluate("data.slow.n", b"{}");
            slowest = slowest.max(started.elapsed());
            outcome = match result {
                Ok(d) => format!("ok {:.40}", format!("{:?}", d.result)),
                Err(e) => e.code().as_str().to_string(),
            };
        }
        let verdict = if slowest <= target { "ok" } else { "OVER" };
        println!("{name:24} {outcome:16} {slowest:>12.1?}  {verdict}");
    }
}
