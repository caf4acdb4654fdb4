#pragma once
// Named random streams. Each purpose (ECMP hash salt, placement, fault
// arrivals, ...) gets its own stream derived from the scenario seed and the
// purpose's name, so adding a draw in one place never shifts another.
// Generator: xoshiro256** seeded through splitmix64; both fully specified, so
// streams are identical on every platform (std:: distributions are not, so we
// implement the few we need).
#include <cstdint>
#include <string_view>

namespace spinel::sim {

constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A stateless 64-bit mix, for hashing tuples (e.g. ECMP).
constexpr std::uint64_t mix64(std::uint64_t x) {
  std::uint64_t s = x;
  return splitmix64(s);
}

// FNV-1a of a name: turns a stream's purpose into a number.
constexpr std::uint64_t name_hash(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

class Rng {
  __extension__ using U128 = unsigned __int128;

 public:
  Rng(std::uint64_t seed, std::string_view stream) {
    std::uint64_t sm = seed ^ mix64(name_hash(stream));
    for (auto& word : s_) word = splitmix64(sm);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform integer in [0, bound) without modulo bias (Lemire's method).
  std::uint64_t below(std::uint64_t bound) {
    if (bound == 0) return 0;
    for (;;) {
      const U128 m = static_cast<U128>(next()) * bound;
      const auto low = static_cast<std::uint64_t>(m);
      if (low >= bound || low >= (0 - bound) % bound) return static_cast<std::uint64_t>(m >> 64);
    }
  }

  // Uniform double in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Approximately standard normal: twelve uniforms summed, minus 6 (the
  // Irwin-Hall distribution; mean 0, variance 1, bounded to +-6). Additions
  // only, so every machine draws the same bits, which libm-based methods
  // (Box-Muller, std::normal_distribution) do not promise.
  double normal() {
    double sum = 0;
    for (int i = 0; i < 12; ++i) sum += uniform();
    return sum - 6.0;
  }

  // Exponential with mean 1, without libm (std::log differs across C
  // libraries). Von Neumann (1951): draw U1 and continue while the uniforms
  // descend (U1 >= U2 >= ...); if the run has odd length, U1 is accepted
  // with probability e^-U1, so return k + U1; otherwise add 1 to k and start
  // over (memorylessness makes the integer part geometric).
  double exponential() {
    double k = 0;
    for (;;) {
      const double first = uniform();
      double last = first;
      int length = 1;
      for (;;) {
        const double u = uniform();
        if (u > last) break;
        last = u;
        ++length;
      }
      if (length % 2 == 1) return k + first;
      k += 1;
    }
  }

  // Fisher-Yates shuffle, platform-independent unlike std::shuffle.
  template <typename It>
  void shuffle(It first, It last) {
    const auto n = static_cast<std::uint64_t>(last - first);
    for (std::uint64_t i = n; i > 1; --i) {
      const std::uint64_t j = below(i);
      using std::swap;
      swap(first[static_cast<std::ptrdiff_t>(i - 1)], first[static_cast<std::ptrdiff_t>(j)]);
    }
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4]{};
};

}  // namespace spinel::sim
