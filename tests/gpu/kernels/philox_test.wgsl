// Test kernel: Philox blocks and normals for arbitrary (counter, key) inputs.
// Prepended by the test: philox.wgsl.

struct Input {
  counter: vec4<u32>,
  key: vec2<u32>,
  pad: vec2<u32>,
}

@group(0) @binding(0) var<storage, read> inputs: array<Input>;
@group(0) @binding(1) var<storage, read_write> blocks: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> normals: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&inputs)) {
    return;
  }
  let b = philox4x32(inputs[i].counter, inputs[i].key);
  blocks[i] = b;
  normals[i] = vec4<f32>(box_muller(b.x, b.y), box_muller(b.z, b.w));
}
