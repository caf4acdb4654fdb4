// A pccl run's files: churn.csv (membership events), steps.csv (completed
// all-reduces) and summary.json.
#include "api/output_columns.hpp"
#include "api/outputs.hpp"

namespace spinel::api {

void write_pccl_files(sim::Recorder& recorder, const scenario::Scenario& scenario,
                      const pccl::PcclResult& r, const sim::Json& metrics) {
  if (sim::CsvTable* t = recorder.table(columns::churn)) {
    for (const pccl::ChurnRecord& c : r.churn) {
      t->cell(static_cast<std::int64_t>(c.at_ps))
          .cell(c.event)
          .cell(c.peer)
          .cell(c.host)
          .cell(c.world);
      t->end_row();
    }
  }
  if (sim::CsvTable* t = recorder.table(columns::steps)) {
    for (const pccl::StepRecord& s : r.steps) {
      t->cell(s.op).cell(s.attempts).cell(static_cast<std::int64_t>(s.start_ps));
      t->cell(static_cast<std::int64_t>(s.end_ps))
          .cell(static_cast<std::int64_t>(s.end_ps - s.start_ps));
      t->cell(s.world).cell(s.bytes);
      t->end_row();
    }
  }
  write_summary_json(recorder, scenario, metrics);
}

}  // namespace spinel::api
