/**
 * The Python peers of `langevin bench` (Node only): EM on the 2-D double well
 * with the same N and steps, NumPy (vectorised, CPU), PyTorch (CUDA when
 * available) and JAX (jit, fori_loop) when python3 has them, each timed by
 * the same loop (one warm-up block, the median of three).
 */
import { spawnSync } from 'node:child_process';
import { DOUBLE_WELL, HEADLINE_INTEGRATOR, rowProvenance, type BenchRow } from './matrix.ts';

/**
 * Python peers, EM on the 2-D double well with the same N and steps: NumPy
 * (vectorised, CPU), PyTorch (CUDA when available) and JAX (jit, fori_loop) when
 * python3 has them. Each prints "median min max label"; a missing package is
 * skipped, a failing one reported.
 */
const PYTHON_PEERS: Record<string, string> = {
  numpy: `
import time, numpy as np
rng = np.random.default_rng(1)
x = np.full(N, 0.5); y = np.full(N, 0.5); s = (2*H)**0.5
def block():
    global x, y
    for _ in range(STEPS):
        x = x - H*4*x*(x*x - 1) + s*rng.standard_normal(N)
        y = y - H*y + s*rng.standard_normal(N)
LABEL = 'numpy ' + np.__version__ + ' (CPU)'
SYNC = lambda: None
`,
  torch: `
import time, torch
dev = 'cuda' if torch.cuda.is_available() else 'cpu'
g = torch.Generator(device=dev).manual_seed(1)
x = torch.full((N,), 0.5, device=dev); y = torch.full((N,), 0.5, device=dev); s = (2*H)**0.5
def block():
    global x, y
    for _ in range(STEPS):
        x = x - H*4*x*(x*x - 1) + s*torch.randn(N, device=dev, generator=g)
        y = y - H*y + s*torch.randn(N, device=dev, generator=g)
LABEL = 'torch ' + torch.__version__ + ' (' + (torch.cuda.get_device_name() if dev == 'cuda' else 'CPU') + ')'
SYNC = (lambda: torch.cuda.synchronize()) if dev == 'cuda' else (lambda: None)
`,
  jax: `
import time, jax, jax.numpy as jnp
from functools import partial
@partial(jax.jit, static_argnums=3)
def run(x, y, key, steps):
    s = (2*H)**0.5
    def body(i, c):
        x, y, key = c
        key, k1, k2 = jax.random.split(key, 3)
        x = x - H*4*x*(x*x - 1) + s*jax.random.normal(k1, x.shape)
        y = y - H*y + s*jax.random.normal(k2, y.shape)
        return x, y, key
    return jax.lax.fori_loop(0, steps, body, (x, y, key))
state = (jnp.full(N, 0.5), jnp.full(N, 0.5), jax.random.PRNGKey(1))
def block():
    global state
    state = run(*state, STEPS)
LABEL = 'jax ' + jax.__version__ + ' (' + str(jax.devices()[0]) + ')'
SYNC = lambda: state[0].block_until_ready()
`,
};

const PYTHON_TIMER = `
rates = []
for rep in range(4):
    SYNC(); t0 = time.perf_counter(); block(); SYNC()
    if rep: rates.append(N*STEPS/(time.perf_counter() - t0))
rates.sort()
print(rates[len(rates)//2], rates[0], rates[-1], LABEL.replace(' ', '_'))
`;

/** One Python peer's row, or undefined (said through `report`) when python3 lacks the package or the program failed. */
export function pythonPeerRow(peer: string, particles: number, steps: number, report: (line: string) => void): BenchRow | undefined {
  const probe = spawnSync('python3', ['-c', `import ${peer}`], { encoding: 'utf8' });
  if (probe.status !== 0) {
    report(`${peer}: not available (python3 cannot import ${peer})`);
    return undefined;
  }
  const script = `N, STEPS, H = ${particles}, ${steps}, 0.01\n${PYTHON_PEERS[peer]}\n${PYTHON_TIMER}`;
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) {
    report(`${peer}: failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-2).join(' ')}`);
    return undefined;
  }
  const [med, lo, hi, label] = r.stdout.trim().split('\n').at(-1)!.split(/\s+/);
  return {
    ...rowProvenance(),
    backend: label.replace(/_/g, ' '),
    device: label.replace(/_/g, ' '),
    software: !/cuda|gpu|nvidia|h100|h200/i.test(label),
    potential: DOUBLE_WELL.potential,
    integrator: HEADLINE_INTEGRATOR,
    dims: 2,
    particles,
    stepsPerDispatch: steps,
    histogram: false,
    particleStepsPerSecond: Number(med),
    spread: [Number(lo), Number(hi)],
  };
}
