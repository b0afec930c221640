// Particles drawn straight from the simulation's storage buffer: one small
// square sprite (two triangles, 6 vertices) per particle, at coordinates
// (dim0, dim1[, dim2]) mapped to clip space by `clip_from_world` (the view box
// in 2-D, the orbit camera in 3-D, where sprites keep their pixel size), coloured by energy
// (color_by_energy = 1) or a fixed colour, additively blended by the pipeline.
// Prepended: `const D`, PointParams, common.wgsl, colormap.wgsl, the potential.

@group(0) @binding(0) var<uniform> params: PointParams;
@group(0) @binding(1) var<storage, read> positions: array<f32>;
@group(0) @binding(2) var<storage, read> potential_params: array<f32>;

//!potential

struct VertexOut {
  @builtin(position) position: vec4<f32>,
  @location(0) color: vec4<f32>,
}

@vertex
fn vs(@builtin(vertex_index) v: u32, @builtin(instance_index) i: u32) -> VertexOut {
  var out: VertexOut;
  var x: array<f32, D>;
  var bad = false;
  for (var d = 0u; d < D; d++) {
    x[d] = positions[i * D + d];
    bad = bad || is_nonfinite(x[d]);
  }
  // corners of the sprite, in units of its half size
  var corners = array<vec2<f32>, 6>(vec2(-1.0, -1.0), vec2(1.0, -1.0), vec2(-1.0, 1.0), vec2(-1.0, 1.0), vec2(1.0, -1.0), vec2(1.0, 1.0));
  let z = select(0.0, x[params.dim2], params.depth == 1u);
  let p = params.clip_from_world * vec4<f32>(x[params.dim0], x[params.dim1], z, 1.0);
  let half = vec2<f32>(2.0 * params.point_size / params.width, 2.0 * params.point_size / params.height);
  out.position = vec4<f32>(p.xy + corners[v] * half * p.w, p.z, p.w);
  if (bad || p.w <= 0.0) {
    out.position = vec4<f32>(2.0, 2.0, 2.0, 1.0); // outside the clip volume: not drawn
  }
  var rgb = vec3<f32>(params.r, params.g, params.b);
  if (params.color_by_energy == 1u) {
    rgb = colormap((potential_energy(x) - params.e_min) / (params.e_max - params.e_min));
  }
  out.color = vec4<f32>(rgb, 1.0) * params.intensity;
  return out;
}

@fragment
fn fs(in: VertexOut) -> @location(0) vec4<f32> {
  return in.color;
}
