//! The calibration of `benchcmp watch` in README.md: on synthetic runs of known truth,
//! looked at after every 30 s poll for 4 hours and then judged as the watch ends, the share
//! of runs ever called wrong — at exactly the budget (where a FAIL and a PASS are both
//! wrong) and at no change at all — with the candidate's noise at 0.5 to 2.5 times the
//! baseline's, and how soon a collapse after a good start is failed.
//!
//!     cargo run --release --example calibrate-watch [RUNS] [DROP_RUNS] [CELL]
//!
//! `CELL` keeps the cells whose name contains it (e.g. `φ=0.9,`).
//! Deterministic (fixed seeds); the cells run on every core.

#[path = "../tests/support/mod.rs"]
mod support;

use support::watch::{self, Cell, BASELINE_SD, LOOKS};

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let drop_runs: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or((runs / 10).max(1));
    let phis = [0.0, 0.5, 0.9, 0.96];
    let ratios = [0.5, 1.0, 2.0, 2.5];
    let mut cells: Vec<Cell> = phis
        .iter()
        .flat_map(|&phi| ratios.iter().map(move |&ratio| Cell::ar(phi, ratio)))
        .collect();
    cells.push(Cell {
        phi: 0.9,
        ratio: 2.5,
        example: true,
    });
    if let Some(only) = args.next() {
        cells.retain(|c| c.name().contains(&only));
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let started = std::time::Instant::now();

    println!(
        "Gate `regression <= 10%`, 95%, baseline AR(1) at {}% noise over 3h50m (460 samples), candidate AR(1) of the same persistence",
        BASELINE_SD * 100.0
    );
    println!("at the ratio's noise, a look after every 30 s poll for 4 h ({LOOKS} looks) and the verdict the watch ends with; {runs} runs per cell.");
    println!("At exactly the budget (−10%) a FAIL and a PASS are both wrong; at no change a FAIL is. In %:\n");
    println!("| noise | at the budget: ever FAIL (by a look) | ever PASS (at the end) | ever PASS with --stop-on-pass | no change: ever FAIL |");
    println!("|---|--:|--:|--:|--:|");
    let rates = on_every_core(&cells, threads, |i, cell| {
        watch::error_rates(*cell, runs, 1000 + i as u64)
    });
    for (cell, r) in cells.iter().zip(&rates) {
        println!(
            "| {} | {:.2} ({:.2}) | {:.2} | {:.2} | {:.2} |",
            cell.name(),
            100.0 * r.ever_fail_at_budget,
            100.0 * r.live_fail_at_budget,
            100.0 * r.ever_pass_at_budget,
            100.0 * r.early_pass_at_budget,
            100.0 * r.false_fail_no_change
        );
    }

    println!("\nMinutes from a drop to its FAIL (median / 95th percentile, over {drop_runs} runs; `never` where more than half are not failed in 4 h):\n");
    println!("| noise | −70% at 5 min | at 60 min | at 200 min | −30% at 5 min | at 60 min | at 200 min |");
    println!("|---|--:|--:|--:|--:|--:|--:|");
    let jobs: Vec<(Cell, f64, usize)> = cells
        .iter()
        .flat_map(|&c| {
            [0.7, 0.3]
                .into_iter()
                .flat_map(move |d| [5usize, 60, 200].into_iter().map(move |m| (c, d, m)))
        })
        .collect();
    let delays = on_every_core(&jobs, threads, |i, (cell, drop, at)| {
        let mut d = watch::drop_delays(*cell, *drop, *at, drop_runs, 5000 + i as u64);
        (watch::quantile(&mut d, 0.5), watch::quantile(&mut d, 0.95))
    });
    for (k, cell) in cells.iter().enumerate() {
        let row: Vec<String> = delays[k * 6..k * 6 + 6]
            .iter()
            .map(|(median, p95)| {
                let shown = |v: f64| {
                    if v.is_finite() {
                        format!("{v:.1}")
                    } else {
                        "never".into()
                    }
                };
                format!("{} / {}", shown(*median), shown(*p95))
            })
            .collect();
        println!("| {} | {} |", cell.name(), row.join(" | "));
    }
    eprintln!("({:.0} s)", started.elapsed().as_secs_f64());
}

/// `f` over `items` on `threads` threads, results in order.
fn on_every_core<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(usize, &T) -> R + Sync,
) -> Vec<R> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<R>>> =
        items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(i, item);
                *results[i].lock().unwrap() = Some(r);
            });
        }
    });
    results
        .into_iter()
        .map(|m| m.into_inner().unwrap().expect("every item ran"))
        .collect()
}
