//! Masking throughput from Rust, no binding, on the inputs of the side-by-side masking
//! benchmark (`benchmarks/compare/mask_inputs.py`); `benchmarks/compare/mask.mjs` runs it
//! for the Rust row of its log-line table, and it is the harness to profile under `perf`:
//!
//!     cargo run --release -p coresdk-mask --example mask_lines -- <mask-inputs.json> [seconds] [lines|joined|payloads] [--json]
//!
//! `lines` masks each log line with `mask_text`, `joined` all of them as one text,
//! `payloads` each JSON payload with `mask_json`; built-in catalog, redaction. Measures the
//! process's first pass over half the items (cold: the lazy DFAs are empty), the first pass
//! over the other half (text not seen before), then five warm rounds over all.

use coresdk_mask::{MaskOptions, Masker};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const ROUNDS: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!(
            "usage: mask_lines <mask-inputs.json> [seconds] [lines|joined|payloads] [--json]"
        );
        std::process::exit(2);
    };
    let seconds: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2.0);
    let workload = args.get(3).map_or("lines", String::as_str);
    let as_json = args.iter().any(|a| a == "--json");
    let inputs: Value = serde_json::from_slice(&std::fs::read(path).expect("read inputs"))
        .expect("inputs are JSON");
    let items = items(&inputs, workload);
    let masker = Masker::new(MaskOptions::default()).expect("default masker");
    let mask = |item: &str| -> usize {
        if workload == "payloads" {
            masker.mask_json(item.as_bytes()).expect("mask_json").len()
        } else {
            masker.mask_text(item).len()
        }
    };
    let mbps = |part: &[String], secs: f64| {
        part.iter().map(String::len).sum::<usize>() as f64 / secs / 1e6
    };
    let pass = |part: &[String]| {
        let start = Instant::now();
        for item in part {
            std::hint::black_box(mask(item));
        }
        start.elapsed().as_secs_f64()
    };
    let (head, tail) = items.split_at(items.len() / 2);
    let cold = mbps(head, pass(head));
    let unseen = mbps(tail, pass(tail));
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let (start, mut passes) = (Instant::now(), 0u32);
        while start.elapsed() < Duration::from_secs_f64(seconds / ROUNDS as f64) || passes == 0 {
            pass(&items);
            passes += 1;
        }
        rounds.push(start.elapsed().as_secs_f64() / f64::from(passes));
    }
    let mut sorted = rounds.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[ROUNDS / 2];
    let bytes: usize = items.iter().map(String::len).sum();
    let ns_per_item = median * 1e9 / items.len() as f64;
    if as_json {
        let rounds_mbps: Vec<f64> = rounds.iter().map(|&s| mbps(&items, s)).collect();
        let report = json!({
            "workload": workload, "items": items.len(), "bytes": bytes,
            "cold_mbps": cold, "unseen_mbps": unseen, "rounds_mbps": rounds_mbps,
            "ns_per_item": ns_per_item,
        });
        println!("{report}");
    } else {
        println!(
            "{workload}: {} items, {bytes} bytes; cold first pass {cold:.1} MB/s; first pass over unseen text {unseen:.1} MB/s; warm {:.1} MB/s, {ns_per_item:.0} ns per item",
            items.len(),
            mbps(&items, median),
        );
    }
}

/// The texts of `workload` in the benchmark inputs.
fn items(inputs: &Value, workload: &str) -> Vec<String> {
    let field = |list: &Value, key: &str| -> Vec<String> {
        list.as_array()
            .expect("a list of items")
            .iter()
            .map(|x| match &x[key] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    };
    match workload {
        "payloads" => field(&inputs["payloads"]["items"], "value"),
        "joined" => vec![field(&inputs["lines"], "text").join("\n")],
        _ => field(&inputs["lines"], "text"),
    }
}
