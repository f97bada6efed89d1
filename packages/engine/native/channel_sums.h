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
// Each thread sums its static share of the rows into its own partials, added in thread order after
// the loop, so a given thread count gives the same bits on every run (adding the partials as threads
// arrived made the last bits vary from run to run with three threads or more).
template <int K, typename Term>
void channelSums(int64_t rows, int64_t channels, std::vector<double> (&sums)[K], Term term) {
  for (auto& s : sums) s.assign(channels, 0.0);
  const bool parallel = rows * channels >= kChannelParallelMin && omp_get_max_threads() > 1;
  const int team = parallel ? omp_get_max_threads() : 1;
  std::vector<double> partial(size_t(team) * K * channels, 0.0);
#pragma omp parallel num_threads(team) if (parallel)
  {
    double* local = partial.data() + size_t(omp_get_thread_num()) * K * channels;
    double values[K];
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; r++) {
      for (int64_t c = 0; c < channels; c++) {
        term(r, c, values);
        for (int k = 0; k < K; k++) local[k * channels + c] += values[k];
      }
    }
  }
  for (int t = 0; t < team; t++)
    for (int k = 0; k < K; k++)
      for (int64_t c = 0; c < channels; c++) sums[k][c] += partial[(size_t(t) * K + k) * channels + c];
}

// body(row) for every row, across the pool when the array is large enough.
template <typename Body>
void forRows(int64_t rows, int64_t channels, Body body) {
#pragma omp parallel for schedule(static) if (rows * channels >= kChannelParallelMin)
  for (int64_t r = 0; r < rows; r++) body(r);
}

}  // namespace ssseg
