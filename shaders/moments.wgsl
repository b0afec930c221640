// Moments reduction: per workgroup, sums over its particles (grid-stride) of
// (x_d - shift_d), (x_d - shift_d)^2, E(x), the finite count and the non-finite
// count; tree-reduced in workgroup memory and written as one row of Q floats.
// The host sums the rows in float64. Prepended: `const D`, MomentsParams,
// common.wgsl.

override WG: u32 = 256u; // a power of two
const Q: u32 = 2u * D + 3u;

@group(0) @binding(0) var<uniform> params: MomentsParams;
@group(0) @binding(1) var<storage, read> positions: array<f32>;
@group(0) @binding(2) var<storage, read> potential_params: array<f32>;
@group(0) @binding(3) var<storage, read> shift: array<f32>;
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;

var<workgroup> scratch: array<f32, WG>;

//!potential

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  var acc: array<f32, Q>;
  let stride = nwg.x * WG;
  for (var i = wid.x * WG + lid; i < params.count; i += stride) {
    var x: array<f32, D>;
    var bad = false;
    for (var d = 0u; d < D; d++) {
      x[d] = positions[i * D + d];
      bad = bad || is_nonfinite(x[d]);
    }
    var e = 0.0;
    if (!bad) {
      e = potential_energy(x);
      bad = is_nonfinite(e);
    }
    if (bad) {
      acc[2u * D + 2u] += 1.0;
    } else {
      for (var d = 0u; d < D; d++) {
        let dx = x[d] - shift[d];
        acc[d] += dx;
        acc[D + d] += dx * dx;
      }
      acc[2u * D] += e;
      acc[2u * D + 1u] += 1.0;
    }
  }
  for (var q = 0u; q < Q; q++) {
    scratch[lid] = acc[q];
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s = s >> 1u) {
      if (lid < s) {
        scratch[lid] += scratch[lid + s];
      }
      workgroupBarrier();
    }
    if (lid == 0u) {
      partials[(params.row0 + wid.x) * Q + q] = scratch[0];
    }
    workgroupBarrier();
  }
}
