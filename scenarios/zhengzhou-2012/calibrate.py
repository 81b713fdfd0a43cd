#!/usr/bin/env python3
"""Try shock sizes and input ranges on the 2012 -> 2020 back-test (Python 3.11+ stdlib).

    python3 scenarios/zhengzhou-2012/calibrate.py [--seatsim target/release/seatsim] [--trials 2000]

Each candidate below is a set of keys written to a temporary scenario that `extends`
../zhengzhou-2012.toml (as shipped: the default scenario's ranges and shock sizes), pinning some
of its ranges to their central values or replacing them; `seatsim backtest` scores it against observed.csv. For the observations
after the base year it prints, per candidate:
  * coverage of P5-P95 and P25-P75 (nominal 90% and 50%);
  * rms z, with z = (observed - P50) / ((P95 - P05) / 3.29): the error in units of the band's
    implied standard deviation, ~1 when the bands are as wide as the errors (a finer measure
    than coverage with a dozen observations, where one miss moves coverage by 7 points; a band
    narrower than ±0.5% of its median counts as that wide, so that a single-valued band, e.g.
    of a cell no shock reaches, does not divide by zero);
  * the mean P5-P95 half-width in % of P50 of `enrolled`, by horizon.
Then, for the delay correlation ρ of `[construction.delay]` (DESIGN §2.3's Gaussian copula), it
scores ρ against the two compulsory-school programmes whose completion is known — 127 of 165
schools in use at the end of the 12th plan, 140 of 177 at the end of the 13th [V] — under the
default delay profile, for a programme planned evenly over five years: the P5/P50/P95 of the
share in use by its end, the probability of a share at most the observed one (PIT), and the
log-likelihood of the two counts.
SOURCES.md quotes both tables and says which candidate the scenarios use.
"""
import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile
import tomllib
from statistics import NormalDist

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "..", "zhengzhou-2012.toml")
OBSERVED = os.path.join(HERE, "observed.csv")

# The narrowest band counted: ±0.5% of the median (see the docstring).
SKETCH_SD = 0.005 / 1.6449

def load_base():
    with open(BASE, "rb") as f:
        return tomllib.load(f)


def central(v):
    """A distribution's central value, as --deterministic takes it (DESIGN §2.6)."""
    if not isinstance(v, dict):
        return v
    return {"uniform": lambda: (v["low"] + v["high"]) / 2, "triangular": lambda: v["mode"],
            "normal": lambda: v["mean"], "lognormal": lambda: v["median"]}[v["dist"]]()


def pinned(tables=("enrolment", "private_share", "births", "migration")):
    """Every uncertain number of the shipped scenario, in `tables`, at its central value."""
    base, out = load_base(), {}
    for table in tables:
        for key, v in base.get(table, {}).items():
            if isinstance(v, dict) and "dist" in v:
                out.setdefault(table, {})[key] = round(central(v), 6)
            elif isinstance(v, dict):
                points = {y: round(central(x), 6) for y, x in v.items() if isinstance(x, dict)}
                if points:
                    out.setdefault(table, {})[key] = points
    return out


def enrolment(half_width):
    """Every stage's enrolment ratio uniform ±half_width (relative) from four years out, one
    draw per stage, instead of the shipped ranges."""
    enrol = load_base()["enrolment"]
    out = {}
    for stage, path in enrol.items():
        g = central(next(iter(path.values())))
        spec = {"dist": "uniform", "low": round(g * (1 - half_width), 4),
                "high": round(g * (1 + half_width), 4), "draw": f"enrolment-{stage}"}
        out[stage] = {y: spec for y in path if int(y) > min(int(k) for k in path)}
    return {"enrolment": out}


def merged(*parts):
    out = {}
    for part in parts:
        for table, keys in part.items():
            out.setdefault(table, {}).update(keys)
    return out


def to_toml(tables):
    def value(v):
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        return f'"{v}"' if isinstance(v, str) else str(v)
    return "\n".join(f"[{t}]\n" + "\n".join(f"{k} = {value(v)}" for k, v in keys.items())
                     for t, keys in tables.items())


NO_SHOCKS = {"migration": {"sigma_city": 0.0}, "construction.delay": {"correlation": 0.0}}
CANDIDATES = {
    "before issue 14: no ranges, no city shocks": merged(pinned(), NO_SHOCKS),
    "district migration σ 1.0 instead (for scale)": merged(pinned(), NO_SHOCKS, {"migration": {"sigma": 1.0}}),
    "city migration σ 0.15, ρ 0.8; delay ρ 0.3": pinned(),
    "… + ranges of births, migration, private shares": pinned(("enrolment",)),
    "… + enrolment ±5%": merged(pinned(("enrolment",)), enrolment(0.05)),
    "… + enrolment ±10% (shipped)": {},
    "… + enrolment ±15%": enrolment(0.15),
}


def score(seatsim, fragment, trials):
    with tempfile.TemporaryDirectory() as tmp:
        toml = os.path.join(tmp, "candidate.toml")
        with open(toml, "w", encoding="utf-8") as f:
            f.write(f'[scenario]\nextends = "{os.path.abspath(BASE)}"\n{to_toml(fragment)}\n')
        out = os.path.join(tmp, "out")
        done = subprocess.run([seatsim, "backtest", toml, "--observed", OBSERVED, "--trials", str(trials),
                               "--quiet", "--out", out], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:  # e.g. a seatsim without these keys: say so, score the rest
            return done.stderr.strip().splitlines()[-1]
        rows = list(csv.DictReader(open(os.path.join(out, "backtest.csv"), encoding="utf-8")))
    rows = [r for r in rows if int(r["horizon"]) > 0]
    n = len(rows)
    cov90 = sum(r["in_p05_p95"] == "true" for r in rows) / n
    cov50 = sum(r["in_p25_p75"] == "true" for r in rows) / n
    zs = []
    widths = {}
    for r in rows:
        p05, p50, p95, obs = (float(r[k]) for k in ("p05", "p50", "p95", "observed"))
        sd = max((p95 - p05) / 3.2897, SKETCH_SD * abs(p50))
        zs.append((obs - p50) / sd)
        if r["metric"] == "enrolled":
            widths.setdefault(int(r["horizon"]), []).append((p95 - p05) / 2 / p50 * 100)
    rms = math.sqrt(sum(z * z for z in zs) / n)
    return n, cov90, cov50, rms, {h: sum(w) / len(w) for h, w in sorted(widths.items())}


DELAY_CUMULATIVE = (0.6, 0.83, 0.93)  # on time, +1 year, +2 years (default profile)
PROGRAMMES = ((127, 165), (140, 177))  # in use by the plan's end / schools, 12th and 13th plans
PHI = NormalDist()


def share_open(z, rho):
    """Expected share of a five-year programme open by its end, given the common draw z."""
    total = 0.0
    for planned in range(1, 6):  # a project of year 5 must be on time, of year 3 or earlier may be 2 late
        c = DELAY_CUMULATIVE[min(2, 5 - planned)]
        total += PHI.cdf((PHI.inv_cdf(c) - math.sqrt(rho) * z) / math.sqrt(1 - rho))
    return total / 5


def programme_fit(rho):
    grid = [-6 + 12 * i / 1200 for i in range(1201)]
    pits, loglik = [], 0.0
    for k, n in PROGRAMMES:
        cdf = dens = 0.0
        for z in grid:  # integrate the binomial (normal approximation) over the common draw
            p = share_open(z, rho)
            given = NormalDist(p, math.sqrt(p * (1 - p) / n))
            cdf += PHI.pdf(z) * given.cdf(k / n) * 0.01
            dens += PHI.pdf(z) * given.pdf(k / n) * 0.01
        pits.append(cdf)
        loglik += math.log(dens)
    q = [share_open(PHI.inv_cdf(p), rho) for p in (0.95, 0.5, 0.05)]
    return q, pits, loglik


def delays():
    print("\n| ρ | share open P5 / P50 / P95 | PIT 12th plan (127/165) | PIT 13th plan (140/177) | log-likelihood |")
    print("|---|---|---|---|---|")
    for rho in (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5):
        q, pits, ll = programme_fit(rho)
        print(f"| {rho:.2f} | {q[0]:.2f} / {q[1]:.2f} / {q[2]:.2f} | {pits[0]:.3f} | {pits[1]:.3f} | {ll:.2f} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seatsim", default=os.path.join(HERE, "..", "..", "target", "release", "seatsim"))
    ap.add_argument("--trials", type=int, default=2000)
    args = ap.parse_args()
    print("| candidate | n | P5–P95 | P25–P75 | rms z | enrolled P5–P95 ± % by horizon |")
    print("|---|---|---|---|---|---|")
    for name, fragment in CANDIDATES.items():
        result = score(args.seatsim, fragment, args.trials)
        if isinstance(result, str):
            print(f"| {name} | refused: {result} |")
            continue
        n, c90, c50, rms, w = result
        widths = ", ".join(f"{h} y {v:.1f}" for h, v in w.items())
        print(f"| {name} | {n} | {c90:.0%} | {c50:.0%} | {rms:.2f} | {widths} |")
        sys.stdout.flush()
    delays()


if __name__ == "__main__":
    main()
