#include "api/outputs.hpp"

#include <algorithm>
#include <vector>

#include "api/metrics.hpp"
#include "api/output_columns.hpp"
#include "api/version.hpp"
#include "topology/servers.hpp"
#include "workloads/collectives.hpp"
#include "workloads/host_faults.hpp"

namespace spinel::api {

namespace {

void write_collectives_csv(sim::Recorder& recorder, const Results& r) {
  sim::CsvTable* csv = recorder.table(columns::collectives);
  for (const JobResults& job : r.jobs) {
    for (const auto& c : job.collectives) {
      const double algbw = static_cast<double>(c.size_bytes) * 8000.0 /
                           static_cast<double>(std::max<sim::Time>(c.duration_ps(), 1));
      csv->cell(c.collective_id)
          .cell(r.jobs.at(c.job).name)
          .cell(c.iteration)
          .cell(c.bucket)
          .cell(workloads::to_string(c.collective))
          .cell(c.ranks)
          .cell(c.size_bytes)
          .cell(c.start_ps)
          .cell(c.end_ps)
          .cell(c.duration_ps())
          .cell(c.ideal_ps)
          .cell(time_ratio(c.duration_ps(), c.ideal_ps))
          .cell(algbw)
          .cell(workloads::busbw_gbps(c.collective, c.ranks, c.size_bytes, c.duration_ps()))
          .cell(c.max_congestion_ps)
          .cell(c.congestion_bound_ps)
          .cell(c.max_queue_pairs_per_host)
          .cell(job.communicators.at(c.communicator))
          .end_row();
    }
  }
}

// Per training iteration of each job: compute, then what communication
// added after the slowest rank's compute.
void write_iterations_csv(sim::Recorder& recorder, const Results& r) {
  sim::CsvTable* its = recorder.table(columns::iterations);
  for (const JobResults& job : r.jobs) {
    for (const auto& it : job.iterations) {
      its->cell(r.jobs.at(it.job).name)
          .cell(it.iteration)
          .cell(it.start_ps)
          .cell(it.compute_end_ps)
          .cell(it.end_ps)
          .cell(it.duration_ps())
          .cell(it.end_ps - it.compute_end_ps)
          .cell(it.slowest_rank)
          .end_row();
    }
  }
}

// Graph jobs: where each iteration went, one row per part (tidy, for
// plotting): compute, exposed_comm, bubble, and exposed_comm.<kind> per
// communicator kind. Means over the job's ranks.
void write_breakdown_csv(sim::Recorder& recorder, const Results& r) {
  sim::CsvTable* csv = recorder.table(columns::iteration_breakdown);
  for (const JobResults& job : r.jobs) {
    for (const auto& it : job.breakdown) {
      auto row = [&](const std::string& part, sim::Time t) {
        csv->cell(job.name).cell(it.iteration).cell(part).cell(t).end_row();
      };
      row("compute", it.compute_ps);
      row("exposed_comm", it.exposed_comm_ps);
      row("bubble", it.bubble_ps);
      for (const auto& [kind, t] : it.exposed_by_group_ps) row("exposed_comm." + kind, t);
    }
  }
}

// Graph jobs with output.ops: every op of every rank, when it started and ended.
void write_ops_csv(sim::Recorder& recorder, const Results& r) {
  sim::CsvTable* csv = recorder.table(columns::ops);
  for (const JobResults& job : r.jobs) {
    for (const auto& o : job.ops) {
      const bool ran = o.end_ps != sim::kForever;
      csv->cell(job.name)
          .cell(o.rank)
          .cell(o.op)
          .cell(o.label)
          .cell(workloads::graph::to_string(o.kind))
          .cell(o.group)
          .cell(o.bytes)
          .cell(o.start_ps == sim::kForever ? std::string() : std::to_string(o.start_ps))
          .cell(ran ? std::to_string(o.end_ps) : std::string())
          .cell(ran ? std::to_string(o.end_ps - o.start_ps) : std::string())
          .end_row();
    }
  }
}

// Per phase of each job: what its routes make of its busiest link.
void write_phases_csv(sim::Recorder& recorder, const Results& r) {
  sim::CsvTable* phases = recorder.table(columns::phases);
  for (const JobResults& job : r.jobs) {
    for (std::size_t p = 0; p < job.phase_congestion_ps.size(); ++p) {
      phases->cell(job.name).cell(p).cell(job.phase_congestion_ps[p]).end_row();
    }
  }
}

// One row per fault of the run, in order: the truth a detector is scored
// against. Columns that do not apply to a fault's state are left empty.
void write_faults_csv(sim::Recorder& recorder, const Results& r) {
  std::vector<std::vector<topology::HostId>> placed;
  for (const JobResults& job : r.jobs) placed.push_back(job.placement);
  sim::CsvTable* csv = recorder.table(columns::faults);
  for (std::size_t i = 0; i < r.faults.size(); ++i) {
    const transport::Fault& f = r.faults[i];
    csv->cell(static_cast<std::uint64_t>(i)).cell(f.at_ps);
    csv->cell(f.element()).cell(transport::to_string(f.state));
    if (f.state == transport::FaultState::degraded) {
      csv->cell(f.rate_gbps);
    } else {
      csv->cell("");
    }
    if (f.state == transport::FaultState::slow) {
      csv->cell(f.factor);
    } else {
      csv->cell("");
    }
    if (f.state == transport::FaultState::flapping) {
      csv->cell(f.period_ps).cell(f.until_ps);
    } else {
      csv->cell("").cell("");
    }
    const auto where =
        f.on_host() ? workloads::rank_on_host(placed, transport::fault_host(f)) : std::nullopt;
    if (where) {
      csv->cell(r.jobs.at(where->job).name).cell(where->rank);
    } else {
      csv->cell("").cell("");
    }
    csv->end_row();
  }
}

void write_detections_csv(sim::Recorder& recorder, const Results& r) {
  sim::CsvTable* csv = recorder.table(columns::detections);
  for (std::size_t i = 0; i < r.detections.size(); ++i) {
    const workloads::Detection& d = r.detections[i];
    const workloads::DetectionMatch& m = r.detection.detections[i];
    csv->cell(static_cast<std::uint64_t>(i))
        .cell(d.at_ps)
        .cell(r.jobs.at(d.job).name)
        .cell(workloads::to_string(d.anomaly))
        .cell(workloads::suspect_name(d));
    if (m.fault) {
      csv->cell(static_cast<std::uint64_t>(*m.fault)).cell(m.localised ? "true" : "false");
    } else {
      csv->cell("").cell("");
    }
    csv->cell(d.evidence).end_row();
  }
}

}  // namespace

void write_placement_csv(sim::Recorder& recorder, const Results& r,
                         const topology::Topology& topology, const topology::FabricConfig& fabric) {
  if (!recorder.enabled()) return;
  sim::CsvTable* csv = recorder.table(columns::placement);
  // Servers of several GPUs only on fabrics that have them (a fabric file's
  // hosts are servers of one GPU).
  const topology::Servers servers(fabric);
  const bool gpus = fabric.nics_per_host > 1;
  for (const JobResults& job : r.jobs) {
    for (std::size_t rank = 0; rank < job.placement.size(); ++rank) {
      const topology::HostId h = job.placement[rank];
      csv->cell(job.name)
          .cell(rank)
          .cell(h)
          .cell(gpus ? servers.server_of(h) : h)
          .cell(topology.node_name(topology.attachment(h)))
          .end_row();
    }
  }
}

void write_summary_json(sim::Recorder& recorder, const scenario::Scenario& scenario,
                        const sim::Json& metrics) {
  sim::Json summary = sim::Json::object();
  summary["spinel_version"] = SPINEL_VERSION;
  summary["seed"] = scenario.seed;
  summary["scenario"] = scenario::to_json(scenario);
  summary["metrics"] = metrics;
  recorder.write_file("summary.json", sim::json_text(summary));
}

void write_run_json(const std::filesystem::path& out_dir, const Results& r,
                    std::string_view command_line, std::string_view started_utc) {
  sim::Json j = sim::Json::object();
  j["spinel_version"] = std::string(version());
  j["git_commit"] = std::string(git_commit());
  j["build_type"] = std::string(build_type());
  j["compiler"] = std::string(compiler());
  j["command_line"] = std::string(command_line);
  j["started_utc"] = std::string(started_utc);
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(out_dir, ec);
  j["out_dir"] = (ec ? out_dir : absolute).lexically_normal().string();
  j["wall_seconds"] = r.wall_seconds;
  j["events"] = r.events;
  j["events_per_second"] =
      r.wall_seconds > 0 ? static_cast<double>(r.events) / r.wall_seconds : 0.0;
  sim::Recorder(out_dir).write_file("run.json", sim::json_text(j));
}

void write_training_files(sim::Recorder& recorder, const scenario::Scenario& scenario,
                          const Results& results) {
  if (!recorder.enabled()) return;
  write_collectives_csv(recorder, results);
  write_iterations_csv(recorder, results);
  write_phases_csv(recorder, results);
  const bool graphs = std::any_of(results.jobs.begin(), results.jobs.end(),
                                  [](const JobResults& j) { return j.graph; });
  if (graphs) write_breakdown_csv(recorder, results);
  if (scenario.output.ops) write_ops_csv(recorder, results);
  write_summary_json(recorder, scenario, results.metrics);
  write_faults_csv(recorder, results);
  if (scenario.detector.enabled) write_detections_csv(recorder, results);
}

}  // namespace spinel::api
