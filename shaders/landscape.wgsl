// The energy landscape behind the particles: a full-screen triangle whose
// fragments evaluate the potential at the pixel's point of the view box (the
// other coordinates at `rest`), as a heat map with contour lines every
// `contour` energy units. Prepended: `const D`, LandscapeParams, colormap.wgsl,
// the potential.

@group(0) @binding(0) var<uniform> params: LandscapeParams;
@group(0) @binding(1) var<storage, read> potential_params: array<f32>;
@group(0) @binding(2) var<storage, read> rest: array<f32>;

//!potential

struct VertexOut {
  @builtin(position) position: vec4<f32>,
  @location(0) uv: vec2<f32>,
}

@vertex
fn vs(@builtin(vertex_index) v: u32) -> VertexOut {
  var corners = array<vec2<f32>, 3>(vec2(-1.0, -1.0), vec2(3.0, -1.0), vec2(-1.0, 3.0));
  var out: VertexOut;
  out.position = vec4<f32>(corners[v], 0.0, 1.0);
  out.uv = 0.5 * (corners[v] + vec2<f32>(1.0, 1.0));
  return out;
}

@fragment
fn fs(in: VertexOut) -> @location(0) vec4<f32> {
  var x: array<f32, D>;
  for (var d = 0u; d < D; d++) {
    x[d] = rest[d];
  }
  x[params.dim0] = mix(params.x_min, params.x_max, in.uv.x);
  x[params.dim1] = mix(params.y_min, params.y_max, in.uv.y);
  let e = potential_energy(x);
  let t = clamp((e - params.e_min) / (params.e_max - params.e_min), 0.0, 1.0);
  var color = colormap(t) * params.brightness;
  // contour lines: distance to the nearest multiple of `contour`, in pixels
  let level = e / params.contour;
  let distance = abs(fract(level + 0.5) - 0.5) / max(fwidth(level), 1e-6);
  let line = 1.0 - clamp(distance, 0.0, 1.0);
  color = mix(color, vec3<f32>(1.0, 1.0, 1.0), 0.5 * line);
  return vec4<f32>(color, 1.0);
}
