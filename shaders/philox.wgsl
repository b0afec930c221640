// Philox4x32-10 (Salmon et al., SC'11), bit-identical to src/rng/philox.ts.
// Counter = (particle, call index lo, call index hi, stream); key = 64-bit seed.

const PHILOX_M0: u32 = 0xd2511f53u;
const PHILOX_M1: u32 = 0xcd9e8d57u;
const PHILOX_W0: u32 = 0x9e3779b9u;
const PHILOX_W1: u32 = 0xbb67ae85u;
const PI: f32 = 3.141592653589793;

// High 32 bits of a 32x32 -> 64-bit product from 16-bit halves (WGSL has no
// u64). Exact for all inputs: 4 multiplies and 10 other ops, and every partial
// sum stays below 2^32 (u <= (2^16-1)^2 + 2^16-1 < 2^32, likewise v).
fn mulhi32(a: u32, b: u32) -> u32 {
  let al = a & 0xffffu;
  let ah = a >> 16u;
  let bl = b & 0xffffu;
  let bh = b >> 16u;
  let t = al * bl;
  let u = ah * bl + (t >> 16u);
  let v = al * bh + (u & 0xffffu);
  return ah * bh + (u >> 16u) + (v >> 16u);
}

fn philox4x32(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var r = 0u; r < 10u; r++) {
    if (r > 0u) {
      k = k + vec2<u32>(PHILOX_W0, PHILOX_W1);
    }
    let hi0 = mulhi32(PHILOX_M0, c.x);
    let lo0 = PHILOX_M0 * c.x;
    let hi1 = mulhi32(PHILOX_M1, c.z);
    let lo1 = PHILOX_M1 * c.z;
    c = vec4<u32>(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
  }
  return c;
}

// u32 -> uniform in [2^-24, 1 - 2^-24]; exact in f32, never 0 or 1.
fn u01(u: u32) -> f32 {
  return f32(u >> 9u) * 1.1920928955078125e-7 + 5.9604644775390625e-8;
}

// Box-Muller with the angle in (-pi, pi), where WGSL's sin and cos are accurate.
fn box_muller(u0: u32, u1: u32) -> vec2<f32> {
  let r = sqrt(-2.0 * log(u01(u0)));
  let t = PI * (2.0 * u01(u1) - 1.0);
  return vec2<f32>(r * cos(t), r * sin(t));
}

// A global particle index below 2^40 as (low word, high word): base + i with
// the carry, base = (base_lo, base_hi) the dispatch's first particle.
fn particle_id(base_lo: u32, base_hi: u32, i: u32) -> vec2<u32> {
  let lo = base_lo + i;
  return vec2<u32>(lo, base_hi + select(0u, 1u, lo < base_lo));
}

// Counter word 3: the stream plus 256 times the particle's high word (the
// stream itself below 2^32 particles; src/rng/philox.ts streamWord).
fn stream_word(stream: u32, id: vec2<u32>) -> u32 {
  return stream + (id.y << 8u);
}

// One particle's flat sequence of standard normals in one stream: normal number
// m is output (m mod 4) of call floor(m / 4). Mirrors NormalStream in philox.ts.
struct NormalStream {
  normals: vec4<f32>,
  call: vec2<u32>,
  phase: u32,
  particle: u32,
  stream: u32,
  key: vec2<u32>,
}

fn ns_refill(s: ptr<function, NormalStream>) {
  let b = philox4x32(vec4<u32>((*s).particle, (*s).call.x, (*s).call.y, (*s).stream), (*s).key);
  (*s).normals = vec4<f32>(box_muller(b.x, b.y), box_muller(b.z, b.w));
}

// A stream of particle `id` positioned at normal number m = call * 4 + phase.
fn ns_open(id: vec2<u32>, stream: u32, key: vec2<u32>, call: vec2<u32>, phase: u32) -> NormalStream {
  var s = NormalStream(vec4<f32>(0.0), call, phase, id.x, stream_word(stream, id), key);
  ns_refill(&s);
  return s;
}

fn ns_next(s: ptr<function, NormalStream>) -> f32 {
  if ((*s).phase == 4u) {
    (*s).phase = 0u;
    (*s).call.x = (*s).call.x + 1u;
    if ((*s).call.x == 0u) {
      (*s).call.y = (*s).call.y + 1u;
    }
    ns_refill(s);
  }
  let v = (*s).normals[(*s).phase];
  (*s).phase = (*s).phase + 1u;
  return v;
}
