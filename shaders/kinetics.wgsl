// Kinetics of the particle kernels (appended to the potential by
// ParticleKernel when the spec has a passage region or a parameter schedule;
// mirrors src/integrators/passage.ts and src/cpu/kinetics.ts). The kernel
// binds `kinetics`: per particle (first hit step + 1, or 0 while not hit;
// work sum bits; Kahan compensation bits; 0). Prepended by the host:
// REGION_ROW (the coef row of the region: row REGION_ROW + d holds
// (low_d, high_d, center_d, 0), row REGION_ROW + D holds (radius^2, 0, 0, 0)),
// REGION_BALL and P_COUNT (scalar parameters per row of the parameter table).

const STREAM_BRIDGE: u32 = 5u; // Stream.bridge (src/rng/philox.ts)

// Closed box (unbounded sides are -+3.4e38) or closed ball; false for a non-finite coordinate.
fn region_contains(x: array<f32, D>) -> bool {
  if (REGION_BALL) {
    var s = 0.0;
    for (var d = 0u; d < D; d++) {
      let r = x[d] - coef[REGION_ROW + d].z;
      s += r * r;
    }
    return !is_nonfinite(s) && s <= coef[REGION_ROW + D].x;
  }
  for (var d = 0u; d < D; d++) {
    let b = coef[REGION_ROW + d];
    if (is_nonfinite(x[d]) || !(x[d] >= b.x && x[d] <= b.y)) {
      return false;
    }
  }
  return true;
}

// Coordinate e of both ends within the box's bounds for every e != d.
fn others_inside(a: array<f32, D>, b: array<f32, D>, d: u32) -> bool {
  for (var e = 0u; e < D; e++) {
    let r = coef[REGION_ROW + e];
    if (e != d && !(a[e] >= r.x && a[e] <= r.y && b[e] >= r.x && b[e] <= r.y)) {
      return false;
    }
  }
  return true;
}

// Probability that the Brownian bridge from a to b (both outside the box) entered it within a step of size h at temperature t.
fn bridge_probability(a: array<f32, D>, b: array<f32, D>, t: f32, h: f32) -> f32 {
  let th = t * h;
  if (!(th > 0.0)) {
    return 0.0;
  }
  var miss = 1.0;
  for (var d = 0u; d < D; d++) {
    let r = coef[REGION_ROW + d];
    var dd = -1.0;
    if (a[d] < r.x && b[d] < r.x) {
      dd = (r.x - a[d]) * (r.x - b[d]);
    } else if (a[d] > r.y && b[d] > r.y) {
      dd = (a[d] - r.y) * (b[d] - r.y);
    }
    // a face's probability below e^-17 < 2^-24 (the smallest bridge uniform) cannot make a hit alone: skipped
    let q = dd / th;
    if (dd >= 0.0 && q < 17.0 && others_inside(a, b, d)) {
      miss *= 1.0 - exp(-q);
    }
  }
  return 1.0 - miss;
}

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
