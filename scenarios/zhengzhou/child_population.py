#!/usr/bin/env python3
"""The scenario's projected child population (ages 0-14, 0-15) against the published
end-of-year figures of 2021 and 2022 (Python 3.11+ standard library; issue 22 item 5).

    python3 scenarios/zhengzhou/child_population.py [scenario.toml] [--run DIR]

The cohort step is DESIGN §2.1 with every shock 0 (`check_base_year.py`'s `project`), giving the
city's children by single year of age on 1 September. With `--run DIR` (a `seatsim run
--deterministic` folder) it first checks that re-implementation against the engine: enrolled /
enrolment ratio of kindergarten, primary and junior is the modelled cohort of ages 3-14.

Published figures count ages on 31 December: four months after 1 September a third of the next
school-year cohort is born and a third of the 14-year-olds have turned 15, so
end-of-year(0-14) = Sept(0-14) + (births(t+1) - Sept(14)) / 3 (the 15-year-olds likewise).
The 45,027 登封 boarders aged 10-14 that the population file leaves out (SOURCES "Population")
are added back: the census and the sample surveys count them.
"""
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_base_year import load, path_value, project, rows  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DENGFENG_BOARDERS = 45027
# Published: 0-14 end-2021 [V P021A]; 0-15 end-2021 = 19.6% of 12,742,000 and end-2022
# 2,466,000 [V P022A]; the census (1 Nov 2020) 0-14 from census_2020_districts.csv.
PUBLISHED_0_14 = {2021: 2356000}
PUBLISHED_0_15 = {2021: round(0.196 * 12742000), 2022: 2466000}


def census_0_14():
    """The 7th census's city 0-14 population (1 Nov 2020)."""
    return sum(int(r["age_0"]) + int(r["age_1_4"]) + int(r["age_5_9"]) + int(r["age_10_14"])
               for r in rows(os.path.join(HERE, "census_2020_districts.csv")))


def end_of_year(ages, t, last):
    """Children aged 0..=last on 31 December of year t, 登封 boarders included: a third of the
    next cohort is born and a third of those aged `last` on 1 September have passed it."""
    return sum(ages[t][:last + 1]) + DENGFENG_BOARDERS + (ages[t + 1][0] - ages[t][last]) / 3


def check_against_run(sc, ages, run):
    """Largest relative difference between the engine's deterministic enrolled / ratio and the
    re-implemented cohort, over kindergarten, primary and junior, every year."""
    worst = 0.0
    for r in csv.DictReader(open(os.path.join(run, "summary.csv"), encoding="utf-8")):
        if r["district"] != "ALL" or r["metric"] != "enrolled" or r["stage"] == "senior":
            continue
        t = int(r["year"])
        if t not in ages:
            continue
        a0, a1 = sc["stages"][r["stage"]]["ages"]
        cohort = float(r["mean"]) / path_value(sc.get("enrolment", {}).get(r["stage"], 1.0), t)
        worst = max(worst, abs(cohort / sum(ages[t][a0:a1 + 1]) - 1))
    return worst


def main():
    args = sys.argv[1:]
    run = None
    if "--run" in args:
        i = args.index("--run")
        run = args[i + 1]
        del args[i:i + 2]
    toml_path = args[0] if args else os.path.join(HERE, "..", "zhengzhou.toml")
    sc = load(toml_path)
    ages = project(sc, 2025)
    if run:
        print(f"engine check: enrolled / ratio vs the cohort here, largest difference "
              f"{check_against_run(sc, ages, run):.2e}")
    census = census_0_14()
    print(f"census 0-14 (1 Nov 2020): {census:,}")
    print("| year | model 0-14, 1 Sept | model 0-14, 31 Dec | published 0-14 | model − published | "
          "model 0-15, 31 Dec | published 0-15 | model − published |")
    print("|---|---|---|---|---|---|---|---|")
    for t in range(2020, 2024):
        sept = sum(ages[t][:15]) + DENGFENG_BOARDERS
        cells = [f"{sept:,.0f}"]
        for last, published in ((14, PUBLISHED_0_14), (15, PUBLISHED_0_15)):
            model, pub = end_of_year(ages, t, last), published.get(t)
            cells += [f"{model:,.0f}"] + ([f"{pub:,}", f"{model / pub - 1:+.1%}"] if pub else ["—", "—"])
        print(f"| {t} | " + " | ".join(cells) + " |")
    model = end_of_year(ages, 2022, 15) / end_of_year(ages, 2021, 15) - 1
    pub = PUBLISHED_0_15[2022] / PUBLISHED_0_15[2021] - 1
    print(f"change of 0-15 over 2022: model {model:+.1%}, published {pub:+.1%}")
    print(f"change of 0-14 from the census to end-2021: model "
          f"{end_of_year(ages, 2021, 14) / census - 1:+.1%}, published {PUBLISHED_0_14[2021] / census - 1:+.1%}")

if __name__ == "__main__":
    main()
