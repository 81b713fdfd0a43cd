#!/usr/bin/env python3
"""Check the Zhengzhou scenario files against the 2020 bulletin (Python 3.11+ standard library).

    python3 scenarios/zhengzhou/check_base_year.py [scenario.toml]

Reads the TOML and the CSV files it points to (not derive.py's internals), prints the base-year
figures quoted in SOURCES.md, and exits 1 if a target is missed:
  * city enrolment by stage within 2% of the bulletin (438,680 / 1,003,648 / 448,644 / 213,766);
  * 288 population rows, 64 capacity rows, project fields valid;
  * migrant share of compulsory pupils in the urban core 38% (±1 point), counties lower;
  * public demand per public class near the bulletin's average class sizes (±2%).
It then prints a deterministic projection (DESIGN §2.1-2.2, every shock 0, every project on
time) of city demand against capacity, for orientation only.
"""
import csv
import os
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET_PUPILS = {"kindergarten": 438680, "primary": 1003648, "junior": 448644, "senior": 213766}
TARGET_CLASS_SIZE = {"primary": 45.85, "junior": 48.93, "senior": 50.99}
CORE = {"zhongyuan", "erqi", "guancheng", "jinshui", "huiji", "zhengdong", "jingkai", "gaoxin", "hangkonggang"}


def central(v):
    """A number, or a distribution's central value as --deterministic takes it (DESIGN §2.6)."""
    if not isinstance(v, dict):
        return float(v)
    return {"uniform": lambda: (v["low"] + v["high"]) / 2, "triangular": lambda: v["mode"],
            "normal": lambda: v["mean"], "lognormal": lambda: v["median"]}[v["dist"]]()


def path_value(p, year):
    if isinstance(p, (int, float)) or "dist" in p:
        return central(p)
    pts = sorted((int(k), central(v)) for k, v in p.items())
    if year <= pts[0][0]:
        return pts[0][1]
    if year >= pts[-1][0]:
        return pts[-1][1]
    for (y0, v0), (y1, v1) in zip(pts, pts[1:]):
        if y0 <= year <= y1:
            return v0 + (v1 - v0) * (year - y0) / (y1 - y0)


def load(toml_path):
    sc = tomllib.load(open(toml_path, "rb"))
    base = os.path.dirname(os.path.abspath(toml_path))
    parent = sc.get("scenario", {}).get("extends")
    if parent:  # deep merge over the parent; [data] paths relative to the declaring file
        par = load(os.path.join(base, parent))
        for k, v in sc.items():
            if k == "data":
                for dk, dv in v.items():
                    par["data"][dk] = os.path.join(base, dv)
            elif isinstance(v, dict) and isinstance(par.get(k), dict):
                merge(par[k], v)
            else:
                par[k] = v
        return par
    sc["data"] = {k: os.path.join(base, v) for k, v in sc["data"].items()}
    return sc


def merge(a, b):
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(a.get(k), dict):
            merge(a[k], v)
        else:
            a[k] = v


def rows(path):
    return list(csv.DictReader(open(path, encoding="utf-8")))


def project(sc, last_year):
    """Year -> the city's children by single year of age 0..17 on 1 September, base year to
    `last_year`: DESIGN §2.1 with every shock 0, district by district."""
    districts = rows(sc["data"]["districts"])
    ids = [d["id"] for d in districts]
    pop = {u: ([0.0] * 18, [0.0] * 18) for u in ids}
    for r in rows(sc["data"]["population"]):
        pop[r["district"]][0][int(r["age"])] = float(r["local"])
        pop[r["district"]][1][int(r["age"])] = float(r["migrant"])
    mig = sc.get("migration", {})
    surv = sc.get("demography", {}).get("survival", [1.0] * 18)
    stay = central(mig.get("migrant_stay", 1.0))
    prof = mig.get("age_profile", [1.0] * 18)
    prof = [x / sum(prof) for x in prof]
    a_s = sc["stages"]["senior"]["ages"][0]
    base = sc["scenario"]["base_year"]
    city = {base: [sum(pop[u][o][a] for u in ids for o in (0, 1)) for a in range(18)]}
    for t in range(base + 1, last_year + 1):
        tr = path_value(mig.get("trend", 1.0), t)
        for d in districts:
            new = []
            for o in (0, 1):
                q = [0.0] + [pop[d["id"]][o][a - 1] * surv[a - 1] for a in range(1, 18)]
                if o == 1:
                    q[a_s] *= stay
                else:
                    q[0] = float(d["births_base"]) * path_value(sc["births"]["index"], t)
                r = float(d["rate_local"] if o == 0 else d["rate_migrant"])
                p = [max(0.0, x * (1 + r * tr)) for x in q]
                if o == 1:
                    p = [p[a] + float(d["inflow"]) * tr * prof[a] for a in range(18)]
                new.append(p)
            pop[d["id"]] = (new[0], new[1])
        city[t] = [sum(pop[u][o][a] for u in ids for o in (0, 1)) for a in range(18)]
    return city


def main():
    toml_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "zhengzhou.toml")
    sc = load(toml_path)
    ok = True
    stages = {s: (v["ages"][0], v["ages"][1], v["class_size"]) for s, v in sc["stages"].items()}
    base = sc["scenario"]["base_year"]
    enrol = sc.get("enrolment", {})
    private = sc.get("private_share", {})
    districts = rows(sc["data"]["districts"])
    ids = [d["id"] for d in districts]
    pop = {u: ([0.0] * 18, [0.0] * 18) for u in ids}
    prow = rows(sc["data"]["population"])
    for r in prow:
        pop[r["district"]][0][int(r["age"])] = float(r["local"])
        pop[r["district"]][1][int(r["age"])] = float(r["migrant"])
    cap = {(r["district"], r["stage"]): (int(r["schools"]), int(r["classes"])) for r in rows(sc["data"]["capacity"])}
    projects = rows(sc["data"]["projects"])
    if len(districts) != 16 or len(prow) != 288 or len(cap) != 64:
        print("FAIL: row counts", len(districts), len(prow), len(cap))
        ok = False
    for (u, s), (n, c) in cap.items():
        if (n > 0 and c < n) or (n == 0 and c != 0):
            print("FAIL capacity", u, s, n, c)
            ok = False
    seen = set()
    for p in projects:
        if p["id"] in seen or p["kind"] not in ("new", "expansion", "closure") or int(p["classes"]) < 1 \
                or not 2021 <= int(p["planned_year"]) <= 2035 or p["status"] not in ("planned", "estimated") \
                or p["district"] not in ids or p["stage"] not in stages:
            print("FAIL project", p)
            ok = False
        seen.add(p["id"])
        dl = [p.get(k, "") for k in ("on_time", "one_year", "two_years", "never")]
        if any(dl) and (not all(dl) or abs(sum(map(float, dl)) - 1) > 1e-9):
            print("FAIL project delay", p)
            ok = False

    print(f"Base year {base}: enrolled = sum(local+migrant) x enrol[stage]({base})")
    print(f"{'stage':13s} {'enrolled':>10s} {'target':>10s} {'diff':>7s} {'public dem':>10s} "
          f"{'pub cls':>7s} {'pub sch':>7s} {'pupils/cls':>10s} {'bulletin':>8s}")
    for s, (a0, a1, size) in stages.items():
        e = sum(pop[u][o][a] for u in ids for o in (0, 1) for a in range(a0, a1 + 1)) * path_value(enrol.get(s, 1.0), base)
        dem = e * (1 - path_value(private.get(s, 0.0), base))
        cls = sum(cap[(u, s)][1] for u in ids)
        sch = sum(cap[(u, s)][0] for u in ids)
        diff = e / TARGET_PUPILS[s] - 1
        tcs = TARGET_CLASS_SIZE.get(s)
        print(f"{s:13s} {e:10.0f} {TARGET_PUPILS[s]:10d} {diff:+7.2%} {dem:10.0f} {cls:7d} {sch:7d} "
              f"{dem / cls:10.2f} {tcs if tcs else '-':>8}")
        if abs(diff) > 0.02:
            print("FAIL: enrolment off by more than 2%")
            ok = False
        if tcs and abs(dem / cls / tcs - 1) > 0.02:
            print("FAIL: public pupils per class off the bulletin by more than 2%")
            ok = False

    def mig_share(us, a0=6, a1=14):
        m = sum(pop[u][1][a] for u in us for a in range(a0, a1 + 1))
        t = sum(pop[u][o][a] for u in us for o in (0, 1) for a in range(a0, a1 + 1))
        return m / t
    core = [u for u in ids if u in CORE]
    rest = [u for u in ids if u not in CORE]
    print(f"migrant share of ages 6-14: urban core {mig_share(core):.1%}, other units {mig_share(rest):.1%}, "
          f"city {mig_share(ids):.1%}")
    for u in ids:
        print(f"   {u:13s} {mig_share([u]):.1%}", end="\n" if ids.index(u) % 4 == 3 else "")
    if abs(mig_share(core) - 0.38) > 0.01 or mig_share(rest) >= mig_share(core):
        print("FAIL: migrant shares")
        ok = False

    # ---- deterministic projection, for orientation -----------------------------------------
    horizon = sc["scenario"]["horizon"]
    ages = project(sc, horizon)
    print("\nDeterministic projection (no shocks, projects on time): city public demand / capacity seats")
    print("year  " + "  ".join(f"{s:>22s}" for s in stages) + "   age0      all 0-17   0-14")
    for t in range(base, horizon + 1):
        cells = []
        for s, (a0, a1, size) in stages.items():
            e = sum(ages[t][a0:a1 + 1]) * path_value(enrol.get(s, 1.0), t)
            dem = e * (1 - path_value(private.get(s, 0.0), t))
            cls = sum(cap[(u, s)][1] for u in ids)
            for p in projects:
                if p["stage"] == s and int(p["planned_year"]) <= t:
                    cls += (-1 if p["kind"] == "closure" else 1) * int(p["classes"])
            cells.append(f"{e / 1000:6.0f}k {dem / 1000:6.0f}k/{cls * size / 1000:5.0f}k")
        print(f"{t}  " + "  ".join(f"{c:>22s}" for c in cells)
              + f"  {ages[t][0] / 1000:5.0f}k  {sum(ages[t]) / 1000:7.0f}k  {sum(ages[t][:15]) / 1000:5.0f}k")
    print("(columns: enrolled, public demand / public seats, in thousands)")
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
