// Test kernel: the mini-batch rows of (particle, step) pairs, as the step
// kernel draws them. Prepended by the test: const D, POTENTIAL_ROWS, BATCH_B,
// BATCH_SCALE, philox.wgsl, common.wgsl, stub potential functions, batch.wgsl.

@group(0) @binding(0) var<storage, read> inputs: array<vec4<u32>>; // particle, step, key_lo, key_hi
@group(0) @binding(1) var<storage, read_write> rows_out: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&inputs)) {
    return;
  }
  let v = inputs[i];
  let key = vec2<u32>(v.z, v.w);
#if REPLACE
  for (var c = 0u; 4u * c < BATCH_B; c++) {
    let r = batch_block(vec2<u32>(v.x, 0u), v.y, c, key);
    for (var q = 0u; q < 4u && 4u * c + q < BATCH_B; q++) {
      rows_out[i * BATCH_B + 4u * c + q] = r[q];
    }
  }
#else
  var r = batch_rows_floyd(vec2<u32>(v.x, 0u), v.y, key);
  for (var j = 0u; j < BATCH_B; j++) {
    rows_out[i * BATCH_B + j] = r[j];
  }
#endif
}
