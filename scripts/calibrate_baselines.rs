//! The several-baselines table of README.md: a candidate judged against 1, 3, 5 and 10
//! baseline runs of a weekly history with between-run variation 0–8%, at a true regression
//! of exactly the budget (`regression <= 10%`). Coverage of the population regression,
//! false pass, false fail.
//!
//!     cargo run --release --example calibrate-baselines [REPLICATES]

#[path = "../tests/support/mod.rs"]
mod support;

use support::calibrate::{self, pct};

fn main() {
    let reps = calibrate::replicates();
    println!("`regression <= 10%`, 95% confidence, {reps} histories per cell; runs of 240 samples, AR(1) φ 0.5, 5% noise;");
    println!(
        "candidate's population exactly at the budget. Coverage / false pass / false fail, in %.\n"
    );
    println!("| between-run CV | 1 baseline | 1 baseline, CV given | 3 baselines | 5 baselines | 10 baselines |");
    println!("|--:|--:|--:|--:|--:|--:|");
    for (i, cv) in [0.0, 0.02, 0.04, 0.08].iter().enumerate() {
        let mut row = format!("| {:.0}% ", cv * 100.0);
        for (j, (k, prior)) in [(1, None), (1, Some(*cv)), (3, None), (5, None), (10, None)]
            .iter()
            .enumerate()
        {
            let p =
                calibrate::pooled_at_budget(*cv, *k, 240, reps, 7000 + (i * 10 + j) as u64, *prior);
            row.push_str(&format!(
                "| {} / {} / {} ",
                pct(p.coverage),
                pct(p.pass),
                pct(p.fail)
            ));
        }
        println!("{row}|");
    }
}
