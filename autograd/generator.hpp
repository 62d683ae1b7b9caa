// SPDX-License-Identifier: MIT
// A seedable random generator for reproducible tensors and initialisation.
#pragma once

#include <cstdint>

namespace ag {

/// A 64-bit permuted congruential generator (PCG-XSH-RR with 64-bit output
/// from two steps): the same seed gives the same numbers on every machine
/// and run, unlike std::normal_distribution, whose algorithm varies by
/// standard library.
class Generator {
 public:
  /// A generator seeded with `seed`.
  explicit Generator(std::uint64_t seed = 0x853c49e6748fea9bULL) { manual_seed(seed); }
  /// Restarts the sequence from `seed`.
  void manual_seed(std::uint64_t seed);
  /// 64 random bits.
  std::uint64_t next_u64() {
    const std::uint64_t high = next_u32();
    return (high << 32) | next_u32();
  }
  /// Uniform on {0, ..., n-1}, without modulo bias (n > 0).
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t reject_under = (0 - n) % n;  // 2^64 mod n: the incomplete last round
    for (;;) {
      const std::uint64_t x = next_u64();
      if (x >= reject_under) return x % n;
    }
  }
  /// Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  /// Standard normal (Box–Muller; the spare value is kept for the next call).
  double normal();

 private:
  // Inline: dropout and rand draw one number per element.
  std::uint32_t next_u32() {
    const std::uint64_t old = state_;
    state_ = old * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto xorshifted = static_cast<std::uint32_t>(((old >> 18u) ^ old) >> 27u);
    const auto rot = static_cast<std::uint32_t>(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
  }
  std::uint64_t state_ = 0;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

/// The generator used when none is given (layers' initialisation, dropout):
/// one per thread, seeded with a fixed value until manual_seed().
Generator& default_generator();
/// Reseeds this thread's default generator (torch.manual_seed).
void manual_seed(std::uint64_t seed);

/// What an object that draws later (Dropout, RNN layers, attention, a
/// DataLoader) keeps of the generator it was given: nullptr for the calling
/// thread's default generator, which then means "the default generator of
/// whichever thread draws" (a model built on one thread runs on another;
/// a pointer to the builder's thread-local one would dangle), else `gen`.
inline Generator* keep_generator(Generator& gen) {
  return &gen == &default_generator() ? nullptr : &gen;
}
/// The generator to draw from now: kept one, or this thread's default.
inline Generator& drawing_generator(Generator* kept) { return kept ? *kept : default_generator(); }

}  // namespace ag
