// The emulated WAN's links, without I/O: routes between sites over the fewest
// links (as spinel's `kind: wan` topology routes) and, per direction of a link,
// a FIFO transmitter of fixed rate with a tail-drop queue and a fixed
// propagation latency. The router feeds it real packets at real times; it
// answers when each one reaches the far end of a link, or that it was dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spinel::wan {

struct LinkSpec {
  std::size_t a = 0;  // site indices
  std::size_t b = 0;
  double rate_bps = 0;
  std::int64_t latency_ns = 0;  // one way
  std::size_t queue_bytes = 0;  // waiting to be sent, the packet on the wire included
};

struct LinkCounters {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  std::uint64_t dropped = 0;
};

class WanModel {
 public:
  // `transit[s]` false: site s is never crossed on the way between two others
  // (the master's site hangs off every site without becoming a shortcut).
  WanModel(std::size_t sites, std::vector<LinkSpec> links, std::vector<bool> transit);

  // Directed links (2 * link + 0 for a->b, + 1 for b->a) from site `from` to `to`,
  // empty when they are the same site or not connected.
  const std::vector<std::size_t>& path(std::size_t from, std::size_t to) const;

  // A packet of `bytes` reaches directed link `directed` at `at_ns`: when its
  // last bit reaches the far end, or nothing when the queue had no room.
  std::optional<std::int64_t> traverse(std::size_t directed, std::int64_t at_ns, std::size_t bytes);

  const LinkCounters& counters(std::size_t directed) const { return counters_[directed]; }
  const LinkSpec& link(std::size_t directed) const { return links_[directed / 2]; }
  std::size_t directed_links() const { return counters_.size(); }

 private:
  std::size_t sites_;
  std::vector<LinkSpec> links_;
  std::vector<std::vector<std::size_t>> paths_;  // sites_ * sites_
  std::vector<double> free_at_ns_;               // per directed link: transmitter busy until
  std::vector<LinkCounters> counters_;
};

}  // namespace spinel::wan
