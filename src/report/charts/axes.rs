//! Axis scales and ticks: linear with round steps, logarithmic (values on a log10 axis,
//! ticks at 1-2-5 per decade) when the data span more than about 1.5 decades, and time as
//! minutes or h:mm.

/// How values map onto the vertical axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueScale {
    Linear,
    /// log10 of the value; values at or below `floor` are drawn at the floor.
    Log {
        floor: f64,
    },
}

impl ValueScale {
    /// The axis coordinate of a value (already in display units).
    pub fn to_axis(self, v: f64) -> f64 {
        match self {
            ValueScale::Linear => v,
            ValueScale::Log { floor } => v.max(floor).log10(),
        }
    }

    /// The value of an axis coordinate.
    pub fn value_at(self, a: f64) -> f64 {
        match self {
            ValueScale::Linear => a,
            ValueScale::Log { .. } => 10f64.powf(a),
        }
    }
}

/// The scale for positive data spanning `low..high` (display units): log beyond
/// `decades` decades, else linear.
pub fn choose(low_positive: f64, high: f64, decades: f64) -> ValueScale {
    if low_positive > 0.0 && high > 0.0 && (high / low_positive).log10() > decades {
        ValueScale::Log {
            floor: low_positive,
        }
    } else {
        ValueScale::Linear
    }
}

/// A tick's number: three significant digits at most, no trailing zeros (`0.2`, `50`,
/// `1500`).
pub fn tick_label(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".into();
    }
    let digits = (3 - 1 - v.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{v:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A round step giving about `count` intervals over `span`.
pub fn nice_step(span: f64, count: usize) -> f64 {
    if span <= 0.0 || !span.is_finite() {
        return 1.0;
    }
    let raw = span / count.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * magnitude >= raw {
            return m * magnitude;
        }
    }
    10.0 * magnitude
}

/// Linear ticks covering `low..high`, about `count` of them.
pub fn linear_ticks(low: f64, high: f64, count: usize) -> Vec<f64> {
    let step = nice_step(high - low, count);
    let mut t = (low / step).ceil() * step;
    let mut out = Vec::new();
    while t <= high + step * 1e-9 && out.len() < 100 {
        // no "-0"
        out.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    out
}

/// Round upper end of an axis holding `v`.
pub fn nice_max(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    for step in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if step * magnitude >= v {
            return step * magnitude;
        }
    }
    10.0 * magnitude
}

/// Ticks of a log axis between two axis coordinates (log10 values): 1-2-5 per decade when
/// few decades are shown, decades only when many.
pub fn log_ticks(low: f64, high: f64) -> Vec<f64> {
    let decades = high - low;
    let mantissas: &[f64] = if decades <= 3.2 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0]
    };
    let mut out = Vec::new();
    let mut e = low.floor() as i32;
    while (e as f64) <= high.ceil() && out.len() < 60 {
        for m in mantissas {
            let a = (m * 10f64.powi(e)).log10();
            if a >= low - 1e-9 && a <= high + 1e-9 {
                out.push(a);
            }
        }
        e += 1;
    }
    out
}

/// Time ticks for minutes `0..max`: minutes up to 90, then whole hours (or quarters) shown
/// as h:mm.
pub fn time_ticks(max_minutes: f64) -> Vec<f64> {
    if max_minutes <= 90.0 {
        return linear_ticks(0.0, max_minutes, 8);
    }
    let steps = [15.0, 30.0, 60.0, 120.0, 180.0, 360.0, 720.0, 1440.0, 2880.0];
    let step = steps
        .iter()
        .copied()
        .find(|s| max_minutes / s <= 9.0)
        .unwrap_or(10080.0);
    let mut out = Vec::new();
    let mut t = 0.0;
    while t <= max_minutes + 1e-9 {
        out.push(t);
        t += step;
    }
    out
}

/// A time tick's label: minutes, or h:mm for runs longer than 90 minutes (days as `2d 4:00`,
/// whole days as `2d`).
pub fn time_label(minutes: f64, max_minutes: f64) -> String {
    if max_minutes <= 90.0 {
        return format!("{minutes:.0}");
    }
    let total = minutes.round() as i64;
    let (d, h, m) = (total / 1440, (total % 1440) / 60, total % 60);
    if d > 0 && h == 0 && m == 0 {
        format!("{d}d")
    } else if d > 0 {
        format!("{d}d {h}:{m:02}")
    } else {
        format!("{h}:{m:02}")
    }
}

/// The x axis's description.
pub fn time_description(max_minutes: f64) -> &'static str {
    if max_minutes <= 90.0 {
        "minutes since run start"
    } else {
        "time since run start (h:mm)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(
            linear_ticks(0.0, 100.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(log_ticks(-1.0, 1.0).len(), 7); // 0.1 0.2 0.5 1 2 5 10
        assert_eq!(log_ticks(0.0, 5.0).len(), 6);
        assert_eq!(
            time_ticks(240.0),
            vec![0.0, 30.0, 60.0, 90.0, 120.0, 150.0, 180.0, 210.0, 240.0]
        );
        assert_eq!(time_label(90.0, 240.0), "1:30");
        assert_eq!(time_label(3000.0, 10080.0), "2d 2:00");
        assert_eq!(time_label(2880.0, 10080.0), "2d");
        assert_eq!(time_label(45.0, 60.0), "45");
        assert_eq!(tick_label(50.0), "50");
        assert_eq!(tick_label(0.2), "0.2");
        assert_eq!(tick_label(1500.0), "1500");
        assert_eq!(tick_label(0.05), "0.05");
    }

    #[test]
    fn log_is_chosen_beyond_the_span() {
        assert_eq!(choose(0.175, 60.0, 1.5), ValueScale::Log { floor: 0.175 });
        assert_eq!(choose(100.0, 150.0, 1.5), ValueScale::Linear);
        assert_eq!(choose(0.0, 150.0, 1.5), ValueScale::Linear);
    }
}
