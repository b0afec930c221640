// Histogram of one or two coordinates. Bin of x along axis a:
// t = (x[dim_a] - low_a) * scale_a in f32; in the box iff 0 <= t and floor(t) < bins_a.
// Flat bin = i0 * bins1 + i1 (the last axis fastest). Non-finite particles are
// never binned; in-box samples are counted in bin_counts, the others in
// totals[0] (outside). The host derives the finite count as in-box + outside.
// Variant PRIVATE: bins accumulate in workgroup memory, merged once per
// workgroup (when they fit); otherwise straight into global atomics.
// Prepended: `const D`, HistogramParams, common.wgsl.

override WG: u32 = 256u;
override PRIVATE_BINS: u32 = 1u;

@group(0) @binding(0) var<uniform> params: HistogramParams;
@group(0) @binding(1) var<storage, read> positions: array<f32>;
@group(0) @binding(2) var<storage, read_write> bin_counts: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> totals: array<atomic<u32>, 2>;

#if PRIVATE
var<workgroup> local_bins: array<atomic<u32>, PRIVATE_BINS>;
#endif

// Bin index of one coordinate, or -1 when outside [low, high).
fn axis_bin(x: f32, low: f32, scale: f32, bins: u32) -> i32 {
  let t = (x - low) * scale;
  if (!(t >= 0.0)) {
    return -1;
  }
  let b = floor(t);
  if (b >= f32(bins)) {
    return -1;
  }
  return i32(b);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let total = params.bins0 * params.bins1;
#if PRIVATE
  for (var b = lid; b < total; b += WG) {
    atomicStore(&local_bins[b], 0u);
  }
#endif
  workgroupBarrier();

  var outside = 0u;
  let stride = nwg.x * WG;
  for (var i = wid.x * WG + lid; i < params.count; i += stride) {
    let x0 = positions[i * D + params.dim0];
    let x1 = positions[i * D + params.dim1];
    var bad = false;
    for (var d = 0u; d < D; d++) {
      bad = bad || is_nonfinite(positions[i * D + d]);
    }
    if (bad) {
      continue;
    }
    let b0 = axis_bin(x0, params.low0, params.scale0, params.bins0);
    var b1 = 0;
    if (params.axes == 2u) {
      b1 = axis_bin(x1, params.low1, params.scale1, params.bins1);
    }
    if (b0 < 0 || b1 < 0) {
      outside += 1u;
      continue;
    }
    let flat = u32(b0) * params.bins1 + u32(b1);
#if PRIVATE
    atomicAdd(&local_bins[flat], 1u);
#else
    atomicAdd(&bin_counts[flat], 1u);
#endif
  }
  workgroupBarrier();

#if PRIVATE
  for (var b = lid; b < total; b += WG) {
    let c = atomicLoad(&local_bins[b]);
    if (c != 0u) {
      atomicAdd(&bin_counts[b], c);
    }
  }
#endif
  // out-of-box samples are rare where a histogram is well placed: one global atomic per thread that saw any
  if (outside != 0u) {
    atomicAdd(&totals[0], outside);
  }
}
