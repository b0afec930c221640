// Shared helpers of the particle kernels.

const STREAM_NOISE: u32 = 0u;
const STREAM_INIT: u32 = 1u;
const STREAM_VELOCITY: u32 = 2u;
const STREAM_ACCEPT: u32 = 3u;
const STREAM_BATCH: u32 = 4u;

// Global invocation index over a 2-D grid of workgroups (grids beyond 65 535
// workgroups are folded into y).
fn flat_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32, wg_size: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * wg_size + lid;
}

// Non-finite from the bit pattern: WGSL may assume finite math, so x != x is unreliable.
fn is_nonfinite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u;
}
