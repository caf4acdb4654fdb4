#pragma once
// The training loop PCCL is built for, as every peer of a group runs it:
// DiLoCo's inner steps between outer all-reduces, async DiLoCo (the outer
// all-reduce of step k overlaps the inner steps of step k+1 and is applied
// one step late), several concurrent collectives per step, and quantised
// all-reduce. The defaults are one all-reduce per step of compute, as before.
#include <cstdint>
#include <string_view>

namespace spinel::pccl {

// What a ring part carries on the wire: fp32, or fp16 / int8 with one scale
// per part (its largest magnitude). Only a chunk's owner quantises its
// reduced chunk for the all-gather, so every peer ends with the same bits.
enum class Quantisation : std::uint8_t { none, fp16, int8 };
std::string_view to_string(Quantisation q);

struct TrainingLoop {
  // DiLoCo's H: local steps of step_compute between two outer all-reduces
  // of the pseudo-gradient. 1: an all-reduce after every step.
  std::uint32_t inner_steps = 1;
  // Async DiLoCo: the inner steps of step k+1 start with the outer
  // all-reduce of step k, whose result is added to the weights only when
  // both are done (one step late).
  bool async = false;
  Quantisation quantisation = Quantisation::none;
  // The step's buffer split into this many tensors, each all-reduced by a
  // collective of its own (its tag; its parts on connections of the pool),
  // all at once. They share one vote, one attempt and one verdict.
  std::uint32_t concurrent_collectives = 1;
};

}  // namespace spinel::pccl
