#include "sim/units.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace spinel::sim {
namespace {

std::uint64_t bytes_ok(std::string_view text) {
  const auto r = parse_bytes(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.error;
  return r.value;
}

std::string bytes_error(std::string_view text) {
  const auto r = parse_bytes(text);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << r.value;
  return r.error;
}

double rate_ok(std::string_view text) {
  const auto r = parse_rate_gbps(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.error;
  return r.value;
}

std::string rate_error(std::string_view text) {
  const auto r = parse_rate_gbps(text);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << r.value;
  return r.error;
}

Time duration_ok(std::string_view text) {
  const auto r = parse_duration_ps(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.error;
  return r.value;
}

std::string duration_error(std::string_view text) {
  const auto r = parse_duration_ps(text);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << r.value;
  return r.error;
}

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

TEST(Units, SizesBareIntegersAreBytes) {
  EXPECT_EQ(bytes_ok("0"), 0u);
  EXPECT_EQ(bytes_ok("4096"), 4096u);
  EXPECT_EQ(bytes_ok("007"), 7u);
  EXPECT_EQ(bytes_ok("9223372036854775807"), kMaxBytes);
}

TEST(Units, SizesEachUnit) {
  EXPECT_EQ(bytes_ok("3B"), 3u);
  EXPECT_EQ(bytes_ok("1KB"), 1000u);
  EXPECT_EQ(bytes_ok("1MB"), 1000000u);
  EXPECT_EQ(bytes_ok("1GB"), 1000000000u);
  EXPECT_EQ(bytes_ok("1TB"), 1000000000000u);
  EXPECT_EQ(bytes_ok("1KiB"), 1024u);
  EXPECT_EQ(bytes_ok("64KiB"), 65536u);
  EXPECT_EQ(bytes_ok("1MiB"), 1ULL << 20);
  EXPECT_EQ(bytes_ok("256MiB"), 256ULL << 20);
  EXPECT_EQ(bytes_ok("1GiB"), 1ULL << 30);
  EXPECT_EQ(bytes_ok("1TiB"), 1ULL << 40);
  EXPECT_EQ(bytes_ok("1PiB"), 1ULL << 50);
  EXPECT_EQ(bytes_ok("8191PiB"), 8191ULL << 50);
}

TEST(Units, SizesSpacesAndDecimals) {
  EXPECT_EQ(bytes_ok("64 KiB"), 65536u);
  EXPECT_EQ(bytes_ok("64\tKiB"), 65536u);
  EXPECT_EQ(bytes_ok("  2 MB  "), 2000000u);
  EXPECT_EQ(bytes_ok("1.5KiB"), 1536u);
  EXPECT_EQ(bytes_ok("0.5GiB"), 1ULL << 29);
  EXPECT_EQ(bytes_ok("1.25KB"), 1250u);
  EXPECT_EQ(bytes_ok("2.000B"), 2u);
  EXPECT_EQ(bytes_ok("0.001KB"), 1u);
  EXPECT_EQ(bytes_ok("0.0009765625KiB"), 1u);
}

TEST(Units, SizesRejected) {
  const std::string hint = "expected a size such as 4096, 64KiB or 1GiB, got ";
  EXPECT_EQ(bytes_error("-5MiB"), hint + "\"-5MiB\"");
  EXPECT_EQ(bytes_error(""), hint + "\"\"");
  EXPECT_EQ(bytes_error("   "), hint + "\"   \"");
  EXPECT_EQ(bytes_error("KiB"), hint + "\"KiB\"");
  EXPECT_EQ(bytes_error("four"), hint + "\"four\"");
  EXPECT_EQ(bytes_error("1.KiB"), hint + "\"1.KiB\"");
  EXPECT_EQ(bytes_error(".5KiB"), hint + "\".5KiB\"");
  EXPECT_EQ(bytes_error("+5"), hint + "\"+5\"");
  EXPECT_EQ(bytes_error("1e6"),
            "unknown size unit \"e6\" in \"1e6\"; allowed units: B, KB, MB, "
            "GB, TB, KiB, MiB, GiB, TiB, PiB");
  EXPECT_EQ(bytes_error("12 parsecs"),
            "unknown size unit \"parsecs\" in \"12 parsecs\"; allowed units: B, KB, MB, GB, TB, "
            "KiB, MiB, GiB, TiB, PiB");
  EXPECT_TRUE(contains(bytes_error("4kib"), "did you mean \"KiB\"?"));
  EXPECT_TRUE(contains(bytes_error("4 K iB"), "unknown size unit"));
  EXPECT_TRUE(contains(bytes_error("1 2KiB"), hint));
  EXPECT_EQ(bytes_error("1.3B"), "\"1.3B\" is not a whole number of bytes");
  EXPECT_EQ(bytes_error("1.0001KiB"), "\"1.0001KiB\" is not a whole number of bytes");
  EXPECT_TRUE(contains(bytes_error("0.0000000000000000000001PiB"), "not a whole number"));
}

TEST(Units, SizesOverflow) {
  const std::string too_large = "is too large; a size must be below 8192PiB (2^63 bytes)";
  EXPECT_TRUE(contains(bytes_error("9223372036854775808"), too_large));
  EXPECT_TRUE(contains(bytes_error("18446744073709551616"), too_large));
  EXPECT_TRUE(contains(bytes_error("99999999999999999999999999"), too_large));
  EXPECT_TRUE(contains(bytes_error("8192PiB"), too_large));
  EXPECT_TRUE(contains(bytes_error("16384PiB"), too_large));
  EXPECT_TRUE(contains(bytes_error("99999999TiB"), too_large));
  EXPECT_TRUE(contains(bytes_error("8191.9999999999999PiB"), "bytes"));
}

TEST(Units, RatesEachUnit) {
  EXPECT_DOUBLE_EQ(rate_ok("400Gbps"), 400.0);
  EXPECT_DOUBLE_EQ(rate_ok("400Gb/s"), 400.0);
  EXPECT_DOUBLE_EQ(rate_ok("1.6Tbps"), 1600.0);
  EXPECT_EQ(rate_ok("1.6Tbps"), 1600.0);  // exact: the decimal point is shifted textually
  EXPECT_DOUBLE_EQ(rate_ok("2Tb/s"), 2000.0);
  EXPECT_DOUBLE_EQ(rate_ok("100Mbps"), 0.1);
  EXPECT_DOUBLE_EQ(rate_ok("100Mb/s"), 0.1);
  EXPECT_DOUBLE_EQ(rate_ok("10Kbps"), 1e-5);
  EXPECT_DOUBLE_EQ(rate_ok("10Kb/s"), 1e-5);
  EXPECT_DOUBLE_EQ(rate_ok("1bps"), 1e-9);
  EXPECT_DOUBLE_EQ(rate_ok("25 Gbps"), 25.0);
  EXPECT_DOUBLE_EQ(rate_ok("12.5Gbps"), 12.5);
  EXPECT_DOUBLE_EQ(rate_ok("0.5Gbps"), 0.5);
}

TEST(Units, RatesRejected) {
  EXPECT_EQ(rate_error("400"), "a rate needs a unit, e.g. 400Gbps; got \"400\"");
  EXPECT_EQ(rate_error("1.5"), "a rate needs a unit, e.g. 400Gbps; got \"1.5\"");
  EXPECT_EQ(rate_error("0Gbps"), "a rate must be greater than zero, got \"0Gbps\"");
  EXPECT_EQ(rate_error("-1Gbps"), "a rate must be greater than zero, got \"-1Gbps\"");
  EXPECT_EQ(rate_error("fast"), "expected a rate such as 400Gbps or 1.6Tbps, got \"fast\"");
  EXPECT_EQ(rate_error(""), "expected a rate such as 400Gbps or 1.6Tbps, got \"\"");
  EXPECT_EQ(rate_error("400GBps"),
            "unknown rate unit \"GBps\" in \"400GBps\"; allowed units: bps, Kbps, Mbps, Gbps, "
            "Tbps, Kb/s, Mb/s, Gb/s, Tb/s");
  EXPECT_TRUE(contains(rate_error("400gbps"), "unknown rate unit"));
  EXPECT_TRUE(contains(rate_error("400 G bps"), "unknown rate unit"));
  EXPECT_TRUE(contains(rate_error("1e3Gbps"), "unknown rate unit"));
  EXPECT_TRUE(contains(rate_error("400b/s"), "unknown rate unit"));
  const std::string huge = std::string(400, '9') + "Tbps";
  EXPECT_TRUE(contains(rate_error(huge), "out of range"));
}

TEST(Units, DurationsEachUnit) {
  EXPECT_EQ(duration_ok("0ns"), 0);
  EXPECT_EQ(duration_ok("0s"), 0);
  EXPECT_EQ(duration_ok("7ps"), 7);
  EXPECT_EQ(duration_ok("500ns"), 500 * kNanosecond);
  EXPECT_EQ(duration_ok("3us"), 3 * kMicrosecond);
  EXPECT_EQ(duration_ok("3\xC2\xB5s"), 3 * kMicrosecond);  // micro sign
  EXPECT_EQ(duration_ok("3\xCE\xBCs"), 3 * kMicrosecond);  // Greek mu
  EXPECT_EQ(duration_ok("2ms"), 2 * kMillisecond);
  EXPECT_EQ(duration_ok("1s"), kSecond);
  EXPECT_EQ(duration_ok("30min"), 1800 * kSecond);
  EXPECT_EQ(duration_ok("1.5h"), 5400 * kSecond);
  EXPECT_EQ(duration_ok("14d"), 14 * 86400 * kSecond);
  EXPECT_EQ(duration_ok("1.5ns"), 1500);
  EXPECT_EQ(duration_ok("1.5 us"), 1'500'000);
  EXPECT_EQ(duration_ok("0.001ns"), 1);
  EXPECT_EQ(duration_ok("9223372036854775807ps"), kForever);
  EXPECT_EQ(duration_ok("9223372s"), 9223372 * kSecond);
}

TEST(Units, DurationsRejected) {
  EXPECT_EQ(duration_error("500"), "a duration needs a unit, e.g. 500ns; got \"500\"");
  EXPECT_EQ(duration_error("0"), "a duration needs a unit, e.g. 500ns; got \"0\"");
  EXPECT_EQ(duration_error("-5ns"), "a duration cannot be negative, got \"-5ns\"");
  EXPECT_EQ(duration_error("soon"),
            "expected a duration such as 500ns, 1.5us or 2ms, got \"soon\"");
  EXPECT_EQ(duration_error("0.0001ps"), "\"0.0001ps\" is not a whole number of picoseconds");
  EXPECT_EQ(duration_error("1.5ps"), "\"1.5ps\" is not a whole number of picoseconds");
  EXPECT_EQ(duration_error("5mins"),
            "unknown duration unit \"mins\" in \"5mins\"; allowed units: ps, ns, us (or "
            "\xC2\xB5s), ms, s, min, h, d");
  EXPECT_TRUE(contains(duration_error("5NS"), "did you mean \"ns\"?"));
  EXPECT_TRUE(contains(duration_error("9223372036854775808ps"), "is too large"));
  EXPECT_TRUE(contains(duration_error("9223373s"), "is too large"));
  EXPECT_TRUE(contains(duration_error("107d"), "is too large"));
  EXPECT_TRUE(contains(duration_error("99999999999999999999999s"), "is too large"));
}

TEST(Units, MessagesStayOnOneLine) {
  const std::string e = bytes_error("1\nparsec");
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  EXPECT_TRUE(contains(e, "\\n"));
  const std::string long_text(500, 'x');
  EXPECT_LT(bytes_error(long_text).size(), 200u);
}

TEST(Units, FormatBytes) {
  EXPECT_EQ(format_bytes(0), "0B");
  EXPECT_EQ(format_bytes(1), "1B");
  EXPECT_EQ(format_bytes(1000), "1000B");
  EXPECT_EQ(format_bytes(1024), "1KiB");
  EXPECT_EQ(format_bytes(1536), "1536B");
  EXPECT_EQ(format_bytes(3 << 20), "3MiB");
  EXPECT_EQ(format_bytes(1ULL << 30), "1GiB");
  EXPECT_EQ(format_bytes(5ULL << 40), "5TiB");
  EXPECT_EQ(format_bytes(1ULL << 50), "1PiB");
  EXPECT_EQ(format_bytes(2048ULL << 50), "2048PiB");
}

TEST(Units, FormatDuration) {
  EXPECT_EQ(format_duration_ps(0), "0ns");
  EXPECT_EQ(format_duration_ps(1), "1ps");
  EXPECT_EQ(format_duration_ps(999), "999ps");
  EXPECT_EQ(format_duration_ps(1000), "1ns");
  EXPECT_EQ(format_duration_ps(1500), "1.5ns");
  EXPECT_EQ(format_duration_ps(500 * kNanosecond), "500ns");
  EXPECT_EQ(format_duration_ps(1'500'000), "1.5us");
  EXPECT_EQ(format_duration_ps(1'234'567), "1234567ps");
  EXPECT_EQ(format_duration_ps(kSecond), "1s");
  EXPECT_EQ(format_duration_ps(2 * kMillisecond), "2ms");
  EXPECT_EQ(format_duration_ps(-1500), "-1.5ns");
  EXPECT_EQ(format_duration_ps(kForever), "9223372036854775807ps");
  EXPECT_EQ(format_duration_ps(-kForever - 1), "-9223372036854775808ps");
}

TEST(Units, FormatRate) {
  EXPECT_EQ(format_rate_gbps(400.0), "400Gbps");
  EXPECT_EQ(format_rate_gbps(0.5), "0.5Gbps");
  EXPECT_EQ(format_rate_gbps(1e6), "1000000Gbps");
  EXPECT_EQ(format_rate_gbps(1600.0), "1600Gbps");
}

TEST(Units, RoundTrips) {
  for (const std::uint64_t b :
       std::initializer_list<std::uint64_t>{0ULL, 1ULL, 1000ULL, 1536ULL, 4096ULL, 3ULL << 20,
                                            256ULL << 20, 7ULL << 40, kMaxBytes}) {
    EXPECT_EQ(bytes_ok(format_bytes(b)), b) << b;
  }
  for (const Time t : {Time{0}, Time{1}, Time{999}, Time{1500}, Time{500'000}, Time{1'500'000},
                       Time{1'234'567}, kSecond, 3 * kMillisecond + 7, kForever}) {
    EXPECT_EQ(duration_ok(format_duration_ps(t)), t) << t;
  }
  for (const double g : {400.0, 0.5, 12.5, 1e-9, 1600.0, 1e6, 0.1, 1.0 / 3.0, 123456.789}) {
    EXPECT_EQ(rate_ok(format_rate_gbps(g)), g) << g;
  }
}

}  // namespace
}  // namespace spinel::sim
