#!/usr/bin/env python3
"""City-level 90% bands and how many cells are uncertain, from a run folder (Python 3 stdlib).

    python3 scenarios/zhengzhou/bands.py output/zhengzhou [base_year]

Prints, for `ALL` × stage at 3, 5 and 10 years after the base year, the P5-P95 band of
`enrolled` and `demand` as ± half-width in % of the median, then 1.645 sd in % of the mean (the
same band for a normal spread, and free of the sketch's 0.5% bins), next to the published errors of
enrolment projections (NCES Projections of Education Statistics, Table A-7: mean absolute
0.8% / 1.3% / 2.5% at 3 / 5 / 10 years for US public enrolment; city level typically 2-3x).
A 90% band of a normal error with mean absolute error e has half-width 1.645 x 1.2533 e = 2.06 e.
Then how many `enrolled` bands lie between the NCES band and four times it (issue 22's test), and
the share of projected cells (year > base) with 0.05 < p_shortfall < 0.95.
"""
import csv
import os
import sys

NCES = {3: 0.8, 5: 1.3, 10: 2.5}
MAE_TO_HALF_90 = 1.6449 * 1.2533  # normal: P95 / E|x| = 1.645 / sqrt(2/pi)


def main():
    run = sys.argv[1]
    base = int(sys.argv[2]) if len(sys.argv) > 2 else 2020
    rows = list(csv.DictReader(open(os.path.join(run, "summary.csv"), encoding="utf-8")))
    print("| stage | metric | " + " | ".join(f"{h} y: P5–P95 ±%, 1.645 sd ±% (NCES 90% ±%; ×2–3)" for h in NCES) + " |")
    print("|---|---|" + "---|" * len(NCES))
    stages = []
    for r in rows:
        if r["district"] == "ALL" and r["stage"] not in stages:
            stages.append(r["stage"])
    inside = []
    for stage in stages:
        for metric in ("enrolled", "demand"):
            cells = []
            for h in NCES:
                r = next((r for r in rows if r["district"] == "ALL" and r["stage"] == stage
                          and r["metric"] == metric and int(r["year"]) == base + h), None)
                if r is None:
                    cells.append("—")
                    continue
                half = (float(r["p95"]) - float(r["p05"])) / 2 / float(r["p50"]) * 100
                sd = 1.6449 * float(r["sd"]) / float(r["mean"]) * 100
                nces = NCES[h] * MAE_TO_HALF_90
                if metric == "enrolled":
                    inside.append(nces <= half <= 4 * nces)
                cells.append(f"±{half:.1f}, ±{sd:.1f} ({nces:.1f}; {2 * nces:.1f}–{3 * nces:.1f})")
            print(f"| {stage} | {metric} | " + " | ".join(cells) + " |")
    print(f"\nenrolled P5-P95 between 1x and 4x the NCES band: {sum(inside)} of {len(inside)}")
    risk = [r for r in csv.DictReader(open(os.path.join(run, "risk.csv"), encoding="utf-8"))
            if int(r["year"]) > base and r["p_shortfall"] != ""]
    mid = sum(1 for r in risk if 0.05 < float(r["p_shortfall"]) < 0.95)
    print(f"\ncells with 0.05 < p_shortfall < 0.95: {mid} of {len(risk)} = {mid / len(risk):.1%}")


if __name__ == "__main__":
    main()
