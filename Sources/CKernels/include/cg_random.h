#ifndef COMPGRAPH_CG_RANDOM_H
#define COMPGRAPH_CG_RANDOM_H
// The counter-based generator behind CompGraph's `randomUniform` (Graph/Expr+Random.swift):
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011), the
// generator of Random123, cuRAND and PyTorch's CUDA backend. Each value is a pure function of
// (key, counter, index), so it is the same on every run, thread and backend.

#include <stddef.h>
#include <stdint.h>

// One Philox4x32-10 block: ten rounds on the counter `ctr` under the key `key`, in place.
void cg_philox4x32_10(uint32_t ctr[4], const uint32_t key[2]);

// The uniform number in [0, 1) at element `index` of the stream (`key`, `counter`): the block
// with counter words (index low, index high, counter low, counter high) under the key's two
// words; its first two words, as a 64-bit integer, give the top 53 bits of the fraction.
// Each input must be an integer in [0, 2^53); any other value gives NaN.
double cg_random_uniform(double key, double counter, double index);

// out[i] = cg_random_uniform(key[i], counter[i], index[i]) for i < n.
void cg_random_uniform_batch(
  const double *key, const double *counter, const double *index, double *out, size_t n);

#endif
