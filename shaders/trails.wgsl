// Trails: the recent path of the first `tracked` particles, drawn as line
// segments from a ring of past positions (`history[slot][particle][d]`, filled
// by buffer copies from the simulation's own storage buffer: no read-back).
// Age 0 is the slot written last; older segments fade out. A segment whose
// ends are not both filled, or not finite, is pushed out of the clip volume.
// Prepended: `const D`, TrailParams, common.wgsl.

@group(0) @binding(0) var<uniform> params: TrailParams;
@group(0) @binding(1) var<storage, read> history: array<f32>;

struct VertexOut {
  @builtin(position) position: vec4<f32>,
  @location(0) color: vec4<f32>,
}

// Distinct hues for neighbouring particles (golden-ratio steps around the wheel).
fn hue(i: u32) -> vec3<f32> {
  let h = fract(f32(i) * 0.618034);
  return clamp(abs(fract(vec3<f32>(h, h + 2.0 / 3.0, h + 1.0 / 3.0)) * 6.0 - 3.0) - 1.0, vec3<f32>(0.0), vec3<f32>(1.0));
}

@vertex
fn vs(@builtin(vertex_index) v: u32, @builtin(instance_index) i: u32) -> VertexOut {
  var out: VertexOut;
  let age = v / 2u + v % 2u; // segment s joins ages s and s + 1
  let slot = (params.head + params.length - age % params.length) % params.length;
  let at = (slot * params.tracked + i) * D;
  let a = history[at + params.dim0];
  let b = history[at + params.dim1];
  let c = select(0.0, history[at + params.dim2], params.depth == 1u);
  let p = params.clip_from_world * vec4<f32>(a, b, c, 1.0);
  out.position = p;
  if (v / 2u + 1u >= params.filled || is_nonfinite(a) || is_nonfinite(b) || is_nonfinite(c) || p.w <= 0.0) {
    out.position = vec4<f32>(2.0, 2.0, 2.0, 1.0);
  }
  let fade = 1.0 - f32(age) / f32(params.length);
  out.color = vec4<f32>(mix(vec3<f32>(1.0), hue(i), 0.6) * fade * params.intensity, 1.0);
  return out;
}

@fragment
fn fs(in: VertexOut) -> @location(0) vec4<f32> {
  return in.color;
}
