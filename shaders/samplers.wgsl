// Inertial and Metropolis step kernels: K fused steps per dispatch, the
// particle (and its velocity) in registers. Prepended by the host: `const D`,
// the ParticleParams struct (src/gpu/layout.ts), philox.wgsl and common.wgsl.
// Variant flags: BAOAB, MALA, HMC (exactly one), INERTIAL (BAOAB or HMC),
// METROPOLIS (MALA or HMC), KINETICS (WORK, PASSAGE, ABSORB: shaders/kinetics.wgsl;
// with WORK the gradient and energy are recomputed under each step's parameters). Mirrors src/integrators/inertial.ts and
// metropolis.ts line for line; coefficients per step in `coef`
// (src/integrators/coefficients.ts):
//   BAOAB (h, c1 = exp(-gamma h), c2 = sqrt(T (1 - c1^2)), T)
//   MALA  (h, sigma = sqrt(2 h T), T, 0)
//   HMC   (h, sqrt(T), T, 0)
// Normals: stream 0, normal number n D + d for step n (the O-step, the MALA
// proposal, the HMC refresh). Accept uniform of step n: stream 3, output
// n mod 4 of call n / 4.

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: ParticleParams;
@group(0) @binding(1) var<storage, read_write> positions: array<f32>;
@group(0) @binding(2) var<storage, read> coef: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> potential_params: array<f32>;
#if INERTIAL
@group(0) @binding(4) var<storage, read_write> velocities: array<f32>;
// (1/m_d, 1/sqrt(m_d)) per coordinate
@group(0) @binding(5) var<storage, read> inv_mass: array<vec2<f32>>;
#endif
#if METROPOLIS
// accepted moves per particle since the last read-back (the host clears it)
@group(0) @binding(6) var<storage, read_write> accepts: array<f32>;
#endif
#if KINETICS
@group(0) @binding(7) var<storage, read_write> kinetics: array<vec4<u32>>;
#endif

//!potential

// Uniform number n of the particle's accept stream (n < 2^32: the call's high word is 0).
fn accept_uniform(id: vec2<u32>, n: u32, key: vec2<u32>) -> f32 {
  let b = philox4x32(vec4<u32>(id.x, n >> 2u, 0u, stream_word(STREAM_ACCEPT, id)), key);
  return u01(b[n & 3u]);
}

// Metropolis-Hastings: accept iff ln u < -dH / T + log_q; at T = 0 iff dH <= 0.
fn metropolis_accepts(u: f32, dh: f32, log_q: f32, t: f32) -> bool {
  if (is_nonfinite(dh)) {
    return false;
  }
  if (t > 0.0) {
    return log(u) < -dh / t + log_q;
  }
  return dh <= 0.0;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid, WG);
  if (i >= params.count) {
    return;
  }
  let key = vec2<u32>(params.key_lo, params.key_hi);
  var x: array<f32, D>;
  for (var d = 0u; d < D; d++) {
    x[d] = positions[i * D + d];
  }
#if INERTIAL
  var v: array<f32, D>;
  for (var d = 0u; d < D; d++) {
    v[d] = velocities[i * D + d];
  }
#endif
  let id = particle_id(params.base, params.base_hi, i);
  var ns = ns_open(id, STREAM_NOISE, key, vec2<u32>(params.call_lo, params.call_hi), params.phase);
#if BATCH
  // momentum SGD: the gradient at the position of step n uses step n's mini-batch
  var g = batch_gradient(x, id, params.step0, key);
#else
  var g = potential_gradient(x);
#endif
#if KINETICS
  var kin = kinetics[i];
#endif
#if BAOAB
  for (var k = 0u; k < params.steps; k++) {
    let c = coef[k];
    let hh = 0.5 * c.x;
#if KINETICS
    if (!kinetics_before(x, k, &kin)) {
      continue;
    }
#endif
#if WORK
#if BATCH
    g = batch_gradient(x, id, params.step0 + k, key);
#else
    g = potential_gradient(x);
#endif
#endif
    for (var d = 0u; d < D; d++) {
      v[d] = v[d] - hh * g[d] * inv_mass[d].x;
      x[d] = x[d] + hh * v[d];
      v[d] = c.y * v[d] + c.z * inv_mass[d].y * ns_next(&ns);
      x[d] = x[d] + hh * v[d];
    }
#if BATCH
    g = batch_gradient(x, id, params.step0 + k + 1u, key);
#else
    g = potential_gradient(x);
#endif
    for (var d = 0u; d < D; d++) {
      v[d] = v[d] - hh * g[d] * inv_mass[d].x;
    }
#if KINETICS
    kinetics_after(x, x, k, c, id, key, &kin);
#endif
  }
#else
  var e = potential_energy(x);
  var accepted = 0.0;
  for (var k = 0u; k < params.steps; k++) {
    let c = coef[k];
    let h = c.x;
    let t = c.z;
#if KINETICS
    if (!kinetics_before(x, k, &kin)) {
      continue;
    }
#endif
#if WORK
    e = potential_energy(x);
    g = potential_gradient(x);
#endif
    var y: array<f32, D>;
#if MALA
    var xi2 = 0.0;
    for (var d = 0u; d < D; d++) {
      let z = ns_next(&ns);
      xi2 += z * z;
      y[d] = x[d] - h * g[d] + c.y * z;
    }
    let ey = potential_energy(y);
    let gy = potential_gradient(y);
    var back = 0.0;
    for (var d = 0u; d < D; d++) {
      let r = x[d] - y[d] + h * gy[d];
      back += r * r;
    }
    var log_q = 0.0;
    if (t > 0.0) {
      log_q = -back / (4.0 * h * t) + 0.5 * xi2;
    }
    let dh = ey - e;
#else
    let hh = 0.5 * h;
    var v0: array<f32, D>;
    var kin0 = 0.0;
    for (var d = 0u; d < D; d++) {
      v[d] = c.y * inv_mass[d].y * ns_next(&ns);
      v0[d] = v[d];
      kin0 += 0.5 * v[d] * v[d] / inv_mass[d].x;
      y[d] = x[d];
    }
    var gy = g;
    for (var l = 0u; l < params.leapfrog; l++) {
      for (var d = 0u; d < D; d++) {
        v[d] = v[d] - hh * gy[d] * inv_mass[d].x;
        y[d] = y[d] + h * v[d];
      }
      gy = potential_gradient(y);
      for (var d = 0u; d < D; d++) {
        v[d] = v[d] - hh * gy[d] * inv_mass[d].x;
      }
    }
    var kin1 = 0.0;
    for (var d = 0u; d < D; d++) {
      kin1 += 0.5 * v[d] * v[d] / inv_mass[d].x;
    }
    let ey = potential_energy(y);
    let log_q = 0.0;
    let dh = ey + kin1 - (e + kin0);
#endif
    let u = accept_uniform(id, params.step0 + k, key);
    if (!is_nonfinite(ey) && metropolis_accepts(u, dh, log_q, t)) {
      x = y;
      g = gy;
      e = ey;
      accepted += 1.0;
    }
#if HMC
    else {
      v = v0;
    }
#endif
#if KINETICS
    kinetics_after(x, x, k, c, id, key, &kin);
#endif
  }
  accepts[i] += accepted;
#endif
  for (var d = 0u; d < D; d++) {
    positions[i * D + d] = x[d];
  }
#if INERTIAL
  for (var d = 0u; d < D; d++) {
    velocities[i * D + d] = v[d];
  }
#endif
#if KINETICS
  kinetics[i] = kin;
#endif
}
