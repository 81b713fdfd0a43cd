#!/usr/bin/env python3
"""The delay correlation against the programmes whose completion is known (Python 3 stdlib).

    python3 scenarios/zhengzhou-2012/calibrate.py

For the delay correlation ρ of `[construction.delay]` (DESIGN §2.3's Gaussian copula), it
scores ρ against the two compulsory-school programmes whose completion is known — 127 of 165
schools in use at the end of the 12th plan, 140 of 177 at the end of the 13th [V] — under the
default delay profile, for a programme planned evenly over five years: the P5/P50/P95 of the
share in use by its end, the probability of a share at most the observed one (PIT), and the
log-likelihood of the two counts. SOURCES.md quotes the table.

Retired (issue 22): this script used to try enrolment-ratio ranges of 0, ±5, ±10 and ±15% on
the back-test's own observations and keep ±10% — a width fitted on the data it was then scored
on. The back-test's origins now carry no width chosen on their scored observations
(SOURCES.md, "Nothing tuned on what it scores"); `seatsim backtest` scores them as they are.
"""
import math
from statistics import NormalDist

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
    delays()


if __name__ == "__main__":
    main()
