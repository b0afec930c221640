/**
 * Built-in potentials. Each is nothing but a named expression in x0…x{D−1}
 * and parameters, with defaults, so the GPU kernel, the CPU reference and
 * the quadrature all evaluate the very same formula (see expression.ts).
 *
 * A parameter marked `perDimension` (e.g. harmonic `k`) accepts a number or
 * one number per dimension and appears in the expression as k_0 … k_{D−1}.
 * Energies are in units of k_B T = 1 when T = 1; coordinates are dimensionless.
 */

/** A parameter of a built-in potential. */
export interface CatalogParam {
  /** value used when the spec does not give one */
  default: number;
  /** one value per dimension (named `name_0 … name_{D−1}` in the expression); a single number is broadcast */
  perDimension?: boolean;
  /** meaning and units */
  description: string;
}

/** A built-in potential. */
export interface CatalogEntry {
  /** the name used in specs, e.g. `double-well` */
  name: string;
  /** one sentence: what it is good for */
  description: string;
  /** human-readable formula, e.g. `E = ½ Σ k_i x_i²` */
  formula: string;
  /** the dimension it is defined for, or 'any' (1…16) */
  dims: number | 'any';
  /** parameters in uniform order, with defaults */
  params: Record<string, CatalogParam>;
  /** the expression for D dimensions, in x0…x{D−1} and the parameter names */
  expr(dims: number): string;
}

/** `f(0) + f(1) + … + f(n−1)` joined by ' + ' (or `empty` when n = 0). */
function sum(n: number, f: (i: number) => string, empty = '0'): string {
  return n === 0 ? empty : Array.from({ length: n }, (_, i) => f(i)).join(' + ');
}

/** Σ_{i≥1} x_i² for the transverse harmonic confinement of the one-dimensional landscapes. */
function transverse(dims: number): string {
  return dims > 1 ? ` + 0.5*k*(${sum(dims - 1, (i) => `x${i + 1}^2`)})` : '';
}

/** Müller–Brown (1979) constants, one column per Gaussian term. */
const MB = {
  A: [-200, -100, -170, 15],
  a: [-1, -1, -6.5, 0.7],
  b: [0, 0, 11, 0.6],
  c: [-10, -10, -6.5, 0.7],
  x0: [1, 0, -0.5, -1],
  y0: [0, 0.5, 1.5, 1],
};

/** `v − c` written without `− −`: `(x0 - 1)`, `(x0 + 0.5)` or `x0`. */
function shifted(v: string, c: number): string {
  return c === 0 ? v : c > 0 ? `(${v} - ${c})` : `(${v} + ${-c})`;
}

/** Σ c_j·t_j with zero terms dropped and signs folded: `-x + 0.6*y`. */
function linear(terms: [number, string][]): string {
  const kept = terms.filter(([c]) => c !== 0);
  return kept
    .map(([c, t], j) => {
      const mag = Math.abs(c) === 1 ? t : `${Math.abs(c)}*${t}`;
      return j === 0 ? (c < 0 ? `-${mag}` : mag) : c < 0 ? ` - ${mag}` : ` + ${mag}`;
    })
    .join('');
}

function muellerBrown(): string {
  const terms = MB.A.map((A, j) => {
    const dx = shifted('x0', MB.x0[j]);
    const dy = shifted('x1', MB.y0[j]);
    const exponent = linear([
      [MB.a[j], `${dx}^2`],
      [MB.b[j], `${dx}*${dy}`],
      [MB.c[j], `${dy}^2`],
    ]);
    return `${A < 0 ? '-' : ''}${Math.abs(A)}*exp(${exponent})`;
  });
  return `scale*(${terms.join(' + ').replace(/\+ -/g, '- ')})`;
}

/**
 * Two-component Gaussian mixture at ±m along x0, written so that neither
 * exponential can overflow: with u = m·x0/s²,
 *   −log(w e^{−|x−μ₁|²/2s²} + (1−w) e^{−|x−μ₂|²/2s²})
 *     = (|x|² + m²)/(2s²) − |u| − log(w e^{u−|u|} + (1−w) e^{−u−|u|}).
 */
function gaussianMixture(dims: number): string {
  const u = 'm*x0/s^2';
  return `(${sum(dims, (i) => `x${i}^2`)} + m^2)/(2*s^2) - abs(${u})` + ` - log(w*exp(${u} - abs(${u})) + (1 - w)*exp(-${u} - abs(${u})))`;
}

/** The built-in potentials, in the order `langevin potentials` lists them. */
export const CATALOG: readonly CatalogEntry[] = [
  {
    name: 'free',
    description: 'No force: pure diffusion (mean-squared displacement 2DTt for overdamped dynamics).',
    formula: 'E = 0',
    dims: 'any',
    params: {},
    expr: () => '0',
  },
  {
    name: 'harmonic',
    description: 'Independent springs; the Boltzmann distribution is Gaussian with variance T/k_i.',
    formula: 'E = ½ Σ_i k_i x_i²',
    dims: 'any',
    params: { k: { default: 1, perDimension: true, description: 'spring constant per dimension (energy / length²)' } },
    expr: (dims) => `0.5*(${sum(dims, (i) => `k_${i}*x${i}^2`)})`,
  },
  {
    name: 'double-well',
    description: 'Symmetric double well along x0 with minima at x0 = ±1, harmonic in the other dimensions.',
    formula: 'E = h (x0² − 1)² + ½ k Σ_{i≥1} x_i²',
    dims: 'any',
    params: {
      h: { default: 1, description: 'barrier height at x0 = 0 (energy)' },
      k: { default: 1, description: 'transverse spring constant (energy / length²)' },
    },
    expr: (dims) => `h*(x0^2 - 1)^2${transverse(dims)}`,
  },
  {
    name: 'tilted-double-well',
    description: 'Double well along x0 tilted by a linear term, so the two minima have different energies.',
    formula: 'E = h (x0² − 1)² + c x0 + ½ k Σ_{i≥1} x_i²',
    dims: 'any',
    params: {
      h: { default: 1, description: 'barrier height of the untilted well (energy)' },
      c: { default: 0.25, description: 'tilt (energy / length); c > 0 favours the well at x0 ≈ −1' },
      k: { default: 1, description: 'transverse spring constant (energy / length²)' },
    },
    expr: (dims) => `h*(x0^2 - 1)^2 + c*x0${transverse(dims)}`,
  },
  {
    name: 'mueller-brown',
    description: 'Müller–Brown surface: three minima (global −146.70 at (−0.558, 1.442)) joined by curved paths.',
    formula: 'E = scale Σ_{j=1..4} A_j exp(a_j (x−x_j)² + b_j (x−x_j)(y−y_j) + c_j (y−y_j)²), standard constants',
    dims: 2,
    params: { scale: { default: 1, description: 'factor multiplying the energy (use e.g. 0.05 to sample at T = 1)' } },
    expr: muellerBrown,
  },
  {
    name: 'rastrigin',
    description: 'Rastrigin function: a regular lattice of local minima; global minimum 0 at the origin.',
    formula: 'E = A D + Σ_i (x_i² − A cos(2π x_i))',
    dims: 'any',
    params: { A: { default: 10, description: 'amplitude of the cosine ripple (energy)' } },
    expr: (dims) => `A*${dims} + ${sum(dims, (i) => `(x${i}^2 - A*cos(2*pi*x${i}))`)}`,
  },
  {
    name: 'ackley',
    description:
      'Ackley function: nearly flat outer region, deep funnel with global minimum 0 at the origin ' +
      '(1e-30 is added under the square root so the gradient is 0, not NaN, at the origin).',
    formula: 'E = −a exp(−b √(Σ_i x_i² / D)) − exp(Σ_i cos(c x_i) / D) + a + e',
    dims: 'any',
    params: {
      a: { default: 20, description: 'depth of the funnel (energy)' },
      b: { default: 0.2, description: 'decay rate of the funnel (1 / length)' },
      c: { default: 2 * Math.PI, description: 'angular frequency of the ripple (1 / length)' },
    },
    expr: (dims) =>
      `-a*exp(-b*sqrt((${sum(dims, (i) => `x${i}^2`)})/${dims} + 1e-30))` + ` - exp((${sum(dims, (i) => `cos(c*x${i})`)})/${dims}) + a + e`,
  },
  {
    name: 'himmelblau',
    description: 'Himmelblau function: four minima of value 0, at (3, 2), (−2.805, 3.131), (−3.779, −3.283), (3.584, −1.848).',
    formula: 'E = (x² + y − 11)² + (x + y² − 7)²',
    dims: 2,
    params: {},
    expr: () => '(x0^2 + x1 - 11)^2 + (x0 + x1^2 - 7)^2',
  },
  {
    name: 'gaussian-mixture',
    description: 'Negative log of two isotropic Gaussians at (±m, 0, …): a smooth double well with known Boltzmann weights at T = 1.',
    formula: 'E = −log(w exp(−|x − μ₁|²/(2s²)) + (1 − w) exp(−|x − μ₂|²/(2s²))), μ₁,₂ = (±m, 0, …)',
    dims: 'any',
    params: {
      m: { default: 1.5, description: 'distance of each centre from the origin along x0 (length)' },
      w: { default: 0.5, description: 'weight of the component at +m, in (0, 1); the other has 1 − w' },
      s: { default: 0.5, description: 'standard deviation σ of each component (length)' },
    },
    expr: gaussianMixture,
  },
];
