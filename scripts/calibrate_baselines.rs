//! The several-baselines tables of README.md: a candidate judged against 1, 3, 5 and 10
//! baseline runs of a weekly history with between-run variation 0–8% (`regression <=
//! 10%`): at a true regression of exactly the budget, coverage of the population
//! regression, false pass and false fail; at half the budget, the share that passes.
//!
//!     cargo run --release --example calibrate-baselines [REPLICATES]

#[path = "../tests/support/mod.rs"]
mod support;

use support::calibrate::{self, pct, Pooled, BUDGET};

/// One table: a row per between-run CV, a column per baseline setting, each cell
/// `cell(histories judged at the true regression `regression`)`.
fn table(reps: usize, regression: f64, cell: impl Fn(&Pooled) -> String) {
    println!("| between-run CV | 1 baseline | 1 baseline, CV given | 3 baselines | 5 baselines | 10 baselines |");
    println!("|--:|--:|--:|--:|--:|--:|");
    for (i, cv) in [0.0, 0.01, 0.02, 0.04, 0.08].iter().enumerate() {
        let mut row = format!("| {:.0}% ", cv * 100.0);
        for (j, (k, prior)) in [(1, None), (1, Some(*cv)), (3, None), (5, None), (10, None)]
            .iter()
            .enumerate()
        {
            let seed = 7000 + (i * 10 + j) as u64;
            let p = calibrate::pooled_at(regression, *cv, *k, 240, reps, seed, *prior);
            row.push_str(&format!("| {} ", cell(&p)));
        }
        println!("{row}|");
    }
}

fn main() {
    let reps = calibrate::replicates();
    println!("`regression <= 10%`, 95% confidence, {reps} histories per cell; runs of 240 samples, AR(1) φ 0.5, 5% noise;");
    println!(
        "candidate's population exactly at the budget. Coverage / false pass / false fail, in %.\n"
    );
    table(reps, BUDGET, |p| {
        format!("{} / {} / {}", pct(p.coverage), pct(p.pass), pct(p.fail))
    });
    println!("\nPass at a true regression of half the budget (power), in %, same histories:\n");
    table(reps, BUDGET / 2.0, |p| pct(p.pass));
}
