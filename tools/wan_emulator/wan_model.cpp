#include "tools/wan_emulator/wan_model.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <stdexcept>

namespace spinel::wan {

WanModel::WanModel(std::size_t sites, std::vector<LinkSpec> links, std::vector<bool> transit)
    : sites_(sites),
      links_(std::move(links)),
      paths_(sites * sites),
      free_at_ns_(2 * links_.size(), 0.0),
      counters_(2 * links_.size()) {
  std::vector<std::vector<std::size_t>> out(sites);  // directed links leaving each site
  for (std::size_t l = 0; l < links_.size(); ++l) {
    const LinkSpec& s = links_[l];
    if (s.a >= sites || s.b >= sites || s.a == s.b) throw std::invalid_argument("link endpoints");
    if (!(s.rate_bps > 0)) throw std::invalid_argument("link rate");
    out[s.a].push_back(2 * l);
    out[s.b].push_back(2 * l + 1);
  }
  const auto far = [&](std::size_t d) { return d % 2 == 0 ? links_[d / 2].b : links_[d / 2].a; };
  // Breadth-first from every site: the fewest links, ties to the link listed first.
  for (std::size_t src = 0; src < sites; ++src) {
    std::vector<std::size_t> via(sites, SIZE_MAX);  // directed link that reached the site
    std::vector<bool> seen(sites, false);
    std::deque<std::size_t> queue{src};
    seen[src] = true;
    while (!queue.empty()) {
      const std::size_t at = queue.front();
      queue.pop_front();
      if (at != src && !transit[at]) continue;
      for (const std::size_t d : out[at]) {
        const std::size_t next = far(d);
        if (seen[next]) continue;
        seen[next] = true;
        via[next] = d;
        queue.push_back(next);
      }
    }
    for (std::size_t dst = 0; dst < sites; ++dst) {
      if (dst == src || !seen[dst]) continue;
      std::vector<std::size_t>& p = paths_[src * sites + dst];
      for (std::size_t at = dst; at != src;) {
        p.push_back(via[at]);
        const std::size_t d = via[at];
        at = d % 2 == 0 ? links_[d / 2].a : links_[d / 2].b;
      }
      std::reverse(p.begin(), p.end());
    }
  }
}

const std::vector<std::size_t>& WanModel::path(std::size_t from, std::size_t to) const {
  return paths_[from * sites_ + to];
}

std::optional<std::int64_t> WanModel::traverse(std::size_t directed, std::int64_t at_ns,
                                               std::size_t bytes) {
  const LinkSpec& s = links_[directed / 2];
  double& free_at = free_at_ns_[directed];
  LinkCounters& c = counters_[directed];
  const double at = static_cast<double>(at_ns);
  const double backlog_bytes = std::max(0.0, free_at - at) * s.rate_bps / 8e9;
  if (backlog_bytes + static_cast<double>(bytes) > static_cast<double>(s.queue_bytes)) {
    ++c.dropped;
    return std::nullopt;
  }
  free_at = std::max(free_at, at) + static_cast<double>(bytes) * 8e9 / s.rate_bps;
  ++c.packets;
  c.bytes += bytes;
  return static_cast<std::int64_t>(std::ceil(free_at)) + s.latency_ns;
}

}  // namespace spinel::wan
