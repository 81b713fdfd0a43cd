#!/usr/bin/env python3
"""Checks of the peer's own pieces against brute force (run by hand: python3 test_peer.py).

Not part of seatsim's CI (no test there depends on numpy)."""

import numpy as np

import seatsim_peer as peer


def brute_cap(c, w, D, cap):
    """Class sizes under an admission cap by bisection on λ, one catchment at a time."""
    C = c.sum()
    if D > cap * C:
        return cap + (D - cap * C) * w / (c * w).sum()
    lo, hi = 0.0, cap / w[c > 0].min() + D
    for _ in range(200):
        lam = (lo + hi) / 2
        if np.minimum(cap * c, lam * c * w).sum() < D:
            lo = lam
        else:
            hi = lam
    return np.minimum(cap, hi * w)


class Stub(peer.StageSupply):
    """A StageSupply with given weights (trials × catchments × slots), bypassing the scenario."""

    def __init__(self, w, cap, city=False):
        self.w = w
        self.st = {"cap": cap, "city": city}
        self.w_max = self.catch_max(w)


def check_cap(city):
    rng = np.random.default_rng(5)
    T, G, S, cap = 400, 4, 12, 65.0
    w = rng.gamma(3.0, 1 / 3.0, (T, G, S))
    c = rng.integers(0, 40, (T, G, S)).astype(float)
    c[:, :, 9:] = 0.0  # padding slots
    c[:, 1, :] = np.where(rng.random((T, 1)) < 0.3, 0.0, c[:, 1, :])  # some empty catchments
    st = Stub(w, cap, city)
    C = st.catch(c)
    demand = C * rng.uniform(20, 75, C.shape)  # below, near and over the cap everywhere
    m = st.class_sizes(c, demand)
    worst = 0.0
    for t in range(T):
        for g in range(C.shape[1]):
            cs = c[t].ravel() if city else c[t, g]
            ws = w[t].ravel() if city else w[t, g]
            ms = m[t].ravel() if city else m[t, g]
            if cs.sum() == 0:
                continue
            ref = brute_cap(cs, ws, demand[t, g], cap)
            open_ = cs > 0
            worst = max(worst, np.abs(ms[open_] - ref[open_]).max())
            assert abs((ms * cs).sum() - demand[t, g]) < 1e-7 * demand[t, g] + 1e-9
    assert worst < 1e-7, worst
    print(f"water_fill ({'city' if city else 'district'} catchments): {T} trials agree with "
          f"bisection (worst {worst:.1e})")


def test_water_fill():
    check_cap(False)
    check_cap(True)


def test_ndtri():
    from statistics import NormalDist
    p = np.array([1e-12, 1e-6, 0.001, 0.02, 0.3, 0.5, 0.77, 0.98, 0.999999])
    ref = np.array([NormalDist().inv_cdf(x) for x in p])
    err = np.abs(peer.ndtri(p) - ref).max()
    assert err < 1e-8, err
    print(f"ndtri: worst error {err:.1e}")


def test_triangular():
    d = peer.Dist({"dist": "triangular", "low": 0.08, "mode": 0.15, "high": 0.22}, "x", 0, 1)
    x = d.sample(np.random.default_rng(1).random(400_000))
    mean = (0.08 + 0.15 + 0.22) / 3
    assert abs(x.mean() - mean) < 4 * x.std() / np.sqrt(x.size)
    print("triangular: mean within 4 SE")


if __name__ == "__main__":
    test_water_fill()
    test_ndtri()
    test_triangular()
