/**
 * The compiled peer of `langevin bench`: a small C program of the bench's
 * workload (2-D double well E = (x² − 1)² + ½y², EM, BAOAB or MALA, T = 1,
 * γ = 1, m = 1), kept here as a string because only dist/ ships with the
 * package. It draws the SAME random numbers as the engine (docs/ARCHITECTURE.md,
 * "Random numbers"): Philox4x32-10 with key = the seed, counter = (particle,
 * call low, call high, stream); normal m = n·D + d of stream 0 is output
 * m mod 4 of call ⌊m/4⌋ through Box–Muller r = √(−2 ln u0), t = π(2u1 − 1);
 * initial positions are uniforms of stream 1, BAOAB's thermal velocities
 * normals of stream 2, MALA's accept uniforms output n mod 4 of call ⌊n/4⌋ of
 * stream 3. So it is a true peer: `check` prints the positions after k steps,
 * which tests/bench-peer.test.ts compares with the engine's CPU backend.
 *
 * Layout: positions (and velocities) as separate arrays of x and y (what a C
 * programmer would write), tiles of TILE particles; within a tile the steps of
 * a block run over the tile's particles (the inner loop is the one a compiler
 * can vectorise), so each particle's state crosses memory once per block, as
 * in the engine. Threads (pthreads) split the particles in contiguous ranges.
 * Compiled with -DPEER_F32 the state and arithmetic are float32 (the GPU's
 * precision), else float64 (the CPU backend's).
 *
 * Usage: peer bench INTEGRATOR N STEPS REPS THREADS DT SEED LOW HIGH → one JSON
 * line (rates of REPS timed blocks of STEPS steps after a warm-up block);
 * peer check INTEGRATOR N STEPS DT SEED LOW HIGH → per particle "x y [vx vy]",
 * then "accepted A"; peer normals PARTICLE COUNT SEED → the first normals of
 * stream 0; peer philox C0 C1 C2 C3 K0 K1 → one block.
 */
export const C_PEER_SOURCE = String.raw`#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef PEER_F32
typedef float real;
#define LOG logf
#define SQRT sqrtf
#define SIN sinf
#define COS cosf
#define PREC "float32"
#else
typedef double real;
#define LOG log
#define SQRT sqrt
#define SIN sin
#define COS cos
#define PREC "float64"
#endif
#define TILE 256
#define PI_R ((real)3.14159265358979323846)

typedef struct {
  int integrator; /* 0 em, 1 baoab, 2 mala */
  size_t n;
  real h, s, c1, c2, T;
  uint32_t k0, k1;
  real *x, *y, *vx, *vy;
  uint64_t accepted;
} Run;

static inline void philox(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1, uint32_t *o) {
#pragma GCC unroll 10
  for (int r = 0; r < 10; r++) {
    if (r) { k0 += 0x9e3779b9u; k1 += 0xbb67ae85u; }
    uint64_t p0 = (uint64_t)0xd2511f53u * c0, p1 = (uint64_t)0xcd9e8d57u * c2;
    uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
    c0 = n0; c1 = (uint32_t)p1; c2 = n2; c3 = (uint32_t)p0;
  }
  o[0] = c0; o[1] = c1; o[2] = c2; o[3] = c3;
}

static inline real u01(uint32_t w) { return (real)(w >> 9) * (real)(1.0 / 8388608.0) + (real)(1.0 / 16777216.0); }

static inline void box_muller(uint32_t w0, uint32_t w1, real *z0, real *z1) {
  real r = SQRT(-2 * LOG(u01(w0))), t = PI_R * (2 * u01(w1) - 1);
  *z0 = r * COS(t);
#ifdef __FAST_MATH__
  *z1 = r * COS(t - PI_R / 2); /* not sin(t): GCC would fuse sin and cos of t into cexpi, which it cannot vectorise */
#else
  *z1 = r * SIN(t);
#endif
}

/* E = (x² − 1)² + ½ y² and its gradient */
static inline real energy(real x, real y) { real a = x * x - 1; return a * a + (real)0.5 * y * y; }
static inline real grad_x(real x) { return 4 * x * (x * x - 1); }

/* the words of the noise call of step n (normals 2n, 2n + 1 and, n even, those of step n + 1) */
static inline void noise_words(const Run *R, size_t i, uint64_t n, uint32_t *w) {
  uint64_t call = n >> 1;
  philox((uint32_t)i, (uint32_t)call, (uint32_t)(call >> 32), 0, R->k0, R->k1, w);
}

/* the normals of step n and, n even, of step n + 1 */
static inline void noise(const Run *R, size_t i, uint64_t n, real *z) {
  uint32_t w[4];
  noise_words(R, i, n, w);
  box_muller(w[0], w[1], z, z + 1);
  box_muller(w[2], w[3], z + 2, z + 3);
}

/* two steps n, n + 1 (n even) share one Philox call; a lone step uses half a call */
static void em_tile(Run *R, size_t i0, size_t i1, uint64_t n0, uint64_t n1) {
  real *restrict x = R->x, *restrict y = R->y, h = R->h, s = R->s;
  for (uint64_t n = n0; n < n1;) {
    if (!(n & 1) && n + 1 < n1) {
      for (size_t i = i0; i < i1; i++) {
        uint32_t w[4];
        real z0, z1, z2, z3, a = x[i], b = y[i];
        noise_words(R, i, n, w);
        box_muller(w[0], w[1], &z0, &z1);
        box_muller(w[2], w[3], &z2, &z3);
        a = a - h * grad_x(a) + s * z0;
        b = b - h * b + s * z1;
        x[i] = a - h * grad_x(a) + s * z2;
        y[i] = b - h * b + s * z3;
      }
      n += 2;
    } else {
      int o = (n & 1) ? 2 : 0;
      for (size_t i = i0; i < i1; i++) {
        uint32_t w[4];
        real z0, z1;
        noise_words(R, i, n, w);
        box_muller(w[o], w[o + 1], &z0, &z1);
        x[i] = x[i] - h * grad_x(x[i]) + s * z0;
        y[i] = y[i] - h * y[i] + s * z1;
      }
      n += 1;
    }
  }
}

/* one BAOAB step of one particle (velocity form, m = 1): B A O A B, the gradient kept for the next step */
static inline void baoab_step(const Run *R, real *a, real *b, real *u, real *v, real *ga, real *gb, real za, real zb) {
  real hh = R->h / 2, c1 = R->c1, c2 = R->c2;
  *u = *u - hh * *ga; *v = *v - hh * *gb;
  *a = *a + hh * *u; *b = *b + hh * *v;
  *u = c1 * *u + c2 * za; *v = c1 * *v + c2 * zb;
  *a = *a + hh * *u; *b = *b + hh * *v;
  *ga = grad_x(*a); *gb = *b;
  *u = *u - hh * *ga; *v = *v - hh * *gb;
}

static void baoab_tile(Run *R, size_t i0, size_t i1, uint64_t n0, uint64_t n1) {
  real *restrict x = R->x, *restrict y = R->y, *restrict vx = R->vx, *restrict vy = R->vy;
  real gx[TILE], gy[TILE];
  for (size_t i = i0; i < i1; i++) { gx[i - i0] = grad_x(x[i]); gy[i - i0] = y[i]; }
  for (uint64_t n = n0; n < n1;) {
    int pair = !(n & 1) && n + 1 < n1, o = (n & 1) ? 2 : 0;
    if (pair) {
      for (size_t i = i0; i < i1; i++) {
        uint32_t w[4];
        real z0, z1, z2, z3, a = x[i], b = y[i], u = vx[i], v = vy[i], ga = gx[i - i0], gb = gy[i - i0];
        noise_words(R, i, n, w);
        box_muller(w[0], w[1], &z0, &z1);
        box_muller(w[2], w[3], &z2, &z3);
        baoab_step(R, &a, &b, &u, &v, &ga, &gb, z0, z1);
        baoab_step(R, &a, &b, &u, &v, &ga, &gb, z2, z3);
        x[i] = a; y[i] = b; vx[i] = u; vy[i] = v; gx[i - i0] = ga; gy[i - i0] = gb;
      }
    } else {
      for (size_t i = i0; i < i1; i++) {
        uint32_t w[4];
        real z0, z1, a = x[i], b = y[i], u = vx[i], v = vy[i], ga = gx[i - i0], gb = gy[i - i0];
        noise_words(R, i, n, w);
        box_muller(w[o], w[o + 1], &z0, &z1);
        baoab_step(R, &a, &b, &u, &v, &ga, &gb, z0, z1);
        x[i] = a; y[i] = b; vx[i] = u; vy[i] = v; gx[i - i0] = ga; gy[i - i0] = gb;
      }
    }
    n += pair ? 2 : 1;
  }
}

/* one MALA step of one particle; returns 1 when accepted */
static inline int mala_step(const Run *R, real *a, real *b, real *ga, real *e, real z0, real z1, real u) {
  real h = R->h, s = R->s, T = R->T;
  real ya = *a - h * *ga + s * z0, yb = *b - h * *b + s * z1;
  real ey = energy(ya, yb), gya = grad_x(ya);
  real ra = *a - ya + h * gya, rb = *b - yb + h * yb;
  real logq = -(ra * ra + rb * rb) / (4 * h * T) + (real)0.5 * (z0 * z0 + z1 * z1);
  int ok = isfinite(ey) && LOG(u) < -(ey - *e) / T + logq;
  *a = ok ? ya : *a; *b = ok ? yb : *b; *ga = ok ? gya : *ga; *e = ok ? ey : *e;
  return ok;
}

static void mala_tile(Run *R, size_t i0, size_t i1, uint64_t n0, uint64_t n1) {
  real *restrict x = R->x, *restrict y = R->y;
  uint64_t acc = 0;
  for (uint64_t n = n0; n < n1;) {
    int pair = !(n & 1) && n + 1 < n1, o = (n & 1) ? 2 : 0;
    if (pair) {
      for (size_t i = i0; i < i1; i++) {
        uint32_t w[4], q[4];
        real z0, z1, z2, z3, a = x[i], b = y[i], ga = grad_x(a), e = energy(a, b);
        noise_words(R, i, n, w);
        box_muller(w[0], w[1], &z0, &z1);
        box_muller(w[2], w[3], &z2, &z3);
        philox((uint32_t)i, (uint32_t)(n >> 2), (uint32_t)(n >> 34), 3, R->k0, R->k1, q);
        acc += mala_step(R, &a, &b, &ga, &e, z0, z1, u01((n & 2) ? q[2] : q[0]));
        acc += mala_step(R, &a, &b, &ga, &e, z2, z3, u01((n & 2) ? q[3] : q[1]));
        x[i] = a; y[i] = b;
      }
    } else {
      for (size_t i = i0; i < i1; i++) {
        uint32_t w[4], q[4];
        real z0, z1, a = x[i], b = y[i], ga = grad_x(a), e = energy(a, b);
        noise_words(R, i, n, w);
        box_muller(w[o], w[o + 1], &z0, &z1);
        philox((uint32_t)i, (uint32_t)(n >> 2), (uint32_t)(n >> 34), 3, R->k0, R->k1, q);
        acc += mala_step(R, &a, &b, &ga, &e, z0, z1, u01(q[n & 3]));
        x[i] = a; y[i] = b;
      }
    }
    n += pair ? 2 : 1;
  }
  R->accepted += acc;
}

static void init(Run *R, real low, real high) {
  real T = R->T;
  for (size_t i = 0; i < R->n; i++) {
    uint32_t w[4];
    philox((uint32_t)i, 0, 0, 1, R->k0, R->k1, w);
    R->x[i] = low + (high - low) * u01(w[0]);
    R->y[i] = low + (high - low) * u01(w[1]);
    if (R->vx) {
      real z0, z1;
      philox((uint32_t)i, 0, 0, 2, R->k0, R->k1, w);
      box_muller(w[0], w[1], &z0, &z1);
      R->vx[i] = SQRT(T) * z0;
      R->vy[i] = SQRT(T) * z1;
    }
  }
}

static void range(Run *R, size_t i0, size_t i1, uint64_t n0, uint64_t n1) {
  for (size_t t = i0; t < i1; t += TILE) {
    size_t e = t + TILE < i1 ? t + TILE : i1;
    if (R->integrator == 0) em_tile(R, t, e, n0, n1);
    else if (R->integrator == 1) baoab_tile(R, t, e, n0, n1);
    else mala_tile(R, t, e, n0, n1);
  }
}

typedef struct { Run run; size_t i0, i1; uint64_t n0, n1; } Job;
static void *job(void *p) { Job *j = p; range(&j->run, j->i0, j->i1, j->n0, j->n1); return 0; }

/* one block of steps [n0, n1) on all threads; returns the accepted moves */
static uint64_t block(Run *R, int threads, uint64_t n0, uint64_t n1) {
  Job jobs[256];
  pthread_t tid[256];
  size_t per = ((R->n + threads - 1) / threads + TILE - 1) / TILE * TILE;
  uint64_t acc = 0;
  for (int t = 0; t < threads; t++) {
    jobs[t].run = *R; jobs[t].run.accepted = 0;
    jobs[t].i0 = per * t < R->n ? per * t : R->n;
    jobs[t].i1 = per * (t + 1) < R->n ? per * (t + 1) : R->n;
    jobs[t].n0 = n0; jobs[t].n1 = n1;
    if (t) pthread_create(&tid[t], 0, job, &jobs[t]);
  }
  job(&jobs[0]);
  for (int t = 0; t < threads; t++) { if (t) pthread_join(tid[t], 0); acc += jobs[t].run.accepted; }
  return acc;
}

static int which(const char *s) { return !strcmp(s, "em") ? 0 : !strcmp(s, "baoab") ? 1 : !strcmp(s, "mala") ? 2 : -1; }

static int setup(Run *R, const char *integrator, size_t n, double dt, unsigned long long seed) {
  R->integrator = which(integrator);
  if (R->integrator < 0) { fprintf(stderr, "integrator: got \"%s\"; allowed: em, baoab, mala\n", integrator); return 1; }
  R->n = n; R->h = (real)dt; R->T = 1; R->s = (real)sqrt(2 * dt);
  R->c1 = (real)exp(-dt); R->c2 = (real)sqrt(-expm1(-2 * dt));
  R->k0 = (uint32_t)seed; R->k1 = (uint32_t)(seed >> 32); R->accepted = 0;
  R->x = malloc(n * sizeof(real)); R->y = malloc(n * sizeof(real));
  R->vx = R->integrator == 1 ? malloc(n * sizeof(real)) : 0;
  R->vy = R->integrator == 1 ? malloc(n * sizeof(real)) : 0;
  return !R->x || !R->y || (R->integrator == 1 && (!R->vx || !R->vy));
}

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
static int cmp(const void *a, const void *b) { double d = *(const double *)a - *(const double *)b; return (d > 0) - (d < 0); }

static int bench(char **a) {
  Run R;
  size_t n = strtoull(a[1], 0, 10);
  uint64_t steps = strtoull(a[2], 0, 10), n0 = 0;
  int reps = atoi(a[3]), threads = atoi(a[4]);
  if (!n || !steps || reps < 1 || reps > 1000 || threads < 1 || threads > 256) { fprintf(stderr, "bench: bad arguments\n"); return 2; }
  if (setup(&R, a[0], n, atof(a[5]), strtoull(a[6], 0, 10))) return 2;
  init(&R, (real)atof(a[7]), (real)atof(a[8]));
  double rates[1000], sum = 0;
  block(&R, threads, n0, n0 + steps); /* warm-up: first touch, caches */
  n0 += steps;
  for (int r = 0; r < reps; r++, n0 += steps) {
    double t0 = now();
    block(&R, threads, n0, n0 + steps);
    rates[r] = (double)n * steps / (now() - t0);
  }
  for (size_t i = 0; i < n; i++) sum += R.x[i];
  qsort(rates, reps, sizeof(double), cmp);
  double med = reps % 2 ? rates[reps / 2] : (rates[reps / 2 - 1] + rates[reps / 2]) / 2;
  printf("{\"precision\":\"%s\",\"threads\":%d,\"particles\":%zu,\"steps\":%llu,\"median\":%.6g,\"min\":%.6g,\"max\":%.6g,\"meanX\":%.6g}\n",
         PREC, threads, n, (unsigned long long)steps, med, rates[0], rates[reps - 1], sum / n);
  return 0;
}

static int check(char **a) {
  Run R;
  size_t n = strtoull(a[1], 0, 10);
  uint64_t steps = strtoull(a[2], 0, 10);
  if (!n || setup(&R, a[0], n, atof(a[3]), strtoull(a[4], 0, 10))) return 2;
  init(&R, (real)atof(a[5]), (real)atof(a[6]));
  uint64_t acc = block(&R, 1, 0, steps);
  for (size_t i = 0; i < n; i++) {
    printf("%.17g %.17g", (double)R.x[i], (double)R.y[i]);
    if (R.vx) printf(" %.17g %.17g", (double)R.vx[i], (double)R.vy[i]);
    printf("\n");
  }
  printf("accepted %llu\n", (unsigned long long)acc);
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (!strcmp(mode, "bench") && argc == 11) return bench(argv + 2);
  if (!strcmp(mode, "check") && argc == 9) return check(argv + 2);
  if (!strcmp(mode, "normals") && argc == 5) {
    Run R;
    unsigned long long seed = strtoull(argv[4], 0, 10);
    R.k0 = (uint32_t)seed; R.k1 = (uint32_t)(seed >> 32);
    size_t count = strtoull(argv[3], 0, 10);
    for (size_t m = 0; m < count; m += 4) {
      real z[4];
      noise(&R, strtoull(argv[2], 0, 10), m / 2, z);
      for (int q = 0; q < 4 && m + q < count; q++) printf("%.17g\n", (double)z[q]);
    }
    return 0;
  }
  if (!strcmp(mode, "philox") && argc == 8) {
    uint32_t w[4], c[6];
    for (int q = 0; q < 6; q++) c[q] = (uint32_t)strtoul(argv[2 + q], 0, 10);
    philox(c[0], c[1], c[2], c[3], c[4], c[5], w);
    printf("%u %u %u %u\n", w[0], w[1], w[2], w[3]);
    return 0;
  }
  fprintf(stderr, "usage: peer bench INTEGRATOR N STEPS REPS THREADS DT SEED LOW HIGH | check INTEGRATOR N STEPS DT SEED LOW HIGH | normals PARTICLE COUNT SEED | philox C0 C1 C2 C3 K0 K1\n");
  return 2;
}
`;
