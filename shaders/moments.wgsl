// Moments reduction: per workgroup, sums over its particles (grid-stride) of
// (x_d - shift_d), (x_d - shift_d)^2, E(x), the finite count, the non-finite
// count and the count within `radius` of `target`; tree-reduced in workgroup
// memory and written as one row of Q floats. Also the workgroup's lowest
// energy, the global index of its particle (argmin) and, with ENERGY, that
// particle's position, so the host learns the best particle in the same
// read-back. The host sums the rows in float64. Prepended: `const D`,
// MomentsParams, common.wgsl, reduce.wgsl. Without the ENERGY flag E is 0 and
// no potential is spliced in (velocity moments, acceptance counters).

override WG: u32 = 256u; // a power of two
const Q: u32 = 2u * D + 4u;
const BIG: f32 = 3.0e38;

@group(0) @binding(0) var<uniform> params: MomentsParams;
@group(0) @binding(1) var<storage, read> positions: array<f32>;
#if ENERGY
@group(0) @binding(2) var<storage, read> potential_params: array<f32>;
#endif
@group(0) @binding(3) var<storage, read> shift: array<f32>;
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;
// target_d (D values) then radius^2; radius^2 < 0 means no target
@group(0) @binding(5) var<storage, read> target_ball: array<f32>;
// per row, BEST words: the lowest energy (f32 bits), its particle's global
// index (0xffffffff when the row has none), the lowest global index of a
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

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  var acc: array<f32, Q>;
  var best = BIG;
  var best_index = 0xffffffffu;
  var first_bad = 0xffffffffu;
  let r2 = target_ball[D];
  let stride = nwg.x * WG;
  for (var i = wid.x * WG + lid; i < params.count; i += stride) {
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
      acc[2u * D + 2u] += 1.0;
      // the grid-stride loop visits increasing indices: the first is this thread's lowest
      first_bad = min(first_bad, params.base + i);
    } else {
      for (var d = 0u; d < D; d++) {
        let dx = x[d] - shift[d];
        acc[d] += dx;
        acc[D + d] += dx * dx;
      }
      acc[2u * D] += e;
      acc[2u * D + 1u] += 1.0;
      if (e < best) {
        best = e;
        best_index = params.base + i;
      }
      if (r2 >= 0.0) {
        var dist2 = 0.0;
        for (var d = 0u; d < D; d++) {
          let dt = x[d] - target_ball[d];
          dist2 += dt * dt;
        }
        if (dist2 <= r2) {
          acc[2u * D + 3u] += 1.0;
        }
      }
    }
  }
  for (var q = 0u; q < Q; q++) {
    let total = workgroup_sum(lid, acc[q]);
    if (lid == 0u) {
      partials[(params.row0 + wid.x) * Q + q] = total;
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
    let at = (params.row0 + wid.x) * BEST;
    row_best[at] = bitcast<u32>(best_row);
    row_best[at + 1u] = argmin;
    row_best[at + 2u] = scratch_index[0];
#if ENERGY
    for (var d = 0u; d < D; d++) {
      var v = 0.0;
      if (argmin != 0xffffffffu) {
        v = positions[(argmin - params.base) * D + d];
      }
      row_best[at + 3u + d] = bitcast<u32>(v);
    }
#endif
  }
}
