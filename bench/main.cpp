// actfn-bench (also `actfn bench`): throughput of actfn's kernels beside libtorch ATen, oneDNN and
// XNNPACK (whichever were found at build time) and the memcpy roofline, in one run. A row per
// (function, direction, n, threads), a column per implementation in Gelem/s, then ratios; or
// --json / --markdown. Each number is the median of --repeats runs of at least --min-time seconds.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "table.hpp"

namespace {

using namespace actfn::bench;

struct Options {
  std::vector<std::string> functions;
  std::vector<std::size_t> sizes;
  std::vector<unsigned> threads;
  std::vector<Impl> impls;  // in column order
  double min_time = 0.1;
  int repeats = 5;
  bool json = false, markdown = false;
};

/// Splits at commas outside parentheses: "prelu(num_parameters=64),elu(1,2)" has two specs.
std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out(1);
  int depth = 0;
  for (const char ch : s) {
    depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
    if (ch == ',' && depth == 0) out.emplace_back();
    else out.back() += ch;
  }
  std::erase_if(out, [](const std::string& item) { return item.empty(); });
  return out;
}

/// "16384", "16Ki", "1Mi" (binary multiples).
std::size_t parse_size(const std::string& s) {
  std::size_t digits = 0, value = 0;
  while (digits < s.size() && digits < 10 && std::isdigit(static_cast<unsigned char>(s[digits])))
    value = value * 10 + static_cast<std::size_t>(s[digits++] - '0');
  const std::string suffix = s.substr(digits);
  const std::map<std::string, std::size_t> scale{{"", 1}, {"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", std::size_t{1} << 30}};
  const auto it = scale.find(suffix);
  if (digits == 0 || it == scale.end() || value == 0 || value * it->second > (std::size_t{1} << 28))
    throw actfn::Error("bad size '" + s + "' (want a count of elements such as 4096, 16Ki or 1Mi, at most 256Mi)");
  return value * it->second;
}

unsigned parse_threads(const std::string& s, unsigned all) {
  if (s == "all") return all;
  char* end = nullptr;
  const unsigned long v = std::strtoul(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || v == 0 || v > 1024) throw actfn::Error("bad thread count '" + s + "' (want 1, 2, ... or all)");
  return static_cast<unsigned>(v);
}

std::string size_name(std::size_t n) {
  if (n % (1 << 20) == 0) return std::to_string(n >> 20) + "Mi";
  if (n % (1 << 10) == 0) return std::to_string(n >> 10) + "Ki";
  return std::to_string(n);
}

std::string fixed(double v, int decimals = 2) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

struct Result {
  std::string impl, function;
  Direction direction;
  std::size_t n;
  unsigned threads;
  double gelem_per_s;
  std::string_view kernel;  // actfn's: the kernel table's path for the case ("-": the reference)
};

/// The kernel that computes an actfn case on f32 data, from the kernel table.
std::string_view kernel_of(const Case& c) {
  namespace kernels = actfn::kernels;
  const kernels::Ops& ops = kernels::row(c.act.kind()).f32;
  if (c.channels > 1) return kernels::name(ops.per_channel);
  switch (c.direction) {
    case Direction::BackwardX:
      return kernels::name(ops.df);
    case Direction::BackwardY:
      return kernels::name(ops.df_from_y);
    case Direction::Forward:
    case Direction::ForwardBackward:
      break;
  }
  return kernels::name(ops.f);
}

/// The table: fixed-width text or markdown, one line per row as it is measured.
class Table {
 public:
  explicit Table(const Options& o) : markdown_(o.markdown) {
    head_ = {"function", "direction", "n", "threads"};
    for (const Impl& impl : o.impls) head_.push_back(impl.name);
    head_.insert(head_.end(), {"actfn/peer", "actfn/libtorch", "actfn/roofline"});
  }
  void header() const {
    line(head_);
    if (markdown_) line(std::vector<std::string>(head_.size(), "---"));
  }
  /// One row: rates by impl name (absent: the implementation lacks the case).
  void row(const Case& c, std::size_t n, unsigned threads, const std::vector<Impl>& impls,
           const std::map<std::string, double>& rate) const {
    std::vector<std::string> cells{c.function, std::string(to_string(c.direction)), size_name(n), std::to_string(threads)};
    for (const Impl& impl : impls) cells.push_back(rate.contains(impl.name) ? fixed(rate.at(impl.name)) : "-");
    const auto ratio = [&](std::optional<double> other) {
      return rate.contains("actfn") && other && *other > 0 ? fixed(rate.at("actfn") / *other) : "-";
    };
    std::optional<double> best_peer;
    for (const Impl& impl : impls)
      if (impl.peer && rate.contains(impl.name)) best_peer = std::max(best_peer.value_or(0.0), rate.at(impl.name));
    const auto get = [&](const char* name) { return rate.contains(name) ? std::optional(rate.at(name)) : std::nullopt; };
    cells.insert(cells.end(), {ratio(best_peer), ratio(get("libtorch")), ratio(get("memcpy"))});
    line(cells);
  }

 private:
  void line(const std::vector<std::string>& cells) const {
    std::string s = markdown_ ? "|" : "";
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::size_t width = i == 0 ? 26 : i == 1 ? 16 : std::max<std::size_t>(head_[i].size(), 7);
      std::string cell = cells[i];
      if (!markdown_ && cell.size() < width) cell.insert(i < 2 ? cell.size() : 0, width - cell.size(), ' ');
      s += markdown_ ? " " + cell + " |" : (i ? "  " : "") + cell;
    }
    std::cout << s << std::endl;
  }
  bool markdown_;
  std::vector<std::string> head_;
};

void print_header(std::ostream& out, const Options& o) {
  std::string peers;
  for (const Impl& impl : o.impls) peers += (peers.empty() ? "" : ", ") + impl.name + " " + impl.version;
  std::string missing;
  for (const std::string& m : peers_missing()) missing += (missing.empty() ? "" : ", ") + m;
  out << (o.markdown ? "" : "# ") << "actfn-bench: f32 Gelem/s, median of " << o.repeats << " runs of >= "
            << o.min_time << " s; " << std::thread::hardware_concurrency() << " hardware threads\n"
            << (o.markdown ? "\n" : "# ") << "implementations: " << peers << "; peers not built: "
            << (missing.empty() ? "none" : missing) << "\n\n";
}

/// --peers alone: the implementations built in and the peers that were not.
int peers_found() {
  for (const Impl& impl : impls()) std::cout << impl.name << "\t" << impl.version << "\n";
  for (const std::string& m : peers_missing()) std::cout << m << "\tnot built\n";
  return 0;
}

/// --list: each implementation and the (function, direction) cases it has.
int list(const Options& o) {
  std::cout << "found: ";
  for (const Impl& impl : impls()) std::cout << impl.name << " (" << impl.version << ")  ";
  std::cout << "\nnot built: ";
  for (const std::string& m : peers_missing()) std::cout << m << "  ";
  std::cout << "\n\n";
  for (const std::string& f : o.functions)
    for (const Case& c : cases_of(f)) {
      std::cout << f << "  " << to_string(c.direction) << ":";
      for (const Impl& impl : impls())
        if (has(impl, c)) std::cout << " " << impl.name;
      std::cout << "\n";
    }
  return 0;
}

int run(const Options& o) {
  std::vector<Case> cases;
  for (const std::string& f : o.functions)
    for (Case& c : cases_of(f)) {
      for (const std::size_t n : o.sizes)
        if (n % c.channels != 0 || (c.row != 0 && n % c.row != 0))
          throw actfn::Error("size " + std::to_string(n) + " is not a multiple of the " +
                             (c.row != 0 ? std::to_string(c.row) + "-entry rows" : std::to_string(c.channels) + " channels") +
                             " of " + f);
      cases.push_back(std::move(c));
    }
  Buffers buffers(*std::ranges::max_element(o.sizes));
  std::vector<Result> results;
  const Table table(o);
  // With --json the header goes to stderr: stdout is one JSON document.
  print_header(o.json ? std::cerr : std::cout, o);
  if (!o.json) table.header();
  for (const Case& c : cases)
    for (const std::size_t n : o.sizes)
      for (const unsigned t : o.threads) {
        const Data d = buffers.data_for(c, n);
        std::map<std::string, double> rate;
        for (const Impl& impl : o.impls) {
          impl.set_threads(t);
          if (const Run r = impl.prepare(c, d)) {
            rate[impl.name] = measure(r, n, o.min_time, o.repeats);
            results.push_back({impl.name, c.function, c.direction, n, t, rate[impl.name],
                               impl.name == "actfn" ? kernel_of(c) : std::string_view{}});
          }
        }
        if (!o.json) table.row(c, n, t, o.impls, rate);
      }
  if (o.json) {
    auto out = nlohmann::json::array();
    for (const Result& r : results) {
      out.push_back({{"impl", r.impl}, {"function", r.function}, {"direction", to_string(r.direction)}, {"n", r.n},
                     {"threads", r.threads}, {"gelem_per_s", r.gelem_per_s}});
      if (!r.kernel.empty()) out.back()["kernel"] = r.kernel;
    }
    std::cout << out.dump(1) << "\n";
    return 0;
  }
  // The per-channel PReLU training step against ReLU's on the same tensor (actfn only).
  std::map<std::pair<std::size_t, unsigned>, double> relu;
  for (const Result& r : results)
    if (r.impl == "actfn" && r.function == "relu" && r.direction == Direction::ForwardBackward)
      relu[{r.n, r.threads}] = r.gelem_per_s;
  bool first = true;
  for (const Result& r : results)
    if (r.impl == "actfn" && r.direction == Direction::ForwardBackward && r.function != "relu" &&
        relu.contains({r.n, r.threads})) {
      if (std::exchange(first, false)) std::cout << "\nforward_backward, actfn, relative to relu's on the same tensor:\n";
      std::cout << (o.markdown ? "- " : "  ") << r.function << " n=" << size_name(r.n) << " threads=" << r.threads
                << ": " << fixed(relu[{r.n, r.threads}] / r.gelem_per_s) << "x the time of relu\n";
    }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"actfn-bench: actfn's activation kernels against libtorch, oneDNN, XNNPACK and memcpy"};
  std::string functions, sizes = "16Ki,1Mi,16Mi", threads = "1,all", peers, target = "auto";
  Options o;
  bool list_only = false;
  app.add_option("--functions", functions, "activation specs, comma-separated (default: every element-wise one, "
                                           "plus prelu(num_parameters=64) per channel)");
  app.add_option("--sizes", sizes, "element counts, e.g. 4096,16Ki,1Mi")->capture_default_str();
  app.add_option("--threads", threads, "thread counts, e.g. 1,2 or all")->capture_default_str();
  auto* peers_opt = app.add_option("--peers", peers, "implementations to run: actfn, reference, libtorch, onednn, "
                                                     "xnnpack, memcpy (default: all built but reference); "
                                                     "alone: list those built in")
                        ->expected(0, 1);
  app.add_option("--min-time", o.min_time, "seconds per repeat")->capture_default_str()->check(CLI::Range(0.0, 60.0));
  app.add_option("--repeats", o.repeats, "repeats; the median is reported")->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--target", target, "actfn's SIMD target (see 'actfn targets')")->capture_default_str();
  app.add_flag("--json", o.json, "JSON array of {impl, function, direction, n, threads, gelem_per_s}");
  app.add_flag("--markdown", o.markdown, "markdown table");
  app.add_flag("--list", list_only, "list the implementations built in and the cases each has, then exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "actfn-bench: error: " << e.what() << "\n";
    return 2;
  }
  try {
    actfn::set_target(target);
    o.functions = functions.empty() ? default_functions() : split_list(functions);
    for (const std::string& f : o.functions) cases_of(f);  // fail before timing anything
    for (const std::string& s : split_list(sizes)) o.sizes.push_back(parse_size(s));
    const unsigned all = std::max(1u, std::thread::hardware_concurrency());
    for (const std::string& s : split_list(threads))
      if (const unsigned t = parse_threads(s, all); std::ranges::find(o.threads, t) == o.threads.end()) o.threads.push_back(t);
    if (o.sizes.empty() || o.threads.empty()) throw actfn::Error("--sizes and --threads need at least one value");
    std::vector<Impl> built = impls();
    const std::vector<std::string> missing = peers_missing();
    if (peers.empty()) {
      std::erase_if(built, [](const Impl& i) { return i.name == "reference"; });
      o.impls = built;
    } else {
      for (const std::string& name : split_list(peers)) {
        const auto it = std::ranges::find(built, name, &Impl::name);
        if (it != built.end()) o.impls.push_back(*it);
        else if (std::ranges::find(missing, name) != missing.end())
          throw actfn::Error("peer '" + name + "' was not found when actfn-bench was built");
        else throw actfn::Error("unknown implementation '" + name + "' (have actfn, reference, libtorch, onednn, xnnpack, memcpy)");
      }
    }
    if (*peers_opt && peers.empty()) return peers_found();
    return list_only ? list(o) : run(o);
  } catch (const std::exception& e) {
    std::cerr << "actfn-bench: error: " << e.what() << "\n";
    return 1;
  }
}
