//! Uncertain inputs (DESIGN §2.6): a number of `[births] index`, `[migration]`, `[enrolment]`
//! or `[private_share]` written as a distribution. Each is checked here against its key's valid
//! range, stands in the checked scenario at its central value (what `--deterministic` uses), and
//! is listed in [`Scenario::inputs`](super::Scenario::inputs) for the engine to draw once per
//! trial, by inverse CDF, from the uniform of its label's stream — so numbers sharing a label
//! share a quantile.

use std::fmt;

use super::validate::Validator;
use super::{ScenarioError, Year, YearPath};
use crate::stats::normal;

type Result<T> = std::result::Result<T, ScenarioError>;

/// Smallest uniform an input draw gives (`u = (k + ½)·2⁻⁵²`, never 0 or 1).
pub const U_MIN: f64 = 1.0 / (1u64 << 53) as f64;
/// Largest uniform an input draw gives.
pub const U_MAX: f64 = 1.0 - U_MIN;

/// Prefix of the city-level shock series' names in `sensitivity.csv`, refused as a label.
pub const SHOCK_PREFIX: &str = "shock:";

/// A checked distribution of one uncertain number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dist {
    /// Uniform on `[low, high]`, `low < high`.
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
    },
    /// Triangular on `[low, high]` peaking at `mode`.
    Triangular {
        /// Lower end.
        low: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        high: f64,
    },
    /// Normal `N(mean, sd²)` conditioned on the key's valid range `[lo, hi]` (redrawn until
    /// inside, which is what drawing it by inverse CDF on the range does).
    Normal {
        /// Mean before truncation, inside the range.
        mean: f64,
        /// Standard deviation before truncation (> 0).
        sd: f64,
        /// `Φ((lo − mean)/sd)`.
        p_lo: f64,
        /// `Φ((hi − mean)/sd)`.
        p_hi: f64,
        /// The key's valid range.
        lo: f64,
        /// The key's valid range.
        hi: f64,
    },
    /// `median · e^{sd_log · N(0, 1)}`.
    LogNormal {
        /// Median (> 0).
        median: f64,
        /// Standard deviation of the log (> 0).
        sd_log: f64,
    },
}

impl Dist {
    /// `N(mean, sd²)` conditioned on `[lo, hi]`.
    fn normal(mean: f64, sd: f64, (lo, hi): (f64, f64)) -> Self {
        let z = |x: f64| normal::cdf((x - mean) / sd);
        Dist::Normal {
            mean,
            sd,
            p_lo: z(lo),
            p_hi: z(hi),
            lo,
            hi,
        }
    }

    /// The value deterministic mode uses: the mean (uniform, normal), mode or median.
    pub fn central(&self) -> f64 {
        match *self {
            Dist::Uniform { low, high } => 0.5 * (low + high),
            Dist::Triangular { mode, .. } => mode,
            Dist::Normal { mean, .. } => mean,
            Dist::LogNormal { median, .. } => median,
        }
    }

    /// The value at quantile `u` in (0, 1).
    pub fn quantile(&self, u: f64) -> f64 {
        match *self {
            Dist::Uniform { low, high } => low + u * (high - low),
            Dist::Triangular { low, mode, high } => {
                let width = high - low;
                if u * width < mode - low {
                    low + (u * width * (mode - low)).sqrt()
                } else {
                    high - ((1.0 - u) * width * (high - mode)).sqrt()
                }
            }
            Dist::Normal {
                mean,
                sd,
                p_lo,
                p_hi,
                lo,
                hi,
            } => (mean + sd * normal::quantile(p_lo + u * (p_hi - p_lo))).clamp(lo, hi),
            Dist::LogNormal { median, sd_log } => median * (sd_log * normal::quantile(u)).exp(),
        }
    }

    /// The smallest and largest values a trial can draw.
    pub fn reach(&self) -> (f64, f64) {
        (self.quantile(U_MIN), self.quantile(U_MAX))
    }
}

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Dist::Uniform { low, high } => write!(f, "uniform {low}–{high}"),
            Dist::Triangular { low, mode, high } => {
                write!(f, "triangular {low}–{high}, mode {mode}")
            }
            Dist::Normal {
                mean, sd, lo, hi, ..
            } => write!(f, "normal mean {mean} sd {sd}, kept within {lo}–{hi}"),
            Dist::LogNormal { median, sd_log } => {
                write!(f, "lognormal median {median} sd_log {sd_log}")
            }
        }
    }
}

/// Which number of the scenario an uncertain input sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The knot of `year` of a path (`Year(0)` for a path given as one number).
    Path(PathId, Year),
    /// `[migration] migrant_stay`.
    MigrantStay,
    /// `[migration] inflow_scale`.
    InflowScale,
    /// `[migration] rate_scale`.
    RateScale,
    /// `[housing] yield` at one age.
    HousingYield(usize),
    /// `[housing.types]`: the multiplier of the type at this position of
    /// [`Housing::types`](super::Housing::types).
    HousingType(usize),
}

/// A path that may hold uncertain knots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathId {
    /// `[births] index`.
    BirthsIndex,
    /// `[migration] trend`.
    Trend,
    /// `[enrolment] <stage id>`.
    Enrolment(String),
    /// `[private_share] <stage id>`.
    PrivateShare(String),
}

/// One uncertain number of the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertain {
    /// Its key path, e.g. `private_share.primary.2020`.
    pub key: String,
    /// The label of its draw: `draw = "…"`, or its key path.
    pub label: String,
    /// Its distribution.
    pub dist: Dist,
    /// The number it sets.
    pub target: Target,
}

impl super::Scenario {
    /// The distinct labels of the uncertain inputs, in order of first use: one draw each.
    pub fn input_labels(&self) -> Vec<String> {
        let mut labels: Vec<String> = Vec::new();
        for input in &self.inputs {
            if !labels.contains(&input.label) {
                labels.push(input.label.clone());
            }
        }
        labels
    }
}

/// What each distribution takes besides `dist` and `draw`.
const PARAMS: [(&str, &[&str]); 4] = [
    ("uniform", &["low", "high"]),
    ("triangular", &["low", "mode", "high"]),
    ("normal", &["mean", "sd"]),
    ("lognormal", &["median", "sd_log"]),
];

impl Validator<'_> {
    /// A year path from a number, a distribution or a `{ year = value }` table whose values
    /// are numbers or distributions, every value in `lo..=hi`.
    pub(super) fn path(
        &self,
        key: &str,
        raw: Option<toml::Value>,
        default: f64,
        (lo, hi): (f64, f64),
        id: PathId,
    ) -> Result<YearPath> {
        let at = |year| Target::Path(id.clone(), year);
        match raw {
            None => Ok(YearPath::constant(default)),
            Some(toml::Value::Table(t)) if !t.is_empty() && !t.contains_key("dist") => {
                let knots = t
                    .iter()
                    .map(|(year, v)| {
                        let k = format!("{key}.{year}");
                        let y = year.parse::<i32>().ok().filter(|y| (1900..=2300).contains(y));
                        let y = y.ok_or_else(|| self.err(&k, format!("{key}: key \"{year}\" is not a year (write e.g. 2025 = 0.9)")))?;
                        Ok((Year(y), self.number(&k, v, (lo, hi), at(Year(y)))?))
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(YearPath::from_knots(knots))
            }
            Some(v @ (toml::Value::Float(_) | toml::Value::Integer(_) | toml::Value::Table(_))) => {
                Ok(YearPath::constant(self.number(key, &v, (lo, hi), at(Year(0)))?))
            }
            Some(other) => Err(self.err(key, format!("{key} = {other}: must be a number, a distribution or a table of year = value, e.g. {{ 2020 = 1.0, 2025 = 0.9 }}"))),
        }
    }

    /// A number that may be uncertain: its central value, `default` when absent.
    pub(super) fn scalar(
        &self,
        key: &str,
        raw: Option<toml::Value>,
        default: f64,
        range: (f64, f64),
        target: Target,
    ) -> Result<f64> {
        raw.map_or(Ok(default), |v| self.number(key, &v, range, target))
    }

    /// The central value of a number or distribution in `lo..=hi`; a distribution is
    /// recorded as an input.
    fn number(
        &self,
        key: &str,
        v: &toml::Value,
        (lo, hi): (f64, f64),
        target: Target,
    ) -> Result<f64> {
        let valid = format!("between {lo} and {hi}");
        let in_range = |x: f64| (lo..=hi).contains(&x);
        match v {
            toml::Value::Float(x) => self.num(key, *x, in_range, &valid),
            toml::Value::Integer(i) => self.num(key, *i as f64, in_range, &valid),
            toml::Value::Table(t) if t.contains_key("dist") => {
                let (dist, label) = self.dist(key, t, (lo, hi))?;
                let central = dist.central();
                self.inputs.borrow_mut().push(Uncertain {
                    key: key.to_string(),
                    label: label.unwrap_or_else(|| key.to_string()),
                    dist,
                    target,
                });
                Ok(central)
            }
            other => Err(self.err(key, format!("{key} = {other}: must be a number {valid} or a distribution, e.g. {{ dist = \"uniform\", low = 0.4, high = 0.6 }}"))),
        }
    }

    /// A distribution table, checked so that no draw leaves `lo..=hi`, and its `draw` label.
    fn dist(
        &self,
        key: &str,
        t: &toml::Table,
        (lo, hi): (f64, f64),
    ) -> Result<(Dist, Option<String>)> {
        let name = t.get("dist").and_then(|d| d.as_str()).unwrap_or("");
        let Some(&(name, params)) = PARAMS.iter().find(|(n, _)| *n == name) else {
            return Err(self.err(key, format!("{key}: dist = {}: must be \"uniform\", \"triangular\", \"normal\" or \"lognormal\"", t["dist"])));
        };
        if let Some(extra) = t
            .keys()
            .find(|k| !params.contains(&k.as_str()) && *k != "dist" && *k != "draw")
        {
            return Err(self.err(
                key,
                format!(
                    "{key}: a {name} distribution takes {} (and optionally draw), not `{extra}`",
                    params.join(", ")
                ),
            ));
        }
        let p = |k: &str| -> Result<f64> {
            match t.get(k) {
                Some(toml::Value::Float(x)) if x.is_finite() => Ok(*x),
                Some(toml::Value::Integer(i)) => Ok(*i as f64),
                Some(other) => Err(self.err(
                    key,
                    format!("{key}: {k} = {other}: must be a finite number"),
                )),
                None => Err(self.err(
                    key,
                    format!(
                        "{key}: missing `{k}` of the {name} distribution (it takes {})",
                        params.join(", ")
                    ),
                )),
            }
        };
        let fail = |why: String| Err(self.err(key, format!("{key} = {name}: {why}")));
        let dist = match name {
            "uniform" => {
                let (low, high) = (p("low")?, p("high")?);
                if low >= high {
                    return fail(format!("needs low < high (low = {low}, high = {high})"));
                }
                Dist::Uniform { low, high }
            }
            "triangular" => {
                let (low, mode, high) = (p("low")?, p("mode")?, p("high")?);
                if !(low <= mode && mode <= high && low < high) {
                    return fail(format!("needs low ≤ mode ≤ high and low < high (low = {low}, mode = {mode}, high = {high})"));
                }
                Dist::Triangular { low, mode, high }
            }
            "normal" => {
                let (mean, sd) = (p("mean")?, p("sd")?);
                if sd <= 0.0 || !(lo..=hi).contains(&mean) {
                    return fail(format!("needs sd > 0 and the mean within the valid range {lo} to {hi} (mean = {mean}, sd = {sd})"));
                }
                Dist::normal(mean, sd, (lo, hi))
            }
            _ => {
                let (median, sd_log) = (p("median")?, p("sd_log")?);
                if median <= 0.0 || sd_log <= 0.0 {
                    return fail(format!(
                        "needs median > 0 and sd_log > 0 (median = {median}, sd_log = {sd_log})"
                    ));
                }
                Dist::LogNormal { median, sd_log }
            }
        };
        let (min, max) = dist.reach();
        if min < lo || max > hi {
            return fail(format!("{dist} can draw from {min:.4} to {max:.4}, outside the valid range {lo} to {hi}: narrow it, use a bounded one (uniform, triangular), or a normal, which is redrawn inside"));
        }
        Ok((dist, self.label(key, t.get("draw"))?))
    }

    /// The `draw = "label"` of a distribution, if any.
    fn label(&self, key: &str, draw: Option<&toml::Value>) -> Result<Option<String>> {
        match draw {
            None => Ok(None),
            Some(toml::Value::String(l)) if !l.is_empty() && !l.starts_with(SHOCK_PREFIX) => {
                Ok(Some(l.clone()))
            }
            Some(other) => Err(self.err(key, format!("{key}: draw = {other}: must be a non-empty label (not starting with \"{SHOCK_PREFIX}\"), shared by the numbers that move together"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normal(mean: f64, sd: f64, lo: f64, hi: f64) -> Dist {
        Dist::normal(mean, sd, (lo, hi))
    }

    #[test]
    fn quantiles_match_the_closed_forms() {
        let u = Dist::Uniform {
            low: 0.4,
            high: 0.6,
        };
        assert!((u.quantile(0.25) - 0.45).abs() < 1e-15);
        let t = Dist::Triangular {
            low: 0.0,
            mode: 0.25,
            high: 1.0,
        };
        // F(mode) = (mode − low)/(high − low) = 0.25; F(x) = x²/0.25 below the mode.
        assert!((t.quantile(0.25) - 0.25).abs() < 1e-15);
        assert!((t.quantile(0.01) - (0.01f64 * 0.25).sqrt()).abs() < 1e-15);
        assert!((t.quantile(0.91) - (1.0 - (0.09f64 * 0.75).sqrt())).abs() < 1e-15);
        let l = Dist::LogNormal {
            median: 2.0,
            sd_log: 0.5,
        };
        assert!((l.quantile(0.5) - 2.0).abs() < 1e-15);
        assert!((l.quantile(0.975) - 2.0 * (0.5 * 1.959_963_984_540_054f64).exp()).abs() < 1e-12);
        // Untruncated in effect (the range is 40 sd away): the plain normal quantiles.
        let n = normal(0.5, 0.01, 0.0, 1.0);
        assert!((n.quantile(0.975) - (0.5 + 0.01 * 1.959_963_984_540_054)).abs() < 1e-12);
    }

    #[test]
    fn a_truncated_normal_stays_in_its_range_and_keeps_its_median_share() {
        let n = normal(0.05, 0.1, 0.0, 1.0);
        let (min, max) = n.reach();
        assert!(min >= 0.0 && max <= 1.0);
        // The truncated median m has Φ((m − μ)/σ) halfway between Φ at the two ends.
        let m = n.quantile(0.5);
        let (a, b) = (normal::cdf(-0.5), normal::cdf(9.5));
        assert!((normal::cdf((m - 0.05) / 0.1) - 0.5 * (a + b)).abs() < 1e-12);
    }

    #[test]
    fn central_values_are_mean_mode_and_median() {
        let u = Dist::Uniform {
            low: 1.0,
            high: 3.0,
        };
        let t = Dist::Triangular {
            low: 0.0,
            mode: 0.1,
            high: 1.0,
        };
        let l = Dist::LogNormal {
            median: 0.7,
            sd_log: 0.2,
        };
        assert_eq!(
            [
                u.central(),
                t.central(),
                l.central(),
                normal(0.3, 0.1, 0.0, 1.0).central()
            ],
            [2.0, 0.1, 0.7, 0.3]
        );
    }
}
