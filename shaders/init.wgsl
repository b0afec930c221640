// Initial positions: x_d = a_d + b_d r_d with r_d a standard normal (NORMAL),
// a uniform in (0, 1) (UNIFORM) or 0 (point). Stream STREAM_INIT, normal / word
// number d. Prepended: `const D`, InitParams, philox.wgsl, common.wgsl.
// With VELOCITY the kernel writes initial velocities instead, from stream
// STREAM_VELOCITY (same normal numbers d).

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: InitParams;
@group(0) @binding(1) var<storage, read_write> positions: array<f32>;
@group(0) @binding(2) var<storage, read> affine: array<vec2<f32>>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_index(wid, nwg, lid, WG);
  if (i >= params.count) {
    return;
  }
  let key = vec2<u32>(params.key_lo, params.key_hi);
#if VELOCITY
  let stream = STREAM_VELOCITY;
#else
  let stream = STREAM_INIT;
#endif
  let id = particle_id(params.base, params.base_hi, i);
#if NORMAL
  var ns = ns_open(id, stream, key, vec2<u32>(0u, 0u), 0u);
#endif
  for (var d = 0u; d < D; d++) {
    let ab = affine[d];
#if NORMAL
    let r = ns_next(&ns);
#elif UNIFORM
    let r = u01(philox4x32(vec4<u32>(id.x, d / 4u, 0u, stream_word(stream, id)), key)[d % 4u]);
#else
    let r = 0.0;
#endif
    positions[i * D + d] = ab.x + ab.y * r;
  }
}
