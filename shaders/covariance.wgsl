// Covariance reduction: per workgroup, sums over its particles (grid-stride)
// with finite coordinates of 1, (x_a - shift_a) and (x_a - shift_a)(x_b - shift_b)
// for a <= b (row-major upper triangle); tree-reduced in workgroup memory and
// written as one row of Q floats; the host sums the rows in float64.
// Prepended: `const D`, MomentsParams (count, row0; base unused), common.wgsl, reduce.wgsl.

override WG: u32 = 256u; // a power of two
const Q: u32 = 1u + D + D * (D + 1u) / 2u;

@group(0) @binding(0) var<uniform> params: MomentsParams;
@group(0) @binding(1) var<storage, read> positions: array<f32>;
@group(0) @binding(2) var<storage, read> shift: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;


@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  var acc: array<f32, Q>;
  let stride = nwg.x * WG;
  for (var i = wid.x * WG + lid; i < params.count; i += stride) {
    var dx: array<f32, D>;
    var bad = false;
    for (var d = 0u; d < D; d++) {
      let v = positions[i * D + d];
      bad = bad || is_nonfinite(v);
      dx[d] = v - shift[d];
    }
    if (!bad) {
      acc[0] += 1.0;
      var q = 1u + D;
      for (var a = 0u; a < D; a++) {
        acc[1u + a] += dx[a];
        for (var b = a; b < D; b++) {
          acc[q] += dx[a] * dx[b];
          q++;
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
}
