// actfn accuracy: the sweep, the scoring and the report (see certify.hpp).
#include "certify.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <exception>
#include <ostream>
#include <span>
#include <thread>

#include <nlohmann/json.hpp>

#include "table.hpp"

namespace actfn::cli::certify {

std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::Forward: return "forward";
    case Direction::BackwardX: return "backward_x";
    case Direction::BackwardY: return "backward_y";
  }
  return "?";
}

Verdict classify(double truth, float got) {
  if (std::isnan(truth) || std::isnan(got))
    return {std::isnan(truth) && std::isnan(got) ? Class::SpecialAgrees : Class::SpecialMismatch};
  const auto expected = static_cast<float>(truth);  // ±inf when truth overflows float
  if (std::isinf(expected) || std::isinf(got))
    return {got == expected ? Class::SpecialAgrees : Class::SpecialMismatch};
  const double diff = std::fabs(static_cast<double>(got) - truth);  // exact enough: one double rounding
  const double magnitude = std::fabs(truth);
  if (magnitude >= static_cast<double>(std::numeric_limits<float>::min())) {
    if (got == 0) return {Class::Flushed};
    // magnitude in [2^e, 2^(e+1)), a normal double: float spacing there is 2^(e-23), so the error is
    // diff · 2^(23-e), the power of two built from its exponent field (e in [-126, 127]).
    const int e = static_cast<int>(std::bit_cast<std::uint64_t>(magnitude) >> 52) - 1023;
    return {Class::Normal, diff * std::bit_cast<double>(static_cast<std::uint64_t>(1023 + 23 - e) << 52)};
  }
  if (got == 0 && std::signbit(got) != std::signbit(truth)) return {Class::SpecialMismatch};
  return {Class::Subnormal, diff * 0x1p149};
}

namespace {

std::uint32_t bits(float v) { return std::bit_cast<std::uint32_t>(v); }

/// Keeps the larger error; among equal ones the smaller bit pattern (order-independent).
void keep_worst(double e, float in, double& max, float& at) {
  if (e > max || (e == max && e > 0 && bits(in) < bits(at))) {
    max = e;
    at = in;
  }
}

/// Counts an event and keeps its smallest input.
void keep_first(float in, std::uint64_t& count, float& first) {
  if (count++ == 0 || bits(in) < bits(first)) first = in;
}

}  // namespace

void Tally::add(Verdict v, float in) {
  ++samples;
  switch (v.cls) {
    case Class::Normal: keep_worst(v.error, in, max_ulp, worst); break;
    case Class::Subnormal: keep_worst(v.error, in, max_subnormal, worst_subnormal); break;
    case Class::SpecialAgrees: break;
    case Class::SpecialMismatch: keep_first(in, special, first_special); break;
    case Class::Flushed: keep_first(in, flushed, first_flushed); break;
  }
}

void Tally::merge(const Tally& o) {
  samples += o.samples;
  keep_worst(o.max_ulp, o.worst, max_ulp, worst);
  keep_worst(o.max_subnormal, o.worst_subnormal, max_subnormal, worst_subnormal);
  if (o.special > 0) {
    if (special == 0 || bits(o.first_special) < bits(first_special)) first_special = o.first_special;
    special += o.special;
  }
  if (o.flushed > 0) {
    if (flushed == 0 || bits(o.first_flushed) < bits(first_flushed)) first_flushed = o.first_flushed;
    flushed += o.flushed;
  }
}

namespace {

std::string hex(float v) {
  if (std::isnan(v)) return std::signbit(v) ? "-nan" : "nan";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%a", static_cast<double>(v));
  return buf;
}

/// Errors: three decimals, or scientific where they are huge (a flipped sign is ~2^24 ULP).
std::string format_error(double e) {
  char buf[32];
  std::snprintf(buf, sizeof buf, e < 1e5 ? "%.3f" : "%.3e", e);
  return buf;
}

/// A measured value in a violation message: enough digits to see why it exceeds its bound.
std::string precise(double e) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", e);
  return buf;
}

/// 1048576 -> "1,048,576".
std::string grouped(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string s;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return s;
}

std::string input_name(Direction d) { return d == Direction::BackwardY ? "y" : "x"; }

}  // namespace

bool Row::pass() const {
  return tally.max_ulp <= bound && tally.max_subnormal <= bound && tally.special == 0 && tally.flushed == 0;
}

std::string Row::violation(std::string_view target) const {
  std::string parts;
  const auto part = [&](const std::string& s) { parts += (parts.empty() ? "" : ", ") + s; };
  const std::string in = input_name(direction) + " = ";
  if (tally.max_ulp > bound)
    part(precise(tally.max_ulp) + " ULP > " + precise(bound) + " at " + in + hex(tally.worst));
  if (tally.max_subnormal > bound)
    part("subnormal error " + precise(tally.max_subnormal) + " > " + precise(bound) +
         " x 2^-149 at " + in + hex(tally.worst_subnormal));
  if (tally.special > 0)
    part(grouped(tally.special) + " special-value mismatches (first " + in + hex(tally.first_special) + ")");
  if (tally.flushed > 0)
    part(grouped(tally.flushed) + " normal results flushed to 0 (first " + in + hex(tally.first_flushed) + ")");
  if (parts.empty()) return parts;
  return std::string(target) + " " + act.spec() + " " + std::string(to_string(direction)) + ": " + parts;
}

std::string Sample::describe() const {
  if (shift == 0) return "all 2^32 bit patterns, " + grouped(count()) + " inputs";
  return "every " + grouped(std::uint64_t{1} << shift) + "th of 2^32 bit patterns (one per block, hashed offset), " +
         grouped(count()) + " inputs, plus boundary inputs";
}

namespace {

constexpr std::uint64_t kChunk = std::uint64_t{1} << 16;

/// SplitMix64's finaliser: the offset of the sample within each block.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// The boundary inputs of a sampled run (see Sample).
std::vector<float> boundary_inputs(const Activation& act) {
  using L = std::numeric_limits<float>;
  std::vector<float> xs;
  for (const float v : {0.0f, L::denorm_min(), std::nextafter(L::min(), 0.0f), L::min(), L::max(), 1.0f,
                        L::infinity(), L::quiet_NaN()}) {
    xs.push_back(v);
    xs.push_back(-v);
  }
  const auto with_neighbours = [&](float at) {
    xs.insert(xs.end(), {std::nextafter(at, -L::infinity()), at, std::nextafter(at, L::infinity())});
  };
  for (const Kink& k : properties(act).kinks) with_neighbours(static_cast<float>(k.x));
  // Where the oracle's own (double) e^-|v| becomes 0, 745.1332191…, which decides the sign of an
  // underflowing zero, for v = s x with the catalogue's scales (x, 2x, 2x/3, 1.702x) and every
  // non-zero parameter value as s: the exhaustive run found kernels off by one float there.
  constexpr double kExpUnderflow = 745.13321910194122;
  std::vector<double> scales = {1.0, 2.0, 2.0 / 3.0, 1.702};
  for (const double p : act.params()) if (p != 0 && std::isfinite(p)) scales.push_back(std::fabs(p));
  for (const double s : scales)
    for (const double sign : {1.0, -1.0}) with_neighbours(static_cast<float>(sign * kExpUnderflow / s));
  return xs;
}

/// Per-thread work buffers of one chunk.
struct Buffers {
  std::vector<float> x, y, ones, got;
  std::vector<double> truth;
  explicit Buffers(std::size_t n) : x(n), y(n), ones(n, 1.0f), got(n), truth(n) {}
};

/// Runs the kernel and the oracle for one direction over the inputs x and scores every result.
void score_chunk(const Activation& act, Direction d, std::span<const float> x, Buffers& b, Tally& t) {
  const std::size_t n = x.size();
  const std::span<const float> ones(b.ones.data(), n);
  const std::span<double> truth(b.truth.data(), n);
  const std::span<float> got(b.got.data(), n);
  std::span<const float> in = x;
  switch (d) {
    case Direction::Forward:
      reference::forward_wide(act, x, truth);
      forward<float>(act, x, got);
      break;
    case Direction::BackwardX:
      reference::backward_wide(act, {.x = x, .dy = ones}, truth);
      backward<float>(act, {.x = x, .dy = ones}, got);
      break;
    case Direction::BackwardY:
      in = std::span<const float>(b.y.data(), n);
      reference::forward<float>(act, x, std::span<float>(b.y.data(), n));
      reference::backward_wide(act, {.y = in, .dy = ones}, truth);
      backward<float>(act, {.y = in, .dy = ones}, got);
      break;
  }
  for (std::size_t i = 0; i < n; ++i) t.add(classify(truth[i], got[i]), in[i]);
}

/// One (activation, direction) over the sample: chunks of 64Ki inputs handed out to every
/// hardware thread, then the per-thread tallies merged.
Tally run_row(const Activation& act, Direction d, const Sample& s, const std::vector<float>& extras) {
  const std::uint64_t chunk = std::min(kChunk, s.count());
  const std::uint64_t chunks = s.count() / chunk + (extras.empty() ? 0 : 1);  // the last one: extras
  const std::uint64_t mask = (std::uint64_t{1} << s.shift) - 1;
  const unsigned n_threads = std::max(1u, std::thread::hardware_concurrency());
  std::atomic<std::uint64_t> next{0};
  std::vector<Tally> tallies(n_threads);
  std::vector<std::exception_ptr> errors(n_threads);
  const auto work = [&](unsigned t) {
    try {
      Buffers b(std::max<std::size_t>(chunk, extras.size()));
      for (std::uint64_t c; (c = next++) < chunks;) {
        if (c * chunk >= s.count()) {
          score_chunk(act, d, extras, b, tallies[t]);
          continue;
        }
        for (std::uint64_t i = 0; i < chunk; ++i) {
          const std::uint64_t block = c * chunk + i;
          b.x[i] = std::bit_cast<float>(static_cast<std::uint32_t>((block << s.shift) | (mix64(block) & mask)));
        }
        score_chunk(act, d, std::span<const float>(b.x.data(), chunk), b, tallies[t]);
      }
    } catch (...) {
      errors[t] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < n_threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& th : pool) th.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  Tally total;
  for (const Tally& t : tallies) total.merge(t);
  return total;
}

}  // namespace

std::vector<Row> sweep(const std::vector<Activation>& acts, const Sample& sample) {
  set_threads(1);  // the sweep's own threads use every core; a kernel call must not split further
  std::vector<Row> rows;
  for (const Activation& act : acts) {
    const std::vector<float> extras = sample.shift == 0 ? std::vector<float>{} : boundary_inputs(act);
    std::vector<Direction> dirs{Direction::Forward, Direction::BackwardX};
    if (act.backward_from_y()) dirs.push_back(Direction::BackwardY);
    for (const Direction d : dirs) {
      const auto start = std::chrono::steady_clock::now();
      const kernels::Contract contract = kernels::row(act.kind()).f32_contract;
      Row row{act, d, d == Direction::Forward ? contract.f : contract.df, {}};
      row.tally = run_row(act, d, sample, extras);
      row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      rows.push_back(row);
    }
  }
  set_threads(0);
  return rows;
}

namespace {

struct Section {
  std::string target;
  std::vector<Row> rows;
  double seconds;
};

std::vector<Activation> resolve(const std::vector<std::string>& names) {
  std::vector<Activation> acts;
  if (names.empty()) {
    for (const FunctionInfo& fi : all()) {
      const Activation act(fi.kind);
      if (!fi.vector_wise && has_kernel<float>(act)) acts.push_back(act);
    }
    return acts;
  }
  for (const std::string& name : names) {
    const Activation act = parse(name);
    if (act.info().vector_wise)
      throw Error("accuracy: " + act.spec() + " is vector-wise; only element-wise kernels are certified");
    if (!has_kernel<float>(act))
      throw Error("accuracy: " + act.spec() + " has no f32 SIMD kernel (it runs the reference): nothing to certify");
    acts.push_back(act);
  }
  return acts;
}

std::vector<std::string> resolve_targets(const std::string& target) {
  if (target == "all") return actfn::targets();
  set_target(target);  // throws for an unknown one
  return {actfn::target()};
}

/// "YYYY-MM-DD HH:MM UTC": when the report was made (kept with the data in docs/data).
std::string now_utc() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

const char* const kBounds =
    "bounds: each kernel's f32 contract in the kernel table (ULP: f forward, df backward; 0.5 = correctly rounded) on normal truths, "
    "the same count of 2^-149 on subnormal ones; no special-value mismatch, no flush to 0";

std::vector<std::string> cells(const Row& r) {
  const Tally& t = r.tally;
  const auto at = [](double e, float in) { return e > 0 ? hex(in) : std::string("-"); };
  return {r.act.spec(), std::string(to_string(r.direction)), format_error(r.bound), format_error(t.max_ulp),
          at(t.max_ulp, t.worst), format_error(t.max_subnormal), at(t.max_subnormal, t.worst_subnormal),
          grouped(t.special), grouped(t.flushed), grouped(t.samples), format_error(r.seconds),
          r.pass() ? "ok" : "FAIL"};
}

const std::vector<std::string> kHeader{"function", "direction", "bound", "max ULP", "worst input", "subnormal err",
                                       "worst input", "special", "flushed", "samples", "s", "ok"};

void print_text(std::ostream& out, const std::vector<Section>& sections, bool markdown) {
  for (const Section& s : sections) {
    std::vector<std::vector<std::string>> table{kHeader};
    for (const Row& r : s.rows) table.push_back(cells(r));
    out << (markdown ? "\n### " : "\n") << "target " << s.target << " (" << format_error(s.seconds) << " s)\n\n";
    std::vector<std::size_t> width(kHeader.size(), 0);
    for (const auto& row : table)
      for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    for (std::size_t i = 0; i < table.size(); ++i) {
      std::string line = markdown ? "|" : "";
      for (std::size_t c = 0; c < table[i].size(); ++c) {
        const std::string& v = table[i][c];
        const std::string pad(width[c] - v.size(), ' ');
        line += markdown ? " " + v + pad + " |" : (c == 0 ? "" : "  ") + v + pad;
      }
      while (!markdown && line.back() == ' ') line.pop_back();
      out << line << "\n";
      if (markdown && i == 0) {
        out << "|";
        for (const std::size_t w : width) out << std::string(w + 2, '-') << "|";
        out << "\n";
      }
    }
  }
}

nlohmann::json to_json(const Sample& sample, const std::vector<Section>& sections, const std::string& date,
                       double seconds, bool pass) {
  const auto at = [](double e, float in) { return e > 0 ? nlohmann::json(hex(in)) : nlohmann::json(nullptr); };
  const auto first = [](std::uint64_t n, float in) { return n > 0 ? nlohmann::json(hex(in)) : nlohmann::json(nullptr); };
  nlohmann::json j{{"sample", {{"shift", sample.shift}, {"inputs", sample.count()}, {"description", sample.describe()}}},
                   {"bounds", kBounds},
                   {"date", date},
                   {"seconds", seconds},
                   {"pass", pass},
                   {"targets", nlohmann::json::array()}};
  for (const Section& s : sections) {
    nlohmann::json rows = nlohmann::json::array();
    for (const Row& r : s.rows) {
      const Tally& t = r.tally;
      rows.push_back({{"function", r.act.spec()},
                      {"direction", std::string(to_string(r.direction))},
                      {"input", input_name(r.direction)},
                      {"bound", r.bound},
                      {"max_ulp", t.max_ulp},
                      {"worst_input", at(t.max_ulp, t.worst)},
                      {"max_subnormal_error", t.max_subnormal},
                      {"worst_subnormal_input", at(t.max_subnormal, t.worst_subnormal)},
                      {"special_mismatches", t.special},
                      {"first_special_input", first(t.special, t.first_special)},
                      {"flushed", t.flushed},
                      {"first_flushed_input", first(t.flushed, t.first_flushed)},
                      {"samples", t.samples},
                      {"seconds", r.seconds},
                      {"pass", r.pass()}});
    }
    j["targets"].push_back({{"target", s.target}, {"seconds", s.seconds}, {"rows", rows}});
  }
  return j;
}

}  // namespace

int accuracy(std::ostream& out, std::ostream& err, const Options& o) {
  const std::vector<Activation> acts = resolve(o.names);
  const std::vector<std::string> names = resolve_targets(o.target);
  const std::string date = now_utc();
  const auto start = std::chrono::steady_clock::now();
  std::vector<Section> sections;
  std::string violations;
  for (const std::string& target : names) {
    set_target(target);  // process-wide: before the sweep's threads start
    const auto t0 = std::chrono::steady_clock::now();
    Section s{target, sweep(acts, o.sample), 0};
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (const Row& r : s.rows)
      if (!r.pass()) violations += (violations.empty() ? "" : "; ") + r.violation(target);
    sections.push_back(std::move(s));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (o.json) {
    out << to_json(o.sample, sections, date, seconds, violations.empty()).dump(2) << "\n";
  } else {
    out << "actfn accuracy, " << date << ": f32 SIMD kernels vs the f64 oracle; " << o.sample.describe() << "\n"
        << kBounds << "\n";
    print_text(out, sections, o.markdown);
    out << "\n" << (violations.empty() ? "all bounds hold" : "BOUNDS FAILED") << "; " << format_error(seconds)
        << " s in all\n";
  }
  if (violations.empty()) return 0;
  err << "actfn: error: accuracy bounds failed: " << violations << "\n";
  return 1;
}

}  // namespace actfn::cli::certify
