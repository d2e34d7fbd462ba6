//! The submit flow under load: K threads each file a draft and submit it, N times in all.
//! Prints flows per second and the p50/p99 of one flow (two requests).
//!
//!     flow <base url> <round id> <applicant token> <flows> <threads>

use std::sync::{Arc, Mutex};
use std::time::Instant;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (base, round, token) = (a[1].clone(), a[2].clone(), a[3].clone());
    assert!(
        base.starts_with("http://127.0.0.1") || base.starts_with("http://localhost"),
        "loopback only"
    );
    let flows: usize = a[4].parse().unwrap();
    let threads: usize = a[5].parse().unwrap();
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(flows)));
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (base, round, token, latencies) = (
                base.clone(),
                round.clone(),
                token.clone(),
                latencies.clone(),
            );
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().build();
                for i in (t..flows).step_by(threads) {
                    let t0 = Instant::now();
                    let body = serde_json::json!({
                        "title": format!("Benchmarkplan {i}"),
                        "description": "Huiswerkbegeleiding voor kinderen in de wijk.",
                        "goals": ["B"],
                        "requested_eur": 5000,
                        "start_year": 2025,
                        "end_year": 2026
                    });
                    let created: serde_json::Value = agent
                        .post(&format!("{base}/rounds/{round}/plans"))
                        .set("Authorization", &format!("Bearer {token}"))
                        .send_json(body)
                        .expect("create")
                        .into_json()
                        .unwrap();
                    let id = created["id"].as_str().unwrap();
                    agent
                        .post(&format!("{base}/plans/{id}/submit"))
                        .set("Authorization", &format!("Bearer {token}"))
                        .call()
                        .expect("submit");
                    latencies
                        .lock()
                        .unwrap()
                        .push(t0.elapsed().as_secs_f64() * 1000.0);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut l = latencies.lock().unwrap().clone();
    l.sort_by(|a, b| a.total_cmp(b));
    let q = |p: f64| l[((l.len() as f64 * p) as usize).min(l.len() - 1)];
    println!(
        "flows={flows} threads={threads} flows_per_s={:.0} p50_ms={:.2} p99_ms={:.2}",
        flows as f64 / elapsed,
        q(0.5),
        q(0.99)
    );
}
