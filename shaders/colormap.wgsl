// A perceptually ordered dark-blue -> teal -> green -> yellow ramp (five stops,
// linear between them), for energies mapped to t in [0, 1].
fn colormap(t: f32) -> vec3<f32> {
  let s = clamp(t, 0.0, 1.0) * 4.0;
  let i = min(u32(floor(s)), 3u);
  let f = s - f32(i);
  var stops = array<vec3<f32>, 5>(
    vec3<f32>(0.267, 0.005, 0.329),
    vec3<f32>(0.231, 0.322, 0.545),
    vec3<f32>(0.129, 0.569, 0.549),
    vec3<f32>(0.369, 0.788, 0.384),
    vec3<f32>(0.993, 0.906, 0.144),
  );
  return mix(stops[i], stops[i + 1u], f);
}
