// Covariance reduction in tiles (src/sums.ts; the tiles of moments.wgsl):
// workgroup t reduces the shard's particles [t·TILE, (t + 1)·TILE). A first
// pass finds the tile's mean m over its particles with finite coordinates;
// the second sums, over the same particles, 1, (x_a − m_a) and
// (x_a − m_a)(x_b − m_b) for a ≤ b (row-major upper triangle). One row of Q
// floats per tile: m[D], the count, then those sums; the host adds the rows
// exactly. Prepended: `const D`, MomentsParams (count, row0; base unused),
// common.wgsl, reduce.wgsl.

override WG: u32 = 256u; // a power of two
const PER: u32 = 16u;
const Q: u32 = D + 1u + D + D * (D + 1u) / 2u;

@group(0) @binding(0) var<uniform> params: MomentsParams;
@group(0) @binding(1) var<storage, read> positions: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;

fn coordinates_finite(i: u32) -> bool {
  var ok = true;
  for (var d = 0u; d < D; d++) {
    ok = ok && !is_nonfinite(positions[i * D + d]);
  }
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
  var sx: array<f32, D>;
  var n = 0.0;
  for (var k = 0u; k < PER; k++) {
    let i = first + k * WG + lid;
    if (i < end && coordinates_finite(i)) {
      n += 1.0;
      for (var d = 0u; d < D; d++) {
        sx[d] += positions[i * D + d];
      }
    }
  }
  let n_tile = workgroup_sum(lid, n);
  var acc: array<f32, Q>;
  for (var d = 0u; d < D; d++) {
    let s_tile = workgroup_sum(lid, sx[d]);
    acc[d] = select(0.0, s_tile / n_tile, n_tile > 0.0);
  }
  acc[D] = n;
  for (var k = 0u; k < PER; k++) {
    let i = first + k * WG + lid;
    if (i < end && coordinates_finite(i)) {
      var dx: array<f32, D>;
      for (var d = 0u; d < D; d++) {
        dx[d] = positions[i * D + d] - acc[d];
      }
      var q = 2u * D + 1u;
      for (var a = 0u; a < D; a++) {
        acc[D + 1u + a] += dx[a];
        for (var b = a; b < D; b++) {
          acc[q] += dx[a] * dx[b];
          q++;
        }
      }
    }
  }
  let row = params.row0 + tile;
  for (var q = 0u; q < Q; q++) {
    var total = acc[q];
    if (q == D) {
      total = n_tile;
    } else if (q > D) {
      total = workgroup_sum(lid, acc[q]);
    }
    if (lid == 0u) {
      partials[row * Q + q] = total;
    }
  }
}
