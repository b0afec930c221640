"""Regenerate examples/sgld-mixture.csv: Welling & Teh (2011)'s mixture data.

100 points x_i ~ 1/2 N(theta1, 2) + 1/2 N(theta1 + theta2, 2) (2 is the
variance) at theta1 = 0, theta2 = 1, drawn with numpy's default_rng(8).
Run from the repository root: python3 examples/sgld-mixture-data.py
"""
import numpy as np

rng = np.random.default_rng(8)
n = 100
first = rng.random(n) < 0.5
d = np.where(first, rng.normal(0, np.sqrt(2), n), rng.normal(1, np.sqrt(2), n))
with open('examples/sgld-mixture.csv', 'w') as f:
    f.write('d\n' + ''.join('%.6f\n' % v for v in d))
