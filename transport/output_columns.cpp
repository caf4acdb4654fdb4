#include "transport/output_columns.hpp"

#include <array>
#include <string_view>

namespace spinel::transport::columns {

namespace {

constexpr sim::Column flows_columns[] = {
    {"flow_id", "start order, from 0"},
    {"subflow",
     "which queue pair of the connection carried this part, from 0 (always 0 for `ecmp`, "
     "`spray`, `planned`)"},
    {"collective", "`collective_id` it belongs to"},
    {"step", "the collective's step (ring: 0 … 2(N−1)−1, reduce-scatter then all-gather)"},
    {"tag",
     "point-to-point flows of [workload graphs](workload-graph.md): the send's tag; for [flow "
     "lists and connection matrices](coming-from.md#flow-lists) the flow's `id` (0 for "
     "collectives' flows)"},
    {"src_host", "the sending host's index"},
    {"dst_host", "the receiving host's index"},
    {"size_bytes", "bytes in the flow (in this part)"},
    {"path",
     "single-path policies: the nodes crossed, e.g. `h1>leaf0>spine1>leaf3>h25`; spray: "
     "`spray:K` over K paths; `local` if nothing crossed the fabric (a 0-byte chunk); at packet "
     "level the queue pair's route or `spray`"},
    {"start_ps", "when the flow started"},
    {"end_ps",
     "when its last byte was delivered (flow level: last byte sent + path latency; packet "
     "level: when its last byte arrived)"},
};

constexpr sim::Column links_columns[] = {
    {"link_id", "index of the directed link"},
    {"link", "`src>dst`, e.g. `leaf3>spine0`; `#k` appended for lane k when `parallel_links > 1`"},
    {"kind",
     "`host_up`, `host_down`, `leaf_up` or `spine_down`; on three tiers also `agg_up`, "
     "`agg_down`, `core_down`; `wan` between two sites of a WAN"},
    {"rate_gbps", "capacity of this direction"},
    {"latency_ps", "latency of this direction"},
    {"bytes",
     "bytes carried (a sprayed flow counts its share on each path), rounded to an integer; at "
     "packet level the bytes on the wire, headers and ACKs included"},
    {"busy_ps",
     "time during which at least one flow crossed the link (packet level: time spent "
     "serialising)"},
    {"peak_utilisation",
     "highest load / capacity, 0 … 1 (packet level: 1 once the port has sent anything)"},
    {"mean_utilisation", "bytes / (capacity × `end_ps` of the run)"},
};

// The columns of either time series: a, then b.
template <std::size_t A, std::size_t B>
constexpr std::array<sim::Column, A + B> concat(const sim::Column (&a)[A],
                                                const sim::Column (&b)[B]) {
  std::array<sim::Column, A + B> out{};
  for (std::size_t i = 0; i < A; ++i) out[i] = a[i];
  for (std::size_t i = 0; i < B; ++i) out[A + i] = b[i];
  return out;
}

// Where and when, the same at flow and packet level.
constexpr sim::Column interval_columns[] = {
    {"link_id", "as in `links.csv`"},
    {"link", "as in `links.csv`"},
    {"kind", "as in `links.csv`"},
    {"interval_start_ps", "the interval's start, k × `interval`"},
    {"interval_end_ps",
     "the interval's end, (k+1) × `interval`; the last one ends at the run's end"},
};

constexpr std::string_view kUtilisation =
    "`bytes / (capacity × (interval_end_ps − interval_start_ps))`, 0 … 1";

constexpr sim::Column flow_load_columns[] = {
    {"bytes",
     "the integral of the link's load over the interval, in bytes, not rounded (a fluid "
     "quantity); summed over a link's intervals it equals its `bytes` in `links.csv` to within a "
     "byte"},
    {"utilisation", kUtilisation},
};

constexpr sim::Column port_load_columns[] = {
    {"bytes",
     "what the port serialised in the interval (a packet straddling an edge split in proportion "
     "to time, so the sum is `links.csv`'s `bytes`)"},
    {"utilisation", kUtilisation},
    {"max_queue_bytes",
     "the largest queue a packet joined in the interval, itself included; an interval no packet "
     "joined gets what was left of the last one's queue at its start, draining at line rate"},
    {"drops", "packets the port dropped in the interval"},
    {"ecn_marks", "packets the port marked in the interval"},
    {"pauses", "PFC PAUSEs that took effect on the port in the interval"},
};

constexpr auto timeseries_columns = concat(interval_columns, flow_load_columns);
constexpr auto packet_timeseries_columns = concat(interval_columns, port_load_columns);

constexpr sim::Column ports_columns[] = {
    {"link_id", "as in `links.csv`"},
    {"link", "as in `links.csv`"},
    {"kind", "as in `links.csv`"},
    {"rate_gbps", "the port's rate"},
    {"bytes", "bytes serialised, headers and ACKs included"},
    {"packets", "packets serialised"},
    {"drops", "packets dropped at the port"},
    {"ecn_marks", "packets marked at the port"},
    {"max_queue_bytes", "the most the port held not yet serialised, the arriving packet included"},
    {"busy_ps", "time spent serialising"},
    {"pauses", "times the far end paused the port (PFC)"},
    {"paused_ps", "how long the port was paused in all"},
};

}  // namespace

const sim::CsvFile flows{"flows.csv", flows_columns};
const sim::CsvFile links{"links.csv", links_columns};
const sim::CsvFile timeseries{"timeseries.csv", timeseries_columns};
const sim::CsvFile packet_timeseries{"timeseries.csv", packet_timeseries_columns};
const sim::CsvFile ports{"ports.csv", ports_columns};

}  // namespace spinel::transport::columns
