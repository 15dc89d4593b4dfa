#include "data.hpp"

#include <zlib.h>

#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <memory>
#include <optional>
#include <vector>

#include "actfn/error.hpp"
#include "random.hpp"

namespace actfn::lab {
namespace {

namespace fs = std::filesystem;

/// A whole file, gunzipped when it is gzip (zlib reads plain files unchanged).
std::vector<unsigned char> read_all(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw Error(path.string() + ": no such file");
  const std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
  if (!file) throw Error(path.string() + ": cannot open");
  std::vector<unsigned char> out;
  std::array<unsigned char, 1 << 16> chunk{};
  for (;;) {
    const int got = gzread(file.get(), chunk.data(), static_cast<unsigned>(chunk.size()));
    if (got < 0) {
      int code = 0;
      throw Error(path.string() + ": corrupt gzip data (" + gzerror(file.get(), &code) + ")");
    }
    if (got == 0) break;
    out.insert(out.end(), chunk.begin(), chunk.begin() + got);
  }
  // gzread stops quietly at a truncated gzip stream; zlib reports it only as this error.
  int code = 0;
  gzerror(file.get(), &code);
  if (code != Z_OK && code != Z_BUF_ERROR) throw Error(path.string() + ": corrupt gzip data");
  if (code == Z_BUF_ERROR) throw Error(path.string() + ": truncated gzip data");
  return out;
}

std::uint32_t big_endian(const unsigned char* p) {
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | std::uint32_t(p[3]);
}

/// An IDX file's dimensions and payload: magic 0 0 type rank, rank big-endian uint32 sizes, then
/// the values (here: type 0x08, unsigned bytes) and nothing after them.
struct Idx {
  std::vector<std::int64_t> dims;
  std::vector<unsigned char> bytes;  // the whole file; payload from `offset`
  std::size_t offset = 0;
};

Idx read_idx_file(const fs::path& path, std::size_t rank) {
  Idx idx;
  idx.bytes = read_all(path);
  const auto& b = idx.bytes;
  const std::string what = path.string() + ": ";
  if (b.size() < 4 || b[0] != 0 || b[1] != 0) throw Error(what + "not an IDX file (bad magic number)");
  if (b[2] != 0x08) throw Error(what + "IDX element type " + std::to_string(b[2]) + ", expected 8 (unsigned byte)");
  if (b[3] != rank)
    throw Error(what + "IDX file of " + std::to_string(b[3]) + " dimensions, expected " + std::to_string(rank));
  idx.offset = 4 + 4 * rank;
  if (b.size() < idx.offset) throw Error(what + "truncated IDX header");
  std::size_t count = 1;
  for (std::size_t i = 0; i < rank; ++i) {
    idx.dims.push_back(big_endian(&b[4 + 4 * i]));
    count *= static_cast<std::size_t>(idx.dims.back());
  }
  const std::size_t have = b.size() - idx.offset;
  if (have < count)
    throw Error(what + "truncated: " + std::to_string(have) + " data bytes, the header says " + std::to_string(count));
  if (have > count)
    throw Error(what + std::to_string(have - count) + " bytes after the " + std::to_string(count) + " the header declares");
  return idx;
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

/// name or name.gz in dir, whichever exists (name.gz preferred: the Debian package's form).
std::optional<fs::path> find_idx(const fs::path& dir, const std::string& name) {
  for (const fs::path& p : {dir / (name + ".gz"), dir / name})
    if (is_file(p)) return p;
  return std::nullopt;
}

/// Standardises in place with the training pixels' scalar mean and standard deviation.
void standardise(Dataset& d, double mean, double stddev) { d.images.sub_(mean).div_(stddev); }

Dataset take(const Dataset& d, const std::vector<std::int64_t>& rows) {
  const at::Tensor index = torch::tensor(rows, torch::kInt64);
  return {d.images.index_select(0, index), d.labels.index_select(0, index)};
}

}  // namespace

Dataset read_idx(const fs::path& images, const fs::path& labels) {
  const Idx im = read_idx_file(images, 3);
  const Idx lb = read_idx_file(labels, 1);
  if (im.dims[0] != lb.dims[0])
    throw Error(images.string() + " has " + std::to_string(im.dims[0]) + " images but " + labels.string() + " has " +
                std::to_string(lb.dims[0]) + " labels");
  if (im.dims[0] == 0) throw Error(images.string() + ": no images");
  Dataset d;
  d.images = torch::from_blob(const_cast<unsigned char*>(im.bytes.data() + im.offset), {im.dims[0], 1, im.dims[1], im.dims[2]},
                              torch::kUInt8)
                 .to(torch::kFloat32)
                 .div_(255.0);
  d.labels = torch::from_blob(const_cast<unsigned char*>(lb.bytes.data() + lb.offset), {lb.dims[0]}, torch::kUInt8)
                 .to(torch::kInt64);
  return d;
}

Dataset read_csv(const fs::path& file, double scale) {
  if (!is_file(file)) throw Error(file.string() + ": no such file");
  std::ifstream in(file);
  if (!in) throw Error(file.string() + ": cannot open");
  std::vector<float> features;
  std::vector<std::int64_t> labels;
  std::size_t width = 0;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::string where = file.string() + ":" + std::to_string(number) + ": ";
    std::vector<double> fields;
    const char* p = line.data();
    const char* const end = p + line.size();
    bool numeric = true;
    while (p <= end) {
      const char* comma = std::find(p, end, ',');
      while (p < comma && *p == ' ') ++p;
      double v = 0;
      const auto [stop, ec] = std::from_chars(p, comma, v);
      if (ec != std::errc() || (stop != comma && *stop != ' ') || !std::isfinite(v)) numeric = false;
      fields.push_back(v);
      p = comma + 1;
    }
    if (!numeric) {
      if (labels.empty() && width == 0 && number == 1) continue;  // a header line
      throw Error(where + "a field is not a finite number");
    }
    if (fields.size() < 2) throw Error(where + "needs a label and at least one feature");
    const double label = fields[0];
    if (label < 0 || label != std::floor(label) || label > 1e6) throw Error(where + "the label is not an integer >= 0");
    if (width == 0) width = fields.size() - 1;
    if (fields.size() - 1 != width)
      throw Error(where + std::to_string(fields.size() - 1) + " features, earlier rows have " + std::to_string(width));
    labels.push_back(static_cast<std::int64_t>(label));
    for (std::size_t i = 1; i < fields.size(); ++i) features.push_back(static_cast<float>(fields[i] * scale));
  }
  if (labels.empty()) throw Error(file.string() + ": no samples");
  const auto n = static_cast<std::int64_t>(labels.size());
  const auto side = static_cast<std::int64_t>(std::llround(std::sqrt(static_cast<double>(width))));
  const bool square = side * side == static_cast<std::int64_t>(width);
  Dataset d;
  d.images = torch::tensor(features).reshape({n, 1, square ? side : 1, square ? side : static_cast<std::int64_t>(width)});
  d.labels = torch::tensor(labels, torch::kInt64);
  return d;
}

Splits load(const DataOptions& o) {
  if (o.format != "auto" && o.format != "idx" && o.format != "csv")
    throw Error("data format '" + o.format + "' is not one of auto, idx, csv");
  if (!(o.validation >= 0 && o.validation < 1)) throw Error("the validation fraction must be in [0, 1)");
  if (o.train_size < 0 || o.test_size < 0) throw Error("subset sizes must be >= 0");
  std::error_code ec;
  if (!fs::is_directory(o.dir, ec))
    throw Error("dataset directory " + o.dir.string() + " does not exist" +
                (o.dir == DataOptions{}.dir ? " (install the Debian package dataset-fashion-mnist)" : ""));
  const auto train_images = find_idx(o.dir, "train-images-idx3-ubyte");
  const bool idx = o.format == "idx" || (o.format == "auto" && train_images);
  Splits s;
  Dataset train, test;
  if (idx) {
    const auto train_labels = find_idx(o.dir, "train-labels-idx1-ubyte");
    const auto test_images = find_idx(o.dir, "t10k-images-idx3-ubyte");
    const auto test_labels = find_idx(o.dir, "t10k-labels-idx1-ubyte");
    if (!train_images || !train_labels || !test_images || !test_labels)
      throw Error(o.dir.string() + ": missing IDX files; expected train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                  "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each optionally .gz)");
    train = read_idx(*train_images, *train_labels);
    test = read_idx(*test_images, *test_labels);
    s.source = "idx " + o.dir.string();
  } else {
    if (!is_file(o.dir / "train.csv") || !is_file(o.dir / "test.csv"))
      throw Error(o.dir.string() + ": no dataset found; expected the IDX files train-images-idx3-ubyte[.gz], "
                  "train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz], or "
                  "train.csv and test.csv");
    train = read_csv(o.dir / "train.csv");
    test = read_csv(o.dir / "test.csv");
    s.source = "csv " + o.dir.string();
  }
  if (train.images.sizes().slice(1) != test.images.sizes().slice(1))
    throw Error(o.dir.string() + ": training samples have shape " + c10::str(train.images.sizes().slice(1)) +
                ", test samples " + c10::str(test.images.sizes().slice(1)));
  s.classes = std::max(train.labels.max().item<std::int64_t>(), test.labels.max().item<std::int64_t>()) + 1;
  if (s.classes < 2) throw Error(o.dir.string() + ": fewer than two classes");

  const std::int64_t n = train.size();
  const auto held_out = static_cast<std::int64_t>(std::llround(o.validation * static_cast<double>(n)));
  if (n - held_out < 1) throw Error("the validation split leaves no training samples");
  const std::vector<std::int64_t> order = permutation(n, o.split_seed, 1);
  std::vector<std::int64_t> val_rows(order.begin(), order.begin() + held_out);
  std::vector<std::int64_t> train_rows(order.begin() + held_out, order.end());
  if (o.train_size > 0) {
    if (o.train_size > static_cast<std::int64_t>(train_rows.size()))
      throw Error("--train-size " + std::to_string(o.train_size) + " exceeds the " + std::to_string(train_rows.size()) +
                  " training samples left after the validation split");
    train_rows.resize(static_cast<std::size_t>(o.train_size));
  }
  if (o.test_size > test.size())
    throw Error("--test-size " + std::to_string(o.test_size) + " exceeds the " + std::to_string(test.size()) +
                " test samples");
  s.train = take(train, train_rows);
  if (held_out > 0) s.validation = take(train, val_rows);
  s.test = o.test_size > 0 ? Dataset{test.images.slice(0, 0, o.test_size).clone(), test.labels.slice(0, 0, o.test_size).clone()}
                           : test;

  s.mean = s.train.images.mean().item<double>();
  s.stddev = s.train.images.std().item<double>();
  if (!(s.stddev > 0)) s.stddev = 1;
  for (Dataset* d : {&s.train, &s.validation, &s.test})
    if (d->images.defined()) standardise(*d, s.mean, s.stddev);
  return s;
}

}  // namespace actfn::lab
