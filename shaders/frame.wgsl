// The edges of a box in configuration space (12 segments, line-list), for
// orientation in 3-D views; the edges along x, y and z are tinted red, green
// and blue. Prepended: FrameParams.

@group(0) @binding(0) var<uniform> params: FrameParams;

struct VertexOut {
  @builtin(position) position: vec4<f32>,
  @location(0) color: vec4<f32>,
}

@vertex
fn vs(@builtin(vertex_index) v: u32) -> VertexOut {
  // edge e runs along axis a = e / 4 from a corner whose other two bits are e % 4
  let e = v / 2u;
  let axis = e / 4u;
  let rest = e % 4u;
  var bits = array<u32, 3>(0u, 0u, 0u);
  bits[axis] = v % 2u;
  bits[(axis + 1u) % 3u] = rest & 1u;
  bits[(axis + 2u) % 3u] = rest >> 1u;
  let low = vec3<f32>(params.x_min, params.y_min, params.z_min);
  let high = vec3<f32>(params.x_max, params.y_max, params.z_max);
  let p = select(low, high, vec3<bool>(bits[0] == 1u, bits[1] == 1u, bits[2] == 1u));
  var out: VertexOut;
  out.position = params.clip_from_world * vec4<f32>(p, 1.0);
  var tint = array<vec3<f32>, 3>(vec3<f32>(1.0, 0.45, 0.45), vec3<f32>(0.45, 1.0, 0.45), vec3<f32>(0.5, 0.6, 1.0));
  out.color = vec4<f32>(tint[axis] * params.brightness, 1.0);
  return out;
}

@fragment
fn fs(in: VertexOut) -> @location(0) vec4<f32> {
  return in.color;
}
