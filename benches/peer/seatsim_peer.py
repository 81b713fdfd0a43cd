#!/usr/bin/env python3
"""An independent vectorised NumPy implementation of seatsim's model (DESIGN §2, README notes).

Written from the specification only, as a cross-check of the Rust engine and as the peer of
issue 24's speed benchmark. Every trial is a row of the arrays (trials × districts × ages,
trials × schools); Python loops run over years, stages and a handful of inputs, never over
trials. Random numbers come from one numpy Generator: the draws cannot match seatsim's, so
compare distributions (compare.py), not numbers. See README.md beside this file.

    python3 benches/peer/seatsim_peer.py scenarios/zhengzhou.toml --trials 5000 --seed 1 --out /tmp/peer
"""

import time

T_START = time.perf_counter()  # the timed run starts before numpy is imported

import argparse  # noqa: E402
import csv  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import tomllib  # noqa: E402
from statistics import NormalDist  # noqa: E402

import numpy as np  # noqa: E402

EPS_CEIL = 1e-9  # README note 5: ⌈x⌉ ignores floating-point noise below 1e-9
METRICS = [
    "enrolled",
    "demand",
    "capacity",
    "shortfall",
    "surplus",
    "utilization",
    "large_class_share",
    "super_large_class_share",
    "extra_classes_needed",
    "migrant_share",
    "teachers_needed",
    "spending",
    "surge_classes",
    "housing_pupils",
]
QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95]


class ScenarioError(Exception):
    """A scenario this peer cannot read (or does not implement)."""


# --------------------------------------------------------------------------------------------
# Normal distribution helpers (no scipy): Φ for scalars from the standard library, Φ⁻¹
# vectorised by Acklam's rational approximation (relative error < 1.2e-9).

_ND = NormalDist()
_A = [-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
      1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00]
_B = [-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
      6.680131188771972e01, -1.328068155288572e01]
_C = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
      -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00]
_D = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00,
      3.754408661907416e00]


def ndtri(p):
    """Φ⁻¹(p) for an array of p in (0, 1)."""
    p = np.asarray(p, dtype=float)
    out = np.empty_like(p)
    lo = p < 0.02425
    hi = p > 1 - 0.02425
    mid = ~(lo | hi)
    q = p[mid] - 0.5
    r = q * q
    out[mid] = ((((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5]) * q
                / (((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1))
    for mask, sign, pp in ((lo, 1.0, p[lo]), (hi, -1.0, 1 - p[hi])):
        q = np.sqrt(-2 * np.log(pp))
        out[mask] = sign * ((((((_C[0] * q + _C[1]) * q + _C[2]) * q + _C[3]) * q + _C[4]) * q + _C[5])
                            / ((((_D[0] * q + _D[1]) * q + _D[2]) * q + _D[3]) * q + 1))
    return out


# --------------------------------------------------------------------------------------------
# Scenario


class Dist:
    """An uncertain number (DESIGN §2.6), drawn by inverse CDF from its label's uniform."""

    def __init__(self, spec, key, lo, hi):
        self.kind = spec.get("dist")
        self.label = spec.get("draw", key)
        self.lo, self.hi = lo, hi
        self.p = {k: float(v) for k, v in spec.items() if k not in ("dist", "draw")}
        need = {"uniform": {"low", "high"}, "triangular": {"low", "mode", "high"},
                "normal": {"mean", "sd"}, "lognormal": {"median", "sd_log"}}
        if self.kind not in need or set(self.p) != need[self.kind]:
            raise ScenarioError(f"{key}: unsupported distribution {spec}")

    def central(self):
        p = self.p
        return {"uniform": lambda: (p["low"] + p["high"]) / 2, "triangular": lambda: p["mode"],
                "normal": lambda: p["mean"], "lognormal": lambda: p["median"]}[self.kind]()

    def sample(self, u):
        p = self.p
        if self.kind == "uniform":
            return p["low"] + u * (p["high"] - p["low"])
        if self.kind == "triangular":
            a, m, b = p["low"], p["mode"], p["high"]
            fc = (m - a) / (b - a)
            return np.where(u < fc, a + np.sqrt(u * (b - a) * (m - a)),
                            b - np.sqrt((1 - u) * (b - a) * (b - m)))
        if self.kind == "normal":  # conditioned on the key's valid range (README note 12)
            mu, sd = p["mean"], p["sd"]
            pa, pb = _ND.cdf((self.lo - mu) / sd), _ND.cdf((self.hi - mu) / sd)
            return np.clip(mu + sd * ndtri(pa + u * (pb - pa)), self.lo, self.hi)
        return p["median"] * np.exp(p["sd_log"] * ndtri(u))


def number(v, key, lo, hi):
    """A plain number or a Dist."""
    if isinstance(v, dict):
        return Dist(v, key, lo, hi)
    return float(v)


def path(v, key, lo, hi):
    """A path (DESIGN §2.2): sorted [(year, number|Dist)]; a single value is [(None, value)]."""
    if isinstance(v, dict) and "dist" not in v:
        return sorted((int(y), number(x, f"{key}.{y}", lo, hi)) for y, x in v.items())
    return [(None, number(v, key, lo, hi))]


def check_keys(table, allowed, where):
    bad = set(table) - set(allowed)
    if bad:
        raise ScenarioError(f"{where}: key(s) {sorted(bad)} not implemented by the peer")


def read_csv(path_):
    with open(path_, encoding="utf-8-sig", newline="") as f:
        return [r for r in csv.DictReader(f) if any(v.strip() for v in r.values())]


def merge(parent, child):
    """README "Scenario reference": tables merge key by key, other values replace; a
    distribution replaces the parent's number or distribution as a whole."""
    out = dict(parent)
    for k, v in child.items():
        p = out.get(k)
        if isinstance(v, dict) and isinstance(p, dict) and "dist" not in v and "dist" not in p:
            out[k] = merge(p, v)
        else:
            out[k] = v
    return out


def load_doc(file, seen=()):
    """A scenario file with its `extends` chain merged; [data] paths made absolute."""
    file = os.path.abspath(file)
    if file in seen:
        raise ScenarioError(f"{file}: extends loop")
    with open(file, "rb") as f:
        doc = tomllib.load(f)
    changes = doc.pop("changes", [])
    here = os.path.dirname(file)
    doc["data"] = {k: os.path.join(here, v) for k, v in doc.get("data", {}).items()}
    parent = doc.get("scenario", {}).pop("extends", None)
    if parent is None:
        doc["changes"] = changes
        return doc
    up = load_doc(os.path.join(here, parent), seen + (file,))
    # DESIGN §4: [[changes]] apply after the whole chain, a parent's before its child's
    inherited = up.pop("changes")
    out = merge(up, doc)
    out["changes"] = inherited + changes
    return out


def apply_sets(doc, changes):
    """README "[[changes]]": `set` = dotted key path outside [data], as if written in the file."""
    for ch in changes:
        if "set" not in ch:
            continue
        *parents, leaf = ch["set"].split(".")
        node = doc
        for k in parents:
            node = node.setdefault(k, {})
        node[leaf] = ch["value"]


def apply_pipeline_changes(projects, changes, make):
    """README "[[changes]]": drop / delay / resize / add, in file order, on the project list."""
    for ch in changes:
        ids = [p["id"] for p in projects]
        if "drop" in ch:
            projects.pop(ids.index(ch["drop"]))
        elif "delay" in ch:
            projects[ids.index(ch["delay"])]["year"] += int(ch["years"])
        elif "resize" in ch:
            projects[ids.index(ch["resize"])]["classes"] = int(ch["classes"])
        elif "add" in ch:
            projects.append(make({k: str(v) for k, v in ch["add"].items()}))
    return projects


class Scenario:
    """The parts of a scenario file that DESIGN §2 and the README notes give meaning to."""

    def __init__(self, file):
        doc = load_doc(file)
        changes = doc.pop("changes")
        apply_sets(doc, changes)
        here = os.path.dirname(os.path.abspath(file))
        check_keys(doc, ["scenario", "stages", "standards", "enrolment", "private_share", "births",
                         "demography", "migration", "drift", "construction", "warnings",
                         "teachers", "costs", "data", "labels", "plan", "housing"], file)
        sc = doc["scenario"]
        check_keys(sc, ["name", "base_year", "horizon", "trials", "seed"], "[scenario]")
        self.base, self.horizon = int(sc["base_year"]), int(sc["horizon"])
        self.trials, self.seed = int(sc.get("trials", 10000)), int(sc.get("seed", 1))
        self.years = list(range(self.base, self.horizon + 1))

        stages = []
        for sid, s in doc["stages"].items():
            check_keys(s, ["ages", "class_size", "dispersion", "admission_cap", "catchment",
                           "surge"], f"[stages.{sid}]")
            stages.append(dict(
                id=sid, a0=int(s["ages"][0]), a1=int(s["ages"][1]), cs=float(s["class_size"]),
                kappa=s.get("dispersion"), cap=s.get("admission_cap"),
                city=s.get("catchment", "district") == "city",
                surge=(s.get("surge") or {}).get("extra_classes")))
        self.stages = sorted(stages, key=lambda s: s["a0"])
        self.amax = max(s["a1"] for s in self.stages)
        self.a_senior = self.stages[-1]["a0"]

        st = doc.get("standards", {})
        self.large = float(st.get("large_class", 56))
        self.super_large = float(st.get("super_large_class", 66))
        self.underuse = float(st.get("underuse_threshold", 0.7))
        self.large_target = float(st.get("large_class_target", 0.0))
        self.super_target = float(st.get("super_large_class_target", 0.0))
        self.tolerance = float(st.get("shortfall_tolerance", 0.0))

        sids = [s["id"] for s in self.stages]
        enr, prv = doc.get("enrolment", {}), doc.get("private_share", {})
        self.enrol = {s: path(enr.get(s, 1.0), f"enrolment.{s}", 0.0, 3.0) for s in sids}
        self.private = {s: path(prv.get(s, 0.0), f"private_share.{s}", 0.0, 1.0) for s in sids}

        b = doc.get("births", {})
        check_keys(b, ["index", "sigma_city", "rho", "sigma_district"], "[births]")
        self.index = path(b.get("index", 1.0), "births.index", 0.0, 100.0)
        self.b_sigma_city, self.b_rho = float(b.get("sigma_city", 0)), float(b.get("rho", 0))
        self.b_sigma_d = float(b.get("sigma_district", 0))

        n_ages = self.amax + 1
        self.survival = np.array(doc.get("demography", {}).get("survival", [1.0] * n_ages), float)

        m = doc.get("migration", {})
        check_keys(m, ["migrant_stay", "trend", "inflow_scale", "rate_scale", "age_profile",
                       "sigma", "rho", "sigma_city", "rho_city"], "[migration]")
        self.stay = number(m.get("migrant_stay", 1.0), "migration.migrant_stay", 0.0, 1.0)
        self.trend = path(m.get("trend", 1.0), "migration.trend", 0.0, 100.0)
        self.inflow_scale = number(m.get("inflow_scale", 1.0), "migration.inflow_scale", 0, 100.0)
        self.rate_scale = number(m.get("rate_scale", 1.0), "migration.rate_scale", 0.0, 100.0)
        prof = np.array(m.get("age_profile", [1.0] * n_ages), float)
        prof = prof / prof.max()
        self.profile = prof / prof.sum()
        self.m_sigma, self.m_rho = float(m.get("sigma", 0)), float(m.get("rho", 0))
        self.m_sigma_city, self.m_rho_city = float(m.get("sigma_city", 0)), float(m.get("rho_city", 0))

        dr = doc.get("drift", {})
        check_keys(dr, ["trend", "enrolment", "private_share"], "[drift]")

        def drift(spec):
            return dict(sigma=float(spec["sigma"]), rho=float(spec.get("rho", 1.0)),
                        start=int(spec.get("from", self.base)), scale=spec.get("scale", "log"))

        self.drift_trend = drift(dr["trend"]) if "trend" in dr else None
        self.drift_enrol = {s: drift(v) for s, v in dr.get("enrolment", {}).items()}
        self.drift_private = {s: drift(v) for s, v in dr.get("private_share", {}).items()}

        cons = doc.get("construction", {})
        dl = cons.get("delay")
        if dl is None:
            self.delay = [1.0, 0.0, 0.0, 0.0]
            self.delay_rho = 0.0
        else:
            self.delay = [float(dl.get(k, 0)) for k in ("on_time", "one_year", "two_years", "never")]
            self.delay_rho = float(dl.get("correlation", 0))

        w = doc.get("warnings", {})
        keys = ["p_shortfall", "p_large_classes", "p_super_large_classes", "p_underused"]
        self.red = [float(w.get("red", {}).get(k, d)) for k, d in zip(keys, [0.5, 0.5, 0.5, 0.9])]
        self.amber = [float(w.get("amber", {}).get(k, d)) for k, d in zip(keys, [0.2, 0.2, 0.2, 0.5])]
        self.teachers = {k: float(v) for k, v in doc.get("teachers", {}).items()}
        self.costs = {k: (float(v["new"]), float(v["expansion"])) for k, v in doc.get("costs", {}).items()}

        data = doc["data"]
        check_keys(data, ["districts", "population", "capacity", "projects", "map", "housing"],
                   "[data]")
        dist_rows = read_csv(os.path.join(here, data["districts"]))
        self.districts = [r["id"] for r in dist_rows]
        di = {d: i for i, d in enumerate(self.districts)}
        self.births_base = np.array([float(r["births_base"]) for r in dist_rows])
        self.rate = np.array([[float(r["rate_local"]), float(r["rate_migrant"])] for r in dist_rows])
        self.inflow = np.array([float(r["inflow"]) for r in dist_rows])
        self.pop0 = np.zeros((len(dist_rows), 2, n_ages))
        for r in read_csv(os.path.join(here, data["population"])):
            a = int(r["age"])
            if a <= self.amax:
                self.pop0[di[r["district"]], :, a] = float(r["local"]), float(r["migrant"])
        si = {s: i for i, s in enumerate(sids)}
        self.schools = np.zeros((len(dist_rows), len(sids)), int)
        self.classes = np.zeros((len(dist_rows), len(sids)), int)
        for r in read_csv(os.path.join(here, data["capacity"])):
            self.schools[di[r["district"]], si[r["stage"]]] = int(r["schools"])
            self.classes[di[r["district"]], si[r["stage"]]] = int(r["classes"])

        def project(r):
            prof = [r.get(k, "") for k in ("on_time", "one_year", "two_years", "never")]
            return dict(
                id=r["id"], d=di[r["district"]], s=si[r["stage"]], kind=r["kind"].strip(),
                classes=int(r["classes"]), year=int(r["planned_year"]),
                profile=[float(x) for x in prof] if all(x.strip() for x in prof) else self.delay)

        rows = read_csv(os.path.join(here, data["projects"])) if "projects" in data else []
        self.projects = apply_pipeline_changes([project(r) for r in rows], changes, project)
        self.housing(doc.get("housing", {}), data, di, n_ages)

    def housing(self, hs, data, di, n_ages):
        """DESIGN §2.8 and README "New housing": the estates, their yields, types and delays."""
        check_keys(hs, ["yield", "types", "origin", "persons_per_dwelling", "delay"], "[housing]")
        self.estates = []
        self.h_yield = [number(v, f"housing.yield.{a}", 0.0, 5.0)
                        for a, v in enumerate(hs.get("yield", [0.0] * n_ages))]
        self.h_types = {k: number(v, f"housing.types.{k}", 0.0, 10.0)
                        for k, v in hs.get("types", {}).items()}
        self.h_origin = 0 if hs.get("origin", "migrant") == "local" else 1
        dl = hs.get("delay", {})
        self.h_delay = [float(dl.get(k, 0)) for k in ("on_time", "one_year", "two_years", "never")]
        if not dl:
            self.h_delay = [1.0, 0.0, 0.0, 0.0]
        self.h_rho = float(dl.get("correlation", 0))
        if "housing" not in data:
            return
        for r in read_csv(data["housing"]):
            self.estates.append(dict(id=r["id"], d=di[r["district"]], dwellings=float(r["dwellings"]),
                                     year=int(r["completion_year"]), type=(r.get("type") or "").strip()))

    def uncertain(self):
        """Every Dist of the scenario."""
        vals = [v for p in [self.index, self.trend, *self.enrol.values(), *self.private.values()]
                for _, v in p]
        vals += [self.stay, self.inflow_scale, self.rate_scale, *self.h_yield, *self.h_types.values()]
        return [v for v in vals if isinstance(v, Dist)]


# --------------------------------------------------------------------------------------------
# Draws


class Inputs:
    """The uncertain numbers of one batch of trials: each Dist as a (T,) array (or its centre)."""

    def __init__(self, sc, T, rng, deterministic):
        dists = sc.uncertain()
        labels = sorted({d.label for d in dists})
        u = {lb: rng.random(T) for lb in labels}
        for lb in labels:  # never 0 (README: a grid never 0 or 1)
            u[lb] = np.clip(u[lb], 2.0**-53, 1 - 2.0**-53)
        self.T, self.det = T, deterministic
        self.value = {id(d): (np.full(T, d.central()) if deterministic else d.sample(u[d.label]))
                      for d in dists}

    def num(self, v):
        return self.value[id(v)] if isinstance(v, Dist) else np.full(self.T, v)

    def at(self, p, t):
        """A path at year t: linear between the points, constant outside them."""
        if p[0][0] is None:
            return self.num(p[0][1])
        years = [y for y, _ in p]
        if t <= years[0]:
            return self.num(p[0][1])
        if t >= years[-1]:
            return self.num(p[-1][1])
        k = next(i for i, y in enumerate(years) if y > t)
        (y0, v0), (y1, v1) = p[k - 1], p[k]
        f = (t - y0) / (y1 - y0)
        return (1 - f) * self.num(v0) + f * self.num(v1)


def ar1(rng, T, n, shape, sigma, rho, det):
    """Stationary AR(1) series (DESIGN §2.1): list over n projection years of arrays `shape`."""
    if det or sigma == 0:
        return [np.zeros((T, *shape))] * n
    x = rng.normal(0, sigma, (T, *shape))
    out = [x]
    for _ in range(n - 1):
        x = rho * x + math.sqrt(1 - rho * rho) * rng.normal(0, sigma, (T, *shape))
        out.append(x)
    return out


def drift_series(rng, T, years, spec, det):
    """README "Drift": x_t = 0 for t ≤ from, then x_t = ρ·x_{t−1} + σ·N(0,1); dict year → (T,)."""
    x = np.zeros(T)
    out = {}
    for t in years:
        if spec is not None and not det and t > spec["start"]:
            x = spec["rho"] * x + spec["sigma"] * rng.standard_normal(T)
        out[t] = x
    return out


def delays(planned, profiles, rho, T, rng, det):
    """Opening year of every project (or estate, §2.8) per trial (DESIGN §2.3, Gaussian
    copula), inf = never. `planned` (P,) years, `profiles` (P, 4) probabilities."""
    P = len(planned)
    planned = np.array(planned, float)
    if det or P == 0:
        return np.broadcast_to(planned, (T, P)).copy()
    if rho > 0:
        v = math.sqrt(rho) * rng.standard_normal((T, 1)) + math.sqrt(1 - rho) * rng.standard_normal((T, P))
    else:
        v = rng.random((T, P))
    cum = np.cumsum(np.array(profiles, float), axis=1)  # (P, 4)
    outcome = np.zeros((T, P), int)
    for k in range(3):  # the last cumulative probability is 1: never passed
        c = cum[:, k]
        if rho > 0:
            thr = np.array([-np.inf if x <= 0 else np.inf if x >= 1 else _ND.inv_cdf(x) for x in c])
        else:
            thr = c
        outcome += v >= thr  # u passed the cumulative probability: a later outcome
    return np.where(outcome == 3, np.inf, planned + outcome)


# --------------------------------------------------------------------------------------------
# Supply of one stage


class StageSupply:
    """The schools of a stage in slots (trials × districts × schools): a district's existing
    schools first, then its new-school projects, then empty padding (never any class)."""

    def __init__(self, sc, si, opening, T, rng, det):
        st = sc.stages[si]
        self.st, self.T = st, T
        D = len(sc.districts)
        projs = [(j, p) for j, p in enumerate(sc.projects) if p["s"] == si]
        news = [[(j, p) for j, p in projs if p["kind"] == "new" and p["d"] == d] for d in range(D)]
        pools = [(j, p) for j, p in projs if p["kind"] in ("expansion", "closure")]
        n_exist = sc.schools[:, si]
        S = max(1, max(n_exist[d] + len(news[d]) for d in range(D)))
        self.n_exist = np.maximum(n_exist, 1).astype(float)[None, :]  # (1, D); 0 schools: no slot
        slot = np.arange(S)[None, :]
        self.exist = (slot < n_exist[:, None]).astype(float)  # (D, S)
        self.kin = np.where(self.exist > 0, slot, S + 1).astype(float)
        self.new_cls = np.zeros((D, S))
        self.new_open = np.full((T, D, S), np.inf)
        for d in range(D):
            for k, (j, p) in enumerate(news[d]):
                self.new_cls[d, n_exist[d] + k] = p["classes"]
                self.new_open[:, d, n_exist[d] + k] = opening[:, j]
        self.new_years = set(np.unique(self.new_open[np.isfinite(self.new_open)]).tolist())
        self._new_c = None
        self.base_classes = sc.classes[:, si].astype(float)
        self.pool_delta = np.zeros((len(pools), D))
        for i, (_, p) in enumerate(pools):
            self.pool_delta[i, p["d"]] = (1.0 if p["kind"] == "expansion" else -1.0) * p["classes"]
        self.pool_open = opening[:, [j for j, _ in pools]]
        # spending: every project of the stage, in millions of yuan (DESIGN §2.7)
        self.spend = None
        if st["id"] in sc.costs:
            new_c, exp_c = sc.costs[st["id"]]
            self.spend = np.zeros((len(projs), D))
            for i, (_, p) in enumerate(projs):
                c = {"new": new_c, "expansion": exp_c}.get(p["kind"], 0.0)
                self.spend[i, p["d"]] = p["classes"] * st["cs"] * c / 1e6
            self.spend_open = opening[:, [j for j, _ in projs]]
        # popularity weights, drawn once per trial (DESIGN §2.4, note 8)
        kappa = st["kappa"]
        if det or kappa is None:
            self.w = np.ones((T, D, S))
        else:
            self.w = rng.gamma(kappa, 1.0 / kappa, (T, D, S))
        self.w_max = self.catch_max(self.w)  # the most popular school of each catchment

    def catch_where(self, x, mask):
        """catch(x · mask) without the product."""
        ax = (1, 2) if self.st["city"] else 2
        s = np.add.reduce(x, axis=ax, where=mask)
        return s[:, None] if self.st["city"] else s

    def catch_max(self, x):
        return x.max(axis=(1, 2))[:, None] if self.st["city"] else x.max(axis=2)

    def catch(self, x):
        """Sum over the schools of each catchment: (T, D, S) -> (T, D), or (T, 1) city-wide."""
        return x.sum(axis=(1, 2))[:, None] if self.st["city"] else x.sum(axis=2)

    def pool(self, t):
        """Classes of the existing schools (note 1): base + opened expansions − closures, ≥ 0."""
        opened = (self.pool_open <= t).astype(float)
        return np.maximum(self.base_classes[None, :] + opened @ self.pool_delta, 0.0)

    def new_classes(self, t):
        """(T, D, S) classes of the new schools open in year t (recomputed only in a year in
        which some new school opens)."""
        if self._new_c is None or t in self.new_years:
            self._new_c = np.where(self.new_open <= t, self.new_cls, 0.0)
        return self._new_c

    def classes(self, pool, new_c):
        """(T, D, S) classes of every school: the pool split evenly (first schools take the odd)."""
        q = np.floor(pool / self.n_exist)
        r = pool - q * self.n_exist
        c = q[:, :, None] * self.exist  # padding and new-school slots have kin > any r
        c += self.kin < r[:, :, None]
        c += new_c
        return c

    def spending(self, t):
        if self.spend is None:
            return None
        return (self.spend_open == t).astype(float) @ self.spend

    def class_sizes(self, c, demand):
        """Pupils per class m (T, D, S) of every school, given catchment demand (T, G)."""
        w = self.w
        cw = c * w
        W = self.catch(cw)  # (T, G)
        with np.errstate(divide="ignore", invalid="ignore"):
            lam = np.where(W > 0, demand / W, 0.0)
        m = lam[:, :, None] * w
        cap = self.st["cap"]
        if cap is None:
            return m
        # note 11: the water-filling runs only where the most popular school would reach the cap
        # (judged on the heaviest weight of the catchment, open or not: a superset, still exact)
        need = lam * self.w_max >= cap
        if self.st["city"]:
            rows = np.flatnonzero(need[:, 0])
            if rows.size:
                m[rows] = self.water_fill(c[rows], w[rows], cw[rows], W[rows], demand[rows], float(cap))
            return m
        ti, di = np.nonzero(need)  # the catchments (trial, district) that need it
        if ti.size:
            sub = self.water_fill(c[ti, di][:, None], w[ti, di][:, None], cw[ti, di][:, None],
                                  W[ti, di][:, None], demand[ti, di][:, None], float(cap))
            m[ti, di] = sub[:, 0]
        return m

    def water_fill(self, c, w, cw, W, demand, cap):
        """Admission cap (DESIGN §2.4): D_i = min(cap·c_i, λ·c_i·w_i) summing to min(D, cap·C),
        then the excess over cap·C spread by c_i·w_i. λ by fixed-point iteration on the capped
        set, which only grows and ends exact: λ_{k+1} = (D − cap·Σ_capped c) / Σ_free c·w."""
        C = self.catch(c)
        with np.errstate(divide="ignore", invalid="ignore"):
            lam = np.where(W > 0, demand / W, 0.0)
            n_capped = -1
            while True:
                capped = lam[:, :, None] * w >= cap
                k = int(capped.sum())
                if k == n_capped:
                    break
                n_capped = k
                A = self.catch(np.where(capped, c, 0.0))
                B = self.catch(np.where(capped, 0.0, cw))
                lam = np.where(B > 0, (demand - cap * A) / B, lam)
            m = np.minimum(cap, lam[:, :, None] * w)
            excess = np.where(W > 0, (demand - cap * C) / W, 0.0)
        over = (demand > cap * C)[:, :, None]
        return np.where(over, cap + excess[:, :, None] * w, m)


# --------------------------------------------------------------------------------------------
# The projection


def simulate(sc, T, rng, det):
    """Yields (year, {(district index or 'ALL', stage id): {metric: (T,) array}}) year by year."""
    D, n_years = len(sc.districts), len(sc.years) - 1
    inp = Inputs(sc, T, rng, det)
    eps_city = ar1(rng, T, n_years, (), sc.b_sigma_city, sc.b_rho, det)
    eps_d = ar1(rng, T, n_years, (D,), sc.b_sigma_d, 0.0, det)
    xi_city = ar1(rng, T, n_years, (), sc.m_sigma_city, sc.m_rho_city, det)
    xi_d = ar1(rng, T, n_years, (D,), sc.m_sigma, sc.m_rho, det)
    d_trend = drift_series(rng, T, sc.years, sc.drift_trend, det)
    d_enrol = {s["id"]: drift_series(rng, T, sc.years, sc.drift_enrol.get(s["id"]), det)
               for s in sc.stages}
    d_priv = {s["id"]: drift_series(rng, T, sc.years, sc.drift_private.get(s["id"]), det)
              for s in sc.stages}
    opening = delays([p["year"] for p in sc.projects], [p["profile"] for p in sc.projects],
                     sc.delay_rho, T, rng, det)
    estates = Estates(sc, inp, T, rng, det)
    supply = [StageSupply(sc, i, opening, T, rng, det) for i in range(len(sc.stages))]

    stay = inp.num(sc.stay)[:, None]
    rate = np.broadcast_to(sc.rate, (T, *sc.rate.shape)).copy()  # (T, D, origin)
    rate[:, :, 1] *= inp.num(sc.rate_scale)[:, None]
    inflow = sc.inflow[None, :] * inp.num(sc.inflow_scale)[:, None]
    P = np.broadcast_to(sc.pop0, (T, *sc.pop0.shape)).copy()
    H = np.zeros_like(P) if sc.estates else None  # the housing cohort (README "housing_pupils")

    def age(X):
        Q = np.zeros_like(X)
        Q[:, :, :, 1:] = X[:, :, :, :-1] * sc.survival[:-1]  # 1. ageing and survival
        Q[:, :, 1, sc.a_senior] *= stay  # 2. senior-high return
        return Q

    for k, t in enumerate(sc.years):
        if t > sc.base:
            i = k - 1
            Q = age(P)
            births = sc.births_base[None, :] * inp.at(sc.index, t)[:, None]
            Q[:, :, 0, 0] = births * np.exp(eps_city[i][:, None] + eps_d[i])  # 3. births
            tr = inp.at(sc.trend, t)  # 4. migration (trend moved by its drift, note 14)
            spec = sc.drift_trend
            if spec is not None and spec["scale"] == "level":
                tr = np.maximum(0.0, tr + d_trend[t])
            else:
                tr = tr * np.exp(d_trend[t])
            mult = tr[:, None] * np.exp(xi_city[i][:, None] + xi_d[i])  # (T, D)
            growth = 1 + rate[:, :, :, None] * mult[:, :, None, None]
            P = np.maximum(0.0, Q * growth)
            P[:, :, 1, :] += (inflow * mult)[:, :, None] * sc.profile[None, None, :]
            if H is not None:  # §2.8: after step 4, estates completing in t add their children
                H = np.maximum(0.0, age(H) * growth)
                add = estates.children(t)
                P[:, :, sc.h_origin, :] += add
                H[:, :, sc.h_origin, :] += add
        yield t, metrics_of_year(sc, t, P, H, inp, d_enrol, d_priv, supply)


class Estates:
    """New housing (DESIGN §2.8): each estate's completion year per trial (its own delay
    profile and common factor) and the children it brings, dwellings · multiplier · yield."""

    def __init__(self, sc, inp, T, rng, det):
        self.sc, self.T = sc, T
        es = sc.estates
        self.done = delays([e["year"] for e in es], [sc.h_delay] * len(es), sc.h_rho, T, rng, det)
        self.yld = np.column_stack([inp.num(v) for v in sc.h_yield])  # (T, A)
        self.mult = [inp.num(sc.h_types[e["type"]]) if e["type"] else np.ones(T) for e in es]

    def children(self, t):
        """(T, D, A) children added in year t."""
        out = np.zeros((self.T, len(self.sc.districts), self.yld.shape[1]))
        for j, e in enumerate(self.sc.estates):
            now = (self.done[:, j] == t) * e["dwellings"] * self.mult[j]
            out[:, e["d"], :] += now[:, None] * self.yld
        return out


def metrics_of_year(sc, t, P, H, inp, d_enrol, d_priv, supply):
    out = {}
    for si, st in enumerate(sc.stages):
        sid, cs = st["id"], st["cs"]
        kids = P[:, :, :, st["a0"]:st["a1"] + 1].sum(axis=3)  # (T, D, 2)
        children = kids.sum(axis=2)
        migrants = kids[:, :, 1]
        enrol = inp.at(sc.enrol[sid], t) * np.exp(d_enrol[sid][t])
        priv = inp.at(sc.private[sid], t)
        if sid in sc.drift_private:
            x = d_priv[sid][t]
            with np.errstate(divide="ignore"):
                lo = np.log(priv) - np.log1p(-priv) + x
            priv = np.where((priv <= 0) | (priv >= 1), priv, 1 / (1 + np.exp(-lo)))
        enrolled = children * enrol[:, None]
        demand = enrolled * (1 - priv[:, None])
        housing = None  # README "housing_pupils": the public demand of the housing cohort
        if H is not None:
            housing = H[:, :, :, st["a0"]:st["a1"] + 1].sum(axis=(2, 3)) * enrol[:, None] * (1 - priv[:, None])

        sp = supply[si]
        pool = sp.pool(t) if t > sc.base else np.broadcast_to(sp.base_classes, demand.shape)
        new_c = sp.new_classes(t)
        C = pool + new_c.sum(axis=2)
        surge = np.zeros_like(demand)
        if st["surge"] is not None and t > sc.base:  # note 15
            f = st["surge"]
            need = np.ceil(demand / cs - C - EPS_CEIL)
            surge = np.where(demand > cs * C, np.minimum(np.floor(f * pool + EPS_CEIL), need), 0.0)
            surge = np.maximum(surge, 0.0)
        c = sp.classes(pool + surge, new_c)
        catch = demand.sum(axis=1, keepdims=True) if st["city"] else demand
        m = sp.class_sizes(c, catch)
        Cg = sp.catch(c)
        large = sp.catch_where(c, m >= sc.large)
        sup = sp.catch_where(c, m >= sc.super_large)
        per = m * c  # pupils of each school; a slot without a class has none and needs none
        per /= cs
        per -= EPS_CEIL
        np.ceil(per, out=per)
        per -= c
        np.maximum(per, 0.0, out=per)
        extra = sp.catch(per)
        extra = np.where(Cg > 0, extra, np.ceil(catch / cs - EPS_CEIL))
        spend = sp.spending(t) if t > sc.base else (np.zeros_like(demand) if sp.spend is not None else None)
        teach = sc.teachers.get(sid)

        def cell(dem, enr, cl, lg, sg, ex, mig, kid, sur, spd, hp):
            cap = cl * cs
            with np.errstate(divide="ignore", invalid="ignore"):
                r = dict(
                    enrolled=enr, demand=dem, capacity=cap,
                    shortfall=np.maximum(0.0, dem - cap), surplus=np.maximum(0.0, cap - dem),
                    utilization=np.where(cap > 0, dem / cap, np.nan),
                    large_class_share=np.where(cl > 0, lg / cl, 0.0),
                    super_large_class_share=np.where(cl > 0, sg / cl, 0.0),
                    extra_classes_needed=ex,
                    migrant_share=np.where(kid > 0, mig / kid, 0.0))
            if teach is not None:
                r["teachers_needed"] = dem / teach
            if spd is not None:
                r["spending"] = spd
            if st["surge"] is not None:
                r["surge_classes"] = sur
            if hp is not None:
                r["housing_pupils"] = hp
            return r

        def total(x):
            return None if x is None else x.sum(1)

        if st["city"]:
            out[("ALL", sid)] = cell(catch[:, 0], enrolled.sum(1), Cg[:, 0], large[:, 0], sup[:, 0],
                                     extra[:, 0], migrants.sum(1), children.sum(1),
                                     surge.sum(1), total(spend), total(housing))
            continue
        for d in range(len(sc.districts)):
            out[(d, sid)] = cell(demand[:, d], enrolled[:, d], Cg[:, d], large[:, d], sup[:, d],
                                 extra[:, d], migrants[:, d], children[:, d], surge[:, d],
                                 None if spend is None else spend[:, d],
                                 None if housing is None else housing[:, d])
        al = cell(demand.sum(1), enrolled.sum(1), Cg.sum(1), large.sum(1), sup.sum(1),
                  extra.sum(1), migrants.sum(1), children.sum(1), surge.sum(1),
                  total(spend), total(housing))
        al["shortfall"] = sum(out[(d, sid)]["shortfall"] for d in range(len(sc.districts)))
        al["surplus"] = sum(out[(d, sid)]["surplus"] for d in range(len(sc.districts)))
        out[("ALL", sid)] = al
    return out


# --------------------------------------------------------------------------------------------
# Across trials (DESIGN §2.5) and the files


def stats_rows(values):
    """values (T, K) -> (K, 9): mean, sd, P5, P25, P50, P75, P95, min, max; NaN column -> None."""
    T = values.shape[0]
    mean = values.mean(axis=0)
    sd = values.std(axis=0, ddof=1) if T > 1 else np.zeros(values.shape[1])
    srt = np.sort(values, axis=0)
    same = srt[0] == srt[-1]  # a cell equal in every trial: exactly that value, sd 0
    mean = np.where(same, srt[0], mean)
    sd = np.where(same, 0.0, sd)
    qs = [srt[int(math.floor(q * (T - 1)))] for q in QUANTILES]
    return np.column_stack([mean, sd, *qs, srt[0], srt[-1]]), srt


def band_rows(values, srt):
    """For compare.py, from this run's own trials: the kurtosis of each column (for the SE of
    the sd) and, for P5, P50, P95, the values at ranks ±4 SE of two runs' quantiles
    (rank ⌊q(n−1)⌋ ± 4·√(2·n·q(1−q)), distribution-free: ties and steps included)."""
    T = values.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = values - values.mean(axis=0)
        var = (dev**2).mean(axis=0)
        kurt = np.where(var > 0, (dev**4).mean(axis=0) / var**2, np.nan)
    cols = [kurt]
    for q in (0.05, 0.5, 0.95):
        r = int(math.floor(q * (T - 1)))
        h = int(math.ceil(4 * math.sqrt(2 * T * q * (1 - q))))
        cols += [srt[max(0, r - h)], srt[min(T - 1, r + h)]]
    return np.column_stack(cols)


def keep_patterns(spec):
    """seatsim's --keep-trials syntax: DISTRICT/STAGE/YEAR[/METRIC], parts a name or *."""
    pats = []
    for p in spec.split(","):
        parts = p.strip().split("/")
        if len(parts) not in (3, 4):
            raise ScenarioError(f"--keep-trials {p}: expected DISTRICT/STAGE/YEAR[/METRIC]")
        pats.append(parts + ["*"] * (4 - len(parts)))
    return pats


def kept(pats, key, metric):
    fields = [key[0], key[1], str(key[2]), metric]
    return any(all(a == "*" or a == b for a, b in zip(p, fields)) for p in pats)


def fmt(x):
    """10 significant digits, no exponent (README "Output files")."""
    if x != x:
        return ""
    if x == 0:
        return "0"
    s = f"{x:.10g}"
    if "e" in s:
        s = np.format_float_positional(x, precision=10, unique=False, fractional=False, trim="-")
    return s.rstrip(".")


def run(sc, T, seed, det, out_dir, chunk, keep=None, with_bands=False):
    rng = np.random.default_rng(seed)
    names = sc.districts + ["ALL"]
    cells = {}  # (district name, stage, year) -> {metric: list of (trial-chunk arrays)}
    for start in range(0, T, chunk):
        n = min(chunk, T - start)
        for t, res in simulate(sc, n, rng, det):
            for (d, sid), ms in res.items():
                key = (names[d] if d != "ALL" else "ALL", sid, t)
                slot = cells.setdefault(key, {})
                for mname, v in ms.items():
                    slot.setdefault(mname, []).append(np.asarray(v, float))
    # rows in seatsim's order: districts in file order then ALL, stages by age, years, metrics
    order = []
    for dn in names:
        for st in sc.stages:
            for t in sc.years:
                if (dn, st["id"], t) in cells:
                    order.append((dn, st["id"], t))
    summary, risk, bands, trials = [], [], [], []
    for key in order:
        ms = cells[key]
        mnames = [m for m in METRICS if m in ms]
        vals = np.column_stack([np.concatenate(ms[m]) for m in mnames])
        srow, srt = stats_rows(vals)
        brow = band_rows(vals, srt) if T > 1 and with_bands else None
        for j, mn in enumerate(mnames):
            if mn == "utilization" and np.isnan(vals[:, j]).any():
                summary.append([*key, mn] + [None] * 9)
            else:
                summary.append([*key, mn] + list(srow[j]))
                if brow is not None:
                    bands.append([*key, mn] + list(brow[j]))
            if keep and kept(keep, key, mn):
                trials.append((key, mn, vals[:, j]))
        v = {m: vals[:, j] for j, m in enumerate(mnames)}
        short, dem = v["shortfall"], v["demand"]
        util = v["utilization"]
        p = [np.mean(short > sc.tolerance * dem), np.mean(v["large_class_share"] > sc.large_target),
             np.mean(v["super_large_class_share"] > sc.super_target),
             np.mean(np.where(np.isnan(util), False, util < sc.underuse))]
        exp_short = srow[mnames.index("shortfall"), 0]
        p10 = np.sort(short)[int(math.floor(0.9 * (T - 1)))]
        if key[2] == sc.base:
            warn = "observed"
        elif any(x >= r for x, r in zip(p, sc.red)):
            warn = "red"
        elif any(x >= a for x, a in zip(p, sc.amber)):
            warn = "amber"
        else:
            warn = "green"
        risk.append([*key, *p, exp_short, warn, p10, exp_short, None])
    # one ranking of the projected cells a planner acts on (README "Risk, warnings and the ranking")
    city = {st["id"] for st in sc.stages if st["city"]}
    ranked = [i for i, r in enumerate(risk)
              if r[2] != sc.base and ((r[0] == "ALL") == (r[1] in city))]
    ranked.sort(key=lambda i: (-risk[i][7], -risk[i][9], -risk[i][5], -risk[i][4], -risk[i][3], i))
    for k, i in enumerate(ranked):
        risk[i][11] = k + 1
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "summary.csv"), "w", newline="") as f:
        f.write("district,stage,year,metric,mean,sd,p05,p25,p50,p75,p95,min,max\n")
        for r in summary:
            f.write(",".join([r[0], r[1], str(r[2]), r[3]] +
                             ["" if x is None else fmt(x) for x in r[4:]]) + "\n")
    if bands:
        with open(os.path.join(out_dir, "bands.csv"), "w", newline="") as f:
            f.write("district,stage,year,metric,kurtosis,p05_lo,p05_hi,p50_lo,p50_hi,p95_lo,p95_hi\n")
            for r in bands:
                f.write(",".join([r[0], r[1], str(r[2]), r[3]] + [fmt(x) for x in r[4:]]) + "\n")
    if keep:
        with open(os.path.join(out_dir, "trials.csv"), "w", newline="") as f:
            f.write("trial,district,stage,year,metric,value\n")
            for i in range(T):
                for key, mn, v in trials:
                    f.write(f"{i},{key[0]},{key[1]},{key[2]},{mn},{float(v[i])!r}\n")
    with open(os.path.join(out_dir, "risk.csv"), "w", newline="") as f:
        f.write("district,stage,year,p_shortfall,p_large_classes,p_super_large_classes,"
                "p_underused,expected_shortfall,warning,seats_for_p10,severity,rank\n")
        for r in risk:
            f.write(",".join([r[0], r[1], str(r[2])] + [fmt(x) for x in r[3:8]] + [r[8]] +
                             [fmt(r[9]), fmt(r[10]), "" if r[11] is None else str(r[11])]) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--trials", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--out", required=True)
    ap.add_argument("--deterministic", action="store_true")
    ap.add_argument("--chunk", type=int, default=2500, help="trials per vectorised batch")
    ap.add_argument("--keep-trials", metavar="CELLS",
                    help="also write trials.csv for these cells (seatsim's syntax)")
    ap.add_argument("--bands", action="store_true",
                    help="also write bands.csv (kurtosis and quantile rank bands, for compare.py)")
    a = ap.parse_args()
    try:
        keep = keep_patterns(a.keep_trials) if a.keep_trials else None
        sc = Scenario(a.scenario)
    except (ScenarioError, KeyError, ValueError) as e:
        print(f"seatsim_peer: {e}", file=sys.stderr)
        sys.exit(2)
    T = 1 if a.deterministic else (a.trials or sc.trials)
    seed = sc.seed if a.seed is None else a.seed
    run(sc, T, seed, a.deterministic, a.out, max(1, a.chunk), keep, a.bands)
    print(f"seatsim_peer: {T} trials in {time.perf_counter() - T_START:.2f} s wall "
          f"(process start, numpy import and inputs read, to files written) -> {a.out}")


if __name__ == "__main__":
    main()
