//! Samples kept compactly: the values in one vector, and the times as pieces of evenly
//! spaced times (a start and a step each) while they are, which is what a range query
//! returns — a week at 15 s is then 8 bytes a sample instead of 16, and the statistics read
//! the values without copying them. Times that do not fit (repeated, out of order, or
//! irregular enough that the pieces would cost more than a list) are kept as a list.
//!
//! [`Points`] owns samples; [`PointSlice`] is a borrowed run of them, the way `&[Point]`
//! was, and yields [`Point`]s by value.

use std::fmt;
use std::ops::Range;

use super::Point;

/// Samples in the order they were pushed.
#[derive(Clone, Default)]
pub struct Points {
    values: Vec<f64>,
    times: Times,
}

/// The samples' times.
#[derive(Clone)]
enum Times {
    /// Strictly increasing: piece `k` starts at sample `pieces[k].0` with time
    /// `pieces[k].1`, and its samples follow `step` apart (0 while no two samples are known).
    Even {
        step: i64,
        pieces: Vec<(usize, i64)>,
    },
    /// One time per sample, in any order.
    Listed(Vec<i64>),
}

impl Default for Times {
    fn default() -> Self {
        Times::Even {
            step: 0,
            pieces: Vec::new(),
        }
    }
}

impl Times {
    fn at(&self, i: usize) -> i64 {
        match self {
            Times::Listed(times) => times[i],
            Times::Even { step, pieces } => {
                let k = match pieces.len() {
                    1 => 0,
                    _ => pieces.partition_point(|p| p.0 <= i) - 1,
                };
                in_piece(pieces[k], *step, i)
            }
        }
    }
}

/// Time of sample `i` of the piece that starts at sample `first` with time `start`.
fn in_piece((first, start): (usize, i64), step: i64, i: usize) -> i64 {
    start + (i - first) as i64 * step
}

impl Points {
    pub fn new() -> Self {
        Points::default()
    }

    /// Room for `n` samples.
    pub fn with_capacity(n: usize) -> Self {
        Points {
            values: Vec::with_capacity(n),
            times: Times::default(),
        }
    }

    /// Appends a sample (any time: out of order or repeated times are kept as given).
    pub fn push(&mut self, (t, v): Point) {
        let n = self.values.len();
        let mut listed = false;
        if let Times::Even { step, pieces } = &mut self.times {
            match pieces.last() {
                None => pieces.push((n, t)),
                Some(&(first, start)) => {
                    let last = in_piece((first, start), *step, n - 1);
                    match t.checked_sub(last) {
                        Some(d) if d > 0 && *step == 0 => *step = d,
                        Some(d) if d > 0 && d == *step => {}
                        // a piece costs two words, a listed time one: pieces while they
                        // are few against the samples
                        Some(d) if d > 0 && pieces.len() < n / 4 + 16 => pieces.push((n, t)),
                        _ => listed = true,
                    }
                }
            }
        }
        if listed {
            self.list_times();
        }
        if let Times::Listed(times) = &mut self.times {
            times.push(t);
        }
        self.values.push(v);
    }

    /// Switches to one time per sample.
    fn list_times(&mut self) {
        let times = self.iter().map(|p| p.0).collect();
        self.times = Times::Listed(times);
    }

    /// Gives back unused capacity (a parsed series is not grown again).
    pub fn shrink_to_fit(&mut self) {
        self.values.shrink_to_fit();
        match &mut self.times {
            Times::Even { pieces, .. } => pieces.shrink_to_fit(),
            Times::Listed(times) => times.shrink_to_fit(),
        }
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Bytes held on the heap (capacity included).
    pub fn heap_bytes(&self) -> usize {
        let times = match &self.times {
            Times::Even { pieces, .. } => pieces.capacity() * size_of::<(usize, i64)>(),
            Times::Listed(times) => times.capacity() * size_of::<i64>(),
        };
        self.values.capacity() * size_of::<f64>() + times
    }

    /// All the samples, borrowed.
    pub fn as_slice(&self) -> PointSlice<'_> {
        PointSlice {
            points: self,
            range: 0..self.values.len(),
        }
    }

    pub fn iter(&self) -> Iter<'_> {
        self.as_slice().iter()
    }

    pub fn values(&self) -> &[f64] {
        &self.values
    }

    pub fn get(&self, i: usize) -> Option<Point> {
        self.as_slice().get(i)
    }

    pub fn last(&self) -> Option<Point> {
        self.as_slice().last()
    }

    pub fn to_vec(&self) -> Vec<Point> {
        self.iter().collect()
    }

    /// Timestamps strictly increasing.
    pub fn in_time_order(&self) -> bool {
        self.as_slice().in_time_order()
    }
}

/// A borrowed run of samples.
#[derive(Clone)]
pub struct PointSlice<'a> {
    points: &'a Points,
    range: Range<usize>,
}

impl<'a> PointSlice<'a> {
    pub fn len(&self) -> usize {
        self.range.len()
    }

    pub fn is_empty(&self) -> bool {
        self.range.is_empty()
    }

    /// Time of sample `i` (panics out of range, like indexing).
    pub fn time(&self, i: usize) -> i64 {
        assert!(i < self.len(), "sample {i} of {}", self.len());
        self.points.times.at(self.range.start + i)
    }

    /// Value of sample `i` (panics out of range, like indexing).
    pub fn value(&self, i: usize) -> f64 {
        self.values()[i]
    }

    pub fn get(&self, i: usize) -> Option<Point> {
        (i < self.len()).then(|| (self.time(i), self.value(i)))
    }

    pub fn first(&self) -> Option<Point> {
        self.get(0)
    }

    pub fn last(&self) -> Option<Point> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    /// The values, in order, without a copy.
    pub fn values(&self) -> &'a [f64] {
        &self.points.values[self.range.clone()]
    }

    /// Samples `range` of this slice (panics out of range, like slicing).
    pub fn slice(&self, range: Range<usize>) -> PointSlice<'a> {
        assert!(
            range.start <= range.end && range.end <= self.len(),
            "samples {range:?} of {}",
            self.len()
        );
        let start = self.range.start;
        PointSlice {
            points: self.points,
            range: start + range.start..start + range.end,
        }
    }

    /// The index of the first sample whose time fails `before` (times in order, as
    /// `slice::partition_point`).
    pub fn partition_time(&self, before: impl Fn(i64) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if before(self.time(mid)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Timestamps strictly increasing.
    pub fn in_time_order(&self) -> bool {
        match &self.points.times {
            Times::Even { .. } => true,
            Times::Listed(times) => times[self.range.clone()].windows(2).all(|w| w[0] < w[1]),
        }
    }

    pub fn iter(&self) -> Iter<'a> {
        let piece = match &self.points.times {
            Times::Even { pieces, .. } => pieces
                .partition_point(|p| p.0 <= self.range.start)
                .saturating_sub(1),
            Times::Listed(_) => 0,
        };
        Iter {
            points: self.points,
            front: self.range.start,
            back: self.range.end,
            piece,
        }
    }

    /// Consecutive slices of `size` samples (the last may be shorter).
    pub fn chunks(&self, size: usize) -> impl Iterator<Item = PointSlice<'a>> + 'a {
        assert!(size > 0, "chunks of 0 samples");
        let whole = self.clone();
        (0..self.len())
            .step_by(size)
            .map(move |at| whole.slice(at..(at + size).min(whole.len())))
    }

    pub fn to_vec(&self) -> Vec<Point> {
        self.iter().collect()
    }

    /// A copy of these samples.
    pub fn to_points(&self) -> Points {
        self.iter().collect()
    }
}

/// The samples of a [`PointSlice`] in order, by value.
#[derive(Clone)]
pub struct Iter<'a> {
    points: &'a Points,
    front: usize,
    back: usize,
    /// The piece of evenly spaced times `front` is in, or one before it (pieces are
    /// passed as `front` moves forward).
    piece: usize,
}

impl Iterator for Iter<'_> {
    type Item = Point;

    fn next(&mut self) -> Option<Point> {
        if self.front >= self.back {
            return None;
        }
        let i = self.front;
        self.front += 1;
        let t = match &self.points.times {
            Times::Listed(times) => times[i],
            Times::Even { step, pieces } => {
                while self.piece + 1 < pieces.len() && pieces[self.piece + 1].0 <= i {
                    self.piece += 1;
                }
                in_piece(pieces[self.piece], *step, i)
            }
        };
        Some((t, self.points.values[i]))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back.saturating_sub(self.front);
        (n, Some(n))
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Point> {
        if self.front >= self.back {
            return None;
        }
        self.back -= 1;
        Some((
            self.points.times.at(self.back),
            self.points.values[self.back],
        ))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for PointSlice<'a> {
    type Item = Point;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &PointSlice<'a> {
    type Item = Point;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a Points {
    type Item = Point;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl Extend<Point> for Points {
    fn extend<I: IntoIterator<Item = Point>>(&mut self, samples: I) {
        for p in samples {
            self.push(p);
        }
    }
}

impl FromIterator<Point> for Points {
    fn from_iter<I: IntoIterator<Item = Point>>(samples: I) -> Self {
        let samples = samples.into_iter();
        let mut out = Points::with_capacity(samples.size_hint().0);
        out.extend(samples);
        out
    }
}

impl From<Vec<Point>> for Points {
    fn from(samples: Vec<Point>) -> Self {
        samples.into_iter().collect()
    }
}

impl fmt::Debug for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_slice().fmt(f)
    }
}

impl fmt::Debug for PointSlice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

// Equal as sequences of samples (NaN is unequal to itself, as for `Vec<Point>`).

impl PartialEq for PointSlice<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl PartialEq for Points {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl PartialEq<[Point]> for PointSlice<'_> {
    fn eq(&self, other: &[Point]) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter().copied())
    }
}

impl PartialEq<Vec<Point>> for PointSlice<'_> {
    fn eq(&self, other: &Vec<Point>) -> bool {
        *self == other[..]
    }
}

impl<const N: usize> PartialEq<[Point; N]> for PointSlice<'_> {
    fn eq(&self, other: &[Point; N]) -> bool {
        *self == other[..]
    }
}

impl<const N: usize> PartialEq<&[Point; N]> for PointSlice<'_> {
    fn eq(&self, other: &&[Point; N]) -> bool {
        *self == other[..]
    }
}

impl PartialEq<Vec<Point>> for Points {
    fn eq(&self, other: &Vec<Point>) -> bool {
        self.as_slice() == other[..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kept_as_pieces(points: &Points) -> Option<usize> {
        match &points.times {
            Times::Even { pieces, .. } => Some(pieces.len()),
            Times::Listed(_) => None,
        }
    }

    #[test]
    fn a_range_query_is_kept_as_one_piece_and_gaps_as_more() {
        let even: Points = (0..1000).map(|i| (1_000 + i * 15_000, i as f64)).collect();
        assert_eq!(kept_as_pieces(&even), Some(1));
        assert_eq!(even.as_slice().time(999), 1_000 + 999 * 15_000);
        let gaps: Points = (0..1000)
            .filter(|i| !(100..130).contains(i) && !(500..501).contains(i))
            .map(|i| (i * 15_000, i as f64))
            .collect();
        assert_eq!(kept_as_pieces(&gaps), Some(3));
        assert_eq!(gaps.as_slice().time(100), 130 * 15_000);
        // out of order, repeated or irregular times: listed
        let back: Points = vec![(0, 1.0), (10, 2.0), (5, 3.0)].into();
        assert_eq!(kept_as_pieces(&back), None);
        assert_eq!(back.to_vec(), vec![(0, 1.0), (10, 2.0), (5, 3.0)]);
        let irregular: Points = (0..200).map(|i| (i * i, 0.0)).collect();
        assert_eq!(kept_as_pieces(&irregular), None);
    }

    /// Whatever the times, the samples read back as pushed: by index, forwards,
    /// backwards, sliced and searched.
    #[test]
    fn reads_back_what_was_pushed() {
        let time = prop_oneof![
            4 => Just(15_000i64),
            1 => 1i64..100_000,
            1 => -20_000i64..20_000,
            1 => Just(0i64),
            1 => Just(30_000i64),
        ];
        let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
            cases: 512,
            rng_seed: proptest::test_runner::RngSeed::Fixed(20261205),
            failure_persistence: None,
            ..Default::default()
        });
        runner
            .run(
                &(
                    -1_000_000i64..1_000_000,
                    prop::collection::vec((time, -1e3f64..1e3), 0..300),
                ),
                |(start, steps)| {
                    let mut t = start;
                    let pushed: Vec<Point> = steps
                        .iter()
                        .map(|&(d, v)| {
                            t += d;
                            (t, v)
                        })
                        .collect();
                    let points: Points = pushed.clone().into();
                    let all = points.as_slice();
                    prop_assert_eq!(points.len(), pushed.len());
                    prop_assert_eq!(points.to_vec(), pushed.clone());
                    prop_assert!(all.iter().rev().eq(pushed.iter().rev().copied()));
                    for (i, p) in pushed.iter().enumerate() {
                        prop_assert_eq!(all.get(i), Some(*p));
                    }
                    prop_assert_eq!(
                        all.in_time_order(),
                        pushed.windows(2).all(|w| w[0].0 < w[1].0)
                    );
                    if pushed.len() >= 2 {
                        let (a, b) = (pushed.len() / 3, pushed.len() * 2 / 3);
                        prop_assert_eq!(all.slice(a..b), pushed[a..b].to_vec());
                        prop_assert_eq!(all.slice(a..b).last(), pushed[..b].last().copied());
                    }
                    if all.in_time_order() {
                        let probe = start + 40_000;
                        prop_assert_eq!(
                            all.partition_time(|t| t < probe),
                            pushed.partition_point(|p| p.0 < probe)
                        );
                    }
                    let chunks: Vec<Point> = all.chunks(7).flat_map(|c| c.to_vec()).collect();
                    prop_assert_eq!(chunks, pushed.clone());
                    prop_assert_eq!(all.to_points(), points.clone());
                    Ok(())
                },
            )
            .unwrap();
    }

    #[test]
    fn half_the_memory_of_pairs_for_a_range_query() {
        let mut points = Points::new();
        points.extend((0..40_321).map(|i| (i * 15_000, 1.0)));
        points.shrink_to_fit();
        assert_eq!(points.heap_bytes(), 40_321 * 8 + 16);
        assert_eq!(kept_as_pieces(&points), Some(1));
    }
}
