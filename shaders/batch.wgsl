// Mini-batch gradients of a potential from data (src/rng/batch.ts is the
// bit-identical CPU side; the counter layout is documented there and in
// docs/ARCHITECTURE.md). Appended after the potential by the host, which
// declares BATCH_B (rows per batch, u32) and BATCH_SCALE (f32, N / B).
// Variant flag: REPLACE (rows drawn with replacement) or Floyd's algorithm.
//
//   g = grad prior(x) + (N / B) * sum_j grad example(x; row_j)

// The four rows of call c of (particle, step), with replacement.
fn batch_block(id: vec2<u32>, step: u32, c: u32, key: vec2<u32>) -> vec4<u32> {
  let u = philox4x32(vec4<u32>(id.x, step, c, stream_word(STREAM_BATCH, id)), key);
  return vec4<u32>(mulhi32(u.x, POTENTIAL_ROWS), mulhi32(u.y, POTENTIAL_ROWS), mulhi32(u.z, POTENTIAL_ROWS), mulhi32(u.w, POTENTIAL_ROWS));
}

// B distinct rows by Floyd's algorithm, in draw order.
fn batch_rows_floyd(id: vec2<u32>, step: u32, key: vec2<u32>) -> array<u32, BATCH_B> {
  var rows: array<u32, BATCH_B>;
  var u = vec4<u32>(0u);
  for (var j = 0u; j < BATCH_B; j++) {
    if ((j & 3u) == 0u) {
      u = philox4x32(vec4<u32>(id.x, step, j >> 2u, stream_word(STREAM_BATCH, id)), key);
    }
    let m = POTENTIAL_ROWS - BATCH_B + j;
    let t = mulhi32(u[j & 3u], m + 1u);
    var seen = false;
    for (var q = 0u; q < j; q++) {
      seen = seen || rows[q] == t;
    }
    rows[j] = select(t, m, seen);
  }
  return rows;
}

fn batch_gradient(x: array<f32, D>, id: vec2<u32>, step: u32, key: vec2<u32>) -> array<f32, D> {
  var s: array<f32, D>;
#if REPLACE
  for (var c = 0u; 4u * c < BATCH_B; c++) {
    let rows = batch_block(id, step, c, key);
    for (var q = 0u; q < 4u && 4u * c + q < BATCH_B; q++) {
      let ge = potential_example_gradient(x, rows[q]);
      for (var d = 0u; d < D; d++) {
        s[d] += ge[d];
      }
    }
  }
#else
  var rows = batch_rows_floyd(id, step, key);
  for (var j = 0u; j < BATCH_B; j++) {
    let ge = potential_example_gradient(x, rows[j]);
    for (var d = 0u; d < D; d++) {
      s[d] += ge[d];
    }
  }
#endif
  var g = potential_prior_gradient(x);
  for (var d = 0u; d < D; d++) {
    g[d] += BATCH_SCALE * s[d];
  }
  return g;
}
