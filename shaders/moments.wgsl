// Moments reduction in tiles (src/sums.ts): workgroup t reduces the shard's
// particles [t·TILE, (t + 1)·TILE), TILE = WG·PER, thread lid visiting
// t·TILE + k·WG + lid for k = 0 … PER − 1. With CENTRED, a first pass finds
// the tile's mean m over the particles it sums (the shift of its sums); the second sums (x_d − m_d), (x_d − m_d)², E(x), the finite
// count, the non-finite count and the count within `radius` of `target`.
// Tree-reduced in workgroup memory and written as one row of Q floats:
// m[D], then those sums. A tile's row depends only on its particles, so an
// ensemble cut at tile boundaries gives the same rows; the host adds the rows
// exactly. Particle indices in row_best are the buffer's own (0 … count − 1):
// the host adds the buffer's first global index (which may pass 2^32). (The mean pass evaluates the energy too, to leave out the particles
// the sums leave out: one far-away particle with an overflowing energy must
// not become the shift of its tile.) Also the tile's lowest energy, the global index of its particle
// (argmin) and, with ENERGY, that particle's position. Prepended: `const D`,
// MomentsParams, common.wgsl, reduce.wgsl. Without ENERGY, E is 0 and no
// potential is spliced in (velocities, acceptance counters); without
// CENTRED, m is 0 (counters: their integer sums stay exact).

override WG: u32 = 256u; // a power of two
const PER: u32 = 16u;
const Q: u32 = 3u * D + 4u;
const BIG: f32 = 3.0e38;

@group(0) @binding(0) var<uniform> params: MomentsParams;
@group(0) @binding(1) var<storage, read> positions: array<f32>;
#if ENERGY
@group(0) @binding(2) var<storage, read> potential_params: array<f32>;
#endif
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;
// target_d (D values) then radius^2; radius^2 < 0 means no target
@group(0) @binding(5) var<storage, read> target_ball: array<f32>;
// per row, BEST words: the lowest energy (f32 bits), its particle's index in
// this buffer (0xffffffff when the row has none), the lowest index of a
// non-finite particle (0xffffffff when none) and, with ENERGY, the argmin
// particle's D coordinates (f32 bits; 0 when none). One buffer, so a stage
// with a potential from data stays within the 8 storage buffers WebGPU
// guarantees.
@group(0) @binding(6) var<storage, read_write> row_best: array<u32>;
const BEST: u32 = 3u + D;

var<workgroup> scratch_index: array<u32, WG>;

#if ENERGY
//!potential
#endif

// whether particle i is summed: finite coordinates (and, with ENERGY, a finite energy)
fn summed(i: u32) -> bool {
  var x: array<f32, D>;
  var ok = true;
  for (var d = 0u; d < D; d++) {
    x[d] = positions[i * D + d];
    ok = ok && !is_nonfinite(x[d]);
  }
#if ENERGY
  if (ok) {
    ok = !is_nonfinite(potential_energy(x));
  }
#endif
  return ok;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let tile = wid.x + wid.y * nwg.x;
  let first = tile * WG * PER;
  if (first >= params.count) {
    return;
  }
  let end = min(first + WG * PER, params.count);
  var m: array<f32, D>;
#if CENTRED
  var sx: array<f32, D>;
  var n = 0.0;
  for (var k = 0u; k < PER; k++) {
    let i = first + k * WG + lid;
    if (i < end && summed(i)) {
      n += 1.0;
      for (var d = 0u; d < D; d++) {
        sx[d] += positions[i * D + d];
      }
    }
  }
  let n_tile = workgroup_sum(lid, n);
  for (var d = 0u; d < D; d++) {
    let s_tile = workgroup_sum(lid, sx[d]);
    m[d] = select(0.0, s_tile / n_tile, n_tile > 0.0);
  }
#endif
  var acc: array<f32, Q>;
  var best = BIG;
  var best_index = 0xffffffffu;
  var first_bad = 0xffffffffu;
  let r2 = target_ball[D];
  for (var k = 0u; k < PER; k++) {
    let i = first + k * WG + lid;
    if (i >= end) {
      break;
    }
    var x: array<f32, D>;
    var bad = false;
    for (var d = 0u; d < D; d++) {
      x[d] = positions[i * D + d];
      bad = bad || is_nonfinite(x[d]);
    }
    var e = 0.0;
#if ENERGY
    if (!bad) {
      e = potential_energy(x);
      bad = is_nonfinite(e);
    }
#endif
    if (bad) {
      acc[3u * D + 2u] += 1.0;
      // each thread visits increasing indices: the first is its lowest
      first_bad = min(first_bad, i);
    } else {
      for (var d = 0u; d < D; d++) {
        let dx = x[d] - m[d];
        acc[D + d] += dx;
        acc[2u * D + d] += dx * dx;
      }
      acc[3u * D] += e;
      acc[3u * D + 1u] += 1.0;
      if (e < best) {
        best = e;
        best_index = i;
      }
      if (r2 >= 0.0) {
        var dist2 = 0.0;
        for (var d = 0u; d < D; d++) {
          let dt = x[d] - target_ball[d];
          dist2 += dt * dt;
        }
        if (dist2 <= r2) {
          acc[3u * D + 3u] += 1.0;
        }
      }
    }
  }
  let row = params.row0 + tile;
  for (var d = 0u; d < D; d++) {
    acc[d] = m[d];
  }
  for (var q = 0u; q < Q; q++) {
    var total = acc[q];
    if (q >= D) {
      total = workgroup_sum(lid, acc[q]);
    }
    if (lid == 0u) {
      partials[row * Q + q] = total;
    }
  }
  // argmin: ties go to the lower particle index, so the answer is unique
  scratch[lid] = best;
  scratch_index[lid] = best_index;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      let e2 = scratch[lid + s];
      let i2 = scratch_index[lid + s];
      if (e2 < scratch[lid] || (e2 == scratch[lid] && i2 < scratch_index[lid])) {
        scratch[lid] = e2;
        scratch_index[lid] = i2;
      }
    }
    workgroupBarrier();
  }
  let best_row = scratch[0];
  let argmin = scratch_index[0];
  // the lowest index of a non-finite particle, reusing scratch_index
  workgroupBarrier();
  scratch_index[lid] = first_bad;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      scratch_index[lid] = min(scratch_index[lid], scratch_index[lid + s]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let at = row * BEST;
    row_best[at] = bitcast<u32>(best_row);
    row_best[at + 1u] = argmin;
    row_best[at + 2u] = scratch_index[0];
#if ENERGY
    for (var d = 0u; d < D; d++) {
      var v = 0.0;
      if (argmin != 0xffffffffu) {
        v = positions[argmin * D + d];
      }
      row_best[at + 3u + d] = bitcast<u32>(v);
    }
#endif
  }
}
