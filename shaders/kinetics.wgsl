// Kinetics of the particle kernels (appended to the potential by
// ParticleKernel when the spec has a passage region or a parameter schedule;
// mirrors src/integrators/passage.ts and src/cpu/kinetics.ts). The kernel
// binds `kinetics`: per particle (first hit step + 1, or 0 while not hit;
// work sum bits; Kahan compensation bits; 0). Prepended by the host
// (src/gpu/kineticsSource.ts): `region_contains(x)` and
// `bridge_probability(a, b, t, h)` generated for the run's region, with its
// bounds as literals and the coordinates unrolled, P_COUNT (scalar
// parameters per row of the parameter table) and the variant's KIN_PASSAGE,
// KIN_BRIDGE, KIN_ABSORB, KIN_WORK (the kernel's flags, as constants).

const STREAM_BRIDGE: u32 = 5u; // Stream.bridge (src/rng/philox.ts)

// Uniform number n of the particle's bridge stream.
fn bridge_uniform(id: vec2<u32>, n: u32, key: vec2<u32>) -> f32 {
  let b = philox4x32(vec4<u32>(id.x, n >> 2u, 0u, stream_word(STREAM_BRIDGE, id)), key);
  return u01(b[n & 3u]);
}

// Compensated (Kahan) addition of v to the work held in k.y (sum) and k.z (compensation).
fn work_add(k: ptr<function, vec4<u32>>, v: f32) {
  let s = bitcast<f32>((*k).y);
  let c = bitcast<f32>((*k).z);
  let y = v - c;
  let t = s + y;
  (*k).z = bitcast<u32>((t - s) - y);
  (*k).y = bitcast<u32>(t);
}

// The switch lambda_row -> lambda_{row+1} at fixed x: E(x; row + 1) - E(x; row).
fn switch_work(x: array<f32, D>, row: u32) -> f32 {
  param_row = row * P_COUNT;
  let e0 = potential_energy(x);
  param_row = (row + 1u) * P_COUNT;
  return potential_energy(x) - e0;
}

// Before step k of a dispatch (step.wgsl, samplers.wgsl): the passage test of
// step 0, the switch's work (param_row is left at row k + 1, the step's
// parameters), absorption. Returns whether the particle moves in this step.
fn kinetics_before(x: array<f32, D>, k: u32, kin: ptr<function, vec4<u32>>) -> bool {
  let live = params.flags == 1u;
  if (KIN_PASSAGE && live && (*kin).x == 0u && params.step0 + k == 0u && region_contains(x)) {
    (*kin).x = 1u;
  }
  if (KIN_WORK) {
    let w = switch_work(x, k);
    if (live) {
      work_add(kin, w);
    }
  }
  return !(KIN_ABSORB && live && (*kin).x != 0u);
}

// After step k: a particle not hit yet that is in the region, or whose
// Brownian bridge from x_old crossed into it (KIN_BRIDGE: em and lm, whose
// coefficients are (h, sigma, T, 0)), has hit step step0 + k + 1 (kept + 1).
fn kinetics_after(x_old: array<f32, D>, x: array<f32, D>, k: u32, c: vec4<f32>, id: vec2<u32>, key: vec2<u32>,
                  kin: ptr<function, vec4<u32>>) {
  if (!KIN_PASSAGE || params.flags != 1u || (*kin).x != 0u) {
    return;
  }
  if (region_contains(x)) {
    (*kin).x = params.step0 + k + 2u;
  } else if (KIN_BRIDGE) {
    let p = bridge_probability(x_old, x, c.z, c.x);
    // u01 never draws below 2^-24: a smaller probability draws no uniform
    if (p > 5.9604645e-8 && bridge_uniform(id, params.step0 + k, key) < p) {
      (*kin).x = params.step0 + k + 2u;
    }
  }
}
