// Kinetics of the particle kernels (appended to the potential by
// ParticleKernel when the spec has a passage region or a parameter schedule;
// mirrors src/integrators/passage.ts and src/cpu/kinetics.ts). The kernel
// binds `kinetics`: per particle (first hit step + 1, or 0 while not hit;
// work sum bits; Kahan compensation bits; 0). Prepended by the host
// (src/gpu/kineticsSource.ts): `region_contains(x)` and
// `bridge_probability(a, b, t, h)` generated for the run's region, with its
// bounds as literals and the coordinates unrolled, and P_COUNT (scalar
// parameters per row of the parameter table).

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
