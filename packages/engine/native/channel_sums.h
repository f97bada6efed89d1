// Per-channel sums over the rows of a [rows, channels] array, rows split across the pool with one
// double accumulator per thread (merged at the end), on one thread below a size where waking the
// pool costs more than it saves.
#pragma once
#include <omp.h>
#include <cstdint>
#include <vector>

namespace ssseg {

constexpr int64_t kChannelParallelMin = 1 << 15;

// Adds term(row, channel) into sums[k][channel] for each of the K terms: term(r, c, out) writes K values.
template <int K, typename Term>
void channelSums(int64_t rows, int64_t channels, std::vector<double> (&sums)[K], Term term) {
  for (auto& s : sums) s.assign(channels, 0.0);
  const bool parallel = rows * channels >= kChannelParallelMin && omp_get_max_threads() > 1;
#pragma omp parallel if (parallel)
  {
    std::vector<double> local[K];
    for (auto& s : local) s.assign(channels, 0.0);
    double values[K];
#pragma omp for schedule(static) nowait
    for (int64_t r = 0; r < rows; r++) {
      for (int64_t c = 0; c < channels; c++) {
        term(r, c, values);
        for (int k = 0; k < K; k++) local[k][c] += values[k];
      }
    }
#pragma omp critical
    for (int k = 0; k < K; k++)
      for (int64_t c = 0; c < channels; c++) sums[k][c] += local[k][c];
  }
}

// body(row) for every row, across the pool when the array is large enough.
template <typename Body>
void forRows(int64_t rows, int64_t channels, Body body) {
#pragma omp parallel for schedule(static) if (rows * channels >= kChannelParallelMin)
  for (int64_t r = 0; r < rows; r++) body(r);
}

}  // namespace ssseg
