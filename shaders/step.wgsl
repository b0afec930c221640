// Overdamped Langevin step kernel: K fused steps per dispatch, the particle in
// registers. Prepended by the host: `const D: u32`, the ParticleParams struct
// (from src/gpu/layout.ts), philox.wgsl and common.wgsl. Variant flags: LM,
// BATCH (mini-batch gradient of a potential from data, shaders/batch.wgsl),
// KINETICS (with WORK: parameter rows per step and the switch work; PASSAGE,
// BRIDGE, ABSORB: the first-passage test; shaders/kinetics.wgsl).
//
//   EM: x' = x - h grad E(x) + sigma_n xi_n
//   LM: x' = x - h grad E(x) + sigma_n (xi_n + xi_{n+1}) / 2
// with (h, sigma_n = sqrt(2 h T_n), T_n, 0) per step in `coef`
// (src/integrators/coefficients.ts).

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: ParticleParams;
@group(0) @binding(1) var<storage, read_write> positions: array<f32>;
@group(0) @binding(2) var<storage, read> coef: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> potential_params: array<f32>;
#if KINETICS
@group(0) @binding(7) var<storage, read_write> kinetics: array<vec4<u32>>;
#endif

//!potential

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid, WG);
  if (i >= params.count) {
    return;
  }
  var x: array<f32, D>;
  for (var d = 0u; d < D; d++) {
    x[d] = positions[i * D + d];
  }
  let id = particle_id(params.base, params.base_hi, i);
  var ns = ns_open(id, STREAM_NOISE, vec2<u32>(params.key_lo, params.key_hi),
                   vec2<u32>(params.call_lo, params.call_hi), params.phase);
#if LM
  var xi: array<f32, D>;
  for (var d = 0u; d < D; d++) {
    xi[d] = ns_next(&ns);
  }
#endif
#if KINETICS
  var kin = kinetics[i];
#endif
  for (var k = 0u; k < params.steps; k++) {
    let c = coef[k];
#if KINETICS
    if (!kinetics_before(x, k, &kin)) {
      continue;
    }
    let x_old = x;
#endif
#if BATCH
    let g = batch_gradient(x, id, params.step0 + k, vec2<u32>(params.key_lo, params.key_hi));
#else
    let g = potential_gradient(x);
#endif
    for (var d = 0u; d < D; d++) {
#if LM
      let next = ns_next(&ns);
      x[d] = x[d] - c.x * g[d] + c.y * (0.5 * (xi[d] + next));
      xi[d] = next;
#else
      x[d] = x[d] - c.x * g[d] + c.y * ns_next(&ns);
#endif
    }
#if KINETICS
    kinetics_after(x_old, x, k, c, id, vec2<u32>(params.key_lo, params.key_hi), &kin);
#endif
  }
  for (var d = 0u; d < D; d++) {
    positions[i * D + d] = x[d];
  }
#if KINETICS
  kinetics[i] = kin;
#endif
}
