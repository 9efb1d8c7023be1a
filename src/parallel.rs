//! Independent jobs on the machine's cores (metric analyses, charts, CSV pieces), results
//! in input order, or as their inputs arrive: a scoped pool of at most `available_parallelism` threads taking jobs in
//! turn.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Threads for `jobs` independent jobs: one per core, no more than there are jobs.
fn workers(jobs: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs)
}

/// `f` applied to every item, on up to as many threads as the machine has cores (on the
/// calling thread with one core or one item), results in the order of `items`.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = workers(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else {
                    return;
                };
                let result = f(item);
                done.lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .push((i, result));
            });
        }
    });
    let mut done = done
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Jobs that arrive while `produce` runs on the calling thread (e.g. metrics whose data
/// has come in while other queries are in flight): each index received from `jobs` is
/// given to `f` on one of up to as many threads as the machine has cores as soon as it
/// arrives. Returns what `produce` returned and the results by index (`None` for an index
/// never received). `produce` must let every sender of `jobs` go before it returns, or the
/// workers wait for more.
pub fn as_they_arrive<R: Send, P>(
    jobs: std::sync::mpsc::Receiver<usize>,
    count: usize,
    f: impl Fn(usize) -> R + Sync,
    produce: impl FnOnce() -> P,
) -> (P, Vec<Option<R>>) {
    let jobs = Mutex::new(jobs);
    let done: Mutex<Vec<Option<R>>> = Mutex::new((0..count).map(|_| None).collect());
    let produced = std::thread::scope(|scope| {
        for _ in 0..workers(count).max(1) {
            scope.spawn(|| loop {
                let next = jobs
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .recv();
                let Ok(i) = next else {
                    return;
                };
                let result = f(i);
                done.lock().unwrap_or_else(|poisoned| poisoned.into_inner())[i] = Some(result);
            });
        }
        produce()
    });
    (
        produced,
        done.into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner()),
    )
}

/// `f` applied to every item on up to as many threads as the machine has cores, and
/// `consume` given the results in the order of `items` on the calling thread as soon as
/// each is ready (while later ones are computed); at most `ahead` results wait to be
/// consumed. The first error of `consume` stops it and is returned; a panic in `f` is the
/// caller's.
pub fn each_in_order<T: Sync, R: Send, E>(
    items: &[T],
    ahead: usize,
    f: impl Fn(&T) -> R + Sync,
    mut consume: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    let workers = workers(items.len());
    if workers <= 1 {
        return items.iter().try_for_each(|item| consume(f(item)));
    }
    let ahead = ahead.max(1);
    struct State<R> {
        ready: std::collections::BTreeMap<usize, std::thread::Result<R>>,
        consumed: usize,
        stopped: bool,
    }
    let state = Mutex::new(State {
        ready: std::collections::BTreeMap::new(),
        consumed: 0,
        stopped: false,
    });
    let lock = || {
        state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    let changed = std::sync::Condvar::new();
    let wait = |guard| {
        changed
            .wait(guard)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= items.len() {
                    return;
                }
                let mut guard = lock();
                while i >= guard.consumed + ahead && !guard.stopped {
                    guard = wait(guard);
                }
                if guard.stopped {
                    return;
                }
                drop(guard);
                // A panic is handed to the consumer, which would otherwise wait for it.
                let result =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&items[i])));
                lock().ready.insert(i, result);
                changed.notify_all();
            });
        }
        let mut outcome = Ok(());
        for i in 0..items.len() {
            let mut guard = lock();
            let result = loop {
                if let Some(result) = guard.ready.remove(&i) {
                    break result;
                }
                guard = wait(guard);
            };
            drop(guard);
            let consumed = match result {
                Ok(r) => consume(r),
                Err(panic) => {
                    lock().stopped = true;
                    changed.notify_all();
                    std::panic::resume_unwind(panic)
                }
            };
            let mut guard = lock();
            guard.consumed = i + 1;
            if let Err(e) = consumed {
                guard.stopped = true;
                outcome = Err(e);
            }
            let stopped = guard.stopped;
            drop(guard);
            changed.notify_all();
            if stopped {
                break;
            }
        }
        outcome
    })
}

/// `a` and `b` at the same time, `b` on a thread of its own; a panic in either is the
/// caller's.
pub fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    std::thread::scope(|scope| {
        let b = scope.spawn(b);
        let a = a();
        let b = b
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (a, b)
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn keeps_the_order_of_the_items() {
        let items: Vec<u64> = (0..200).collect();
        let squares = super::map(&items, |x| {
            // Uneven work, so the threads finish out of order.
            std::thread::sleep(std::time::Duration::from_micros((x % 7) * 50));
            x * x
        });
        assert_eq!(squares, items.iter().map(|x| x * x).collect::<Vec<_>>());
        assert!(super::map(&[] as &[u8], |x| *x).is_empty());
    }

    #[test]
    fn each_in_order_consumes_in_order_with_few_waiting() {
        let items: Vec<u64> = (0..300).collect();
        let waiting = AtomicUsize::new(0);
        let most_waiting = AtomicUsize::new(0);
        let mut seen = Vec::new();
        let outcome: Result<(), ()> = super::each_in_order(
            &items,
            3,
            |x| {
                std::thread::sleep(std::time::Duration::from_micros((x % 5) * 40));
                let now = waiting.fetch_add(1, Ordering::SeqCst) + 1;
                most_waiting.fetch_max(now, Ordering::SeqCst);
                x * 2
            },
            |r| {
                // a slow consumer: without the bound, results would pile up
                std::thread::sleep(std::time::Duration::from_micros(300));
                waiting.fetch_sub(1, Ordering::SeqCst);
                seen.push(r);
                Ok(())
            },
        );
        assert_eq!(outcome, Ok(()));
        assert_eq!(seen, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        // computed but not yet consumed: at most `ahead`, and the one being consumed
        assert!(most_waiting.load(Ordering::SeqCst) <= 4, "{most_waiting:?}");
    }

    #[test]
    fn each_in_order_stops_at_the_first_error_and_passes_panics_on() {
        let items: Vec<u32> = (0..100).collect();
        let mut consumed = 0;
        let outcome = super::each_in_order(
            &items,
            4,
            |x| *x,
            |x| {
                consumed += 1;
                if x == 10 {
                    Err(format!("stop at {x}"))
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(outcome, Err("stop at 10".to_string()));
        assert_eq!(consumed, 11);
        let panicked = std::panic::catch_unwind(|| {
            super::each_in_order(
                &items,
                4,
                |x| assert!(*x != 50, "item {x}"),
                |()| Ok::<(), ()>(()),
            )
        });
        assert!(panicked.is_err());
    }

    #[test]
    fn as_they_arrive_works_while_the_producer_still_produces() {
        let (sender, jobs) = std::sync::mpsc::sync_channel(10);
        let started = AtomicUsize::new(0);
        let (produced, results) = super::as_they_arrive(
            jobs,
            10,
            |i| {
                started.fetch_add(1, Ordering::SeqCst);
                i * 10
            },
            || {
                // Out of order, one index never sent.
                for i in [7, 3, 0, 9, 1, 2, 5, 4, 8] {
                    sender.send(i).unwrap();
                }
                // The first jobs run before the producer is done.
                while started.load(Ordering::SeqCst) == 0 {
                    std::thread::yield_now();
                }
                drop(sender);
                "produced"
            },
        );
        assert_eq!(produced, "produced");
        let expected: Vec<Option<usize>> = (0..10).map(|i| (i != 6).then_some(i * 10)).collect();
        assert_eq!(results, expected);
    }

    #[test]
    fn join_gives_both_results_in_order() {
        assert_eq!(super::join(|| 1, || "two"), (1, "two"));
    }
}
