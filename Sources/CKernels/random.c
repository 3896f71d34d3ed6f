// Philox4x32-10 (see `cg_random_uniform` in include/ckernels.h).
#include "ckernels.h"

#include <math.h>

enum {
  PHILOX_M0 = 0xD2511F53u, PHILOX_M1 = 0xCD9E8D57u,  // round multipliers
  PHILOX_W0 = 0x9E3779B9u, PHILOX_W1 = 0xBB67AE85u   // key increments (golden ratio, √3 − 1)
};

void cg_philox4x32_10(uint32_t ctr[4], const uint32_t key[2]) {
  uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < 10; round++) {
    uint64_t p0 = (uint64_t)PHILOX_M0 * ctr[0], p1 = (uint64_t)PHILOX_M1 * ctr[2];
    uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    uint32_t c0 = hi1 ^ ctr[1] ^ k0, c2 = hi0 ^ ctr[3] ^ k1;
    ctr[0] = c0;
    ctr[1] = lo1;
    ctr[2] = c2;
    ctr[3] = lo0;
    k0 += PHILOX_W0;
    k1 += PHILOX_W1;
  }
}

// The integer value of x when it is one in [0, 2^53).
static int integer53(double x, uint64_t *out) {
  if (!(x >= 0 && x < 9007199254740992.0) || x != floor(x)) return 0;
  *out = (uint64_t)x;
  return 1;
}

// The first two words of the block (i, c) under k, as one 64-bit integer.
static uint64_t philox_bits(uint64_t k, uint64_t c, uint64_t i) {
  uint32_t block[4] = {(uint32_t)i, (uint32_t)(i >> 32), (uint32_t)c, (uint32_t)(c >> 32)};
  const uint32_t words[2] = {(uint32_t)k, (uint32_t)(k >> 32)};
  cg_philox4x32_10(block, words);
  return (uint64_t)block[0] | (uint64_t)block[1] << 32;
}

double cg_random_uniform(double key, double counter, double index) {
  uint64_t k, c, i;
  if (!integer53(key, &k) || !integer53(counter, &c) || !integer53(index, &i)) return NAN;
  return (double)(philox_bits(k, c, i) >> 11) * 0x1.0p-53;
}

void cg_random_uniform_batch(
  const double *key, const double *counter, const double *index, double *out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = cg_random_uniform(key[i], counter[i], index[i]);
}

double cg_random_uniform_f32(double key, double counter, double index) {
  uint64_t k, c, i;
  if (!integer53(key, &k) || !integer53(counter, &c) || !integer53(index, &i)) return NAN;
  if (k >= 1u << 24 || c >= 1u << 24 || i >= 1u << 24) return NAN;
  return (double)(philox_bits(k, c, i) >> 40) * 0x1.0p-24;
}

void cg_random_uniform_f32_batch(
  const double *key, const double *counter, const double *index, double *out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = cg_random_uniform_f32(key[i], counter[i], index[i]);
}
