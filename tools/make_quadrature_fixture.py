#!/usr/bin/python3
"""Reference IG points and weights, as Captum computes them, for test/fixtures/quadrature.json.

    /usr/bin/python3 tools/make_quadrature_fixture.py   (instant; needs only numpy)

Captum's captum/attr/_utils/approximation_methods.py, restated with numpy:
  riemann_left/right/middle: alphas = np.linspace(...), step sizes 1/n;
  riemann_trapezoid: alphas = np.linspace(0, 1, n), step sizes 1/n halved at both ends;
  gausslegendre: alphas = 0.5 * (1 + leggauss(n)[0]), step sizes 0.5 * leggauss(n)[1].
"""
import json
from pathlib import Path

import numpy as np

ALPHAS = {
    "left": lambda n: np.linspace(0, 1 - 1 / n, n),
    "right": lambda n: np.linspace(1 / n, 1, n),
    "middle": lambda n: np.linspace(1 / (2 * n), 1 - 1 / (2 * n), n),
    "trapezoid": lambda n: np.linspace(0, 1, n),
}


def riemann(scheme, n):
    deltas = np.full(n, 1 / n)
    if scheme == "trapezoid":
        deltas[0] /= 2
        deltas[-1] /= 2
    return ALPHAS[scheme](n), deltas


def gauss_legendre(n):
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return 0.5 * (1 + nodes), 0.5 * weights


cases = []
for n in [1, 2, 3, 5, 8, 16, 50, 128]:
    for scheme in ["left", "right", "middle", "trapezoid", "gausslegendre"]:
        if scheme == "trapezoid" and n < 2:
            continue
        alphas, weights = gauss_legendre(n) if scheme == "gausslegendre" else riemann(scheme, n)
        cases.append({"scheme": scheme, "steps": n, "alphas": [float(a) for a in alphas], "weights": [float(w) for w in weights]})

out = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "quadrature.json"
out.parent.mkdir(parents=True, exist_ok=True)
out.write_text(json.dumps({"source": "numpy " + np.__version__ + ", Captum's formulas", "cases": cases}, indent=1))
print(f"wrote {out} ({len(cases)} cases)")
