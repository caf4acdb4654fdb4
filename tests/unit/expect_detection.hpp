#pragma once
// A run with one fault that the detector finds alone: one detection, of the
// class and suspect expected, that localises the fault, no false alarm.
#include <gtest/gtest.h>

#include <string>

#include "api/results.hpp"
#include "workloads/detection_score.hpp"
#include "workloads/detector.hpp"

namespace spinel::testing {

inline void expect_one_detection(const api::Results& r, workloads::AnomalyClass anomaly,
                                 const std::string& suspect) {
  ASSERT_EQ(r.detections.size(), 1u);
  const workloads::Detection& d = r.detections[0];
  EXPECT_EQ(d.anomaly, anomaly) << d.evidence;
  EXPECT_EQ(workloads::suspect_name(d), suspect) << d.evidence;
  ASSERT_EQ(r.detection.faults.size(), 1u);
  EXPECT_TRUE(r.detection.faults[0].detected);
  EXPECT_TRUE(r.detection.faults[0].localised);
  EXPECT_EQ(r.detection.false_alarms, 0u);
}

}  // namespace spinel::testing
