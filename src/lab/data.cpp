#include "data.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <vector>

#include "actfn/error.hpp"
#include "random.hpp"

namespace actfn::lab {
namespace {

namespace fs = std::filesystem;

/// A data file's bytes as stored, and its identity for a run's fingerprint.
struct RawFile {
  std::vector<unsigned char> bytes;
  nlohmann::json identity;  // {"name", "bytes", "crc32"}
};

/// The whole file, as stored (no larger than the decompressed limit: gzip never grows data that
/// much). Throws actfn::Error naming it.
RawFile read_raw(const fs::path& path, const ReadLimits& limits) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw Error(path.string() + ": no such file");
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) throw Error(path.string() + ": cannot read (" + ec.message() + ")");
  if (size > limits.max_bytes)
    throw Error(path.string() + ": " + std::to_string(size) + " bytes, above the limit of " +
                std::to_string(limits.max_bytes) + " bytes (raise it with --max-file-size)");
  std::ifstream in(path, std::ios::binary);
  RawFile f;
  f.bytes.resize(static_cast<std::size_t>(size));
  if (!in.read(reinterpret_cast<char*>(f.bytes.data()), static_cast<std::streamsize>(size)) || in.peek() != EOF)
    throw Error(path.string() + ": cannot read (it changed while being read)");
  char crc[9];
  std::snprintf(crc, sizeof crc, "%08x", crc32(f.bytes));
  f.identity = {{"name", path.filename().string()}, {"bytes", f.bytes.size()}, {"crc32", crc}};
  return f;
}

/// A dataset as read, with what its label errors should name.
struct Read {
  Dataset data;
  std::string labels_file;
  std::vector<std::size_t> lines;  // CSV: each sample's line
};

Read read_idx_pair(const fs::path& images, const fs::path& labels, const ReadLimits& limits, nlohmann::json& files) {
  RawFile im_raw = read_raw(images, limits);
  files.push_back(im_raw.identity);
  IdxArray im = parse_idx(im_raw.bytes, 3, images.string(), limits);
  im_raw = {};
  RawFile lb_raw = read_raw(labels, limits);
  files.push_back(lb_raw.identity);
  IdxArray lb = parse_idx(lb_raw.bytes, 1, labels.string(), limits);
  if (im.dims[0] != lb.dims[0])
    throw Error(images.string() + " has " + std::to_string(im.dims[0]) + " images but " + labels.string() + " has " +
                std::to_string(lb.dims[0]) + " labels");
  if (im.dims[0] == 0 || im.dims[1] == 0 || im.dims[2] == 0)
    throw Error(images.string() + ": no images (" + std::to_string(im.dims[0]) + "x" + std::to_string(im.dims[1]) + "x" +
                std::to_string(im.dims[2]) + ")");
  Read r;
  r.labels_file = labels.string();
  // The sizes fit: their product is within the byte limit.
  r.data.images = torch::from_blob(im.values.data(), {im.dims[0], 1, im.dims[1], im.dims[2]}, torch::kUInt8)
                      .to(torch::kFloat32)
                      .div_(255.0);
  r.data.labels = torch::from_blob(lb.values.data(), {lb.dims[0]}, torch::kUInt8).to(torch::kInt64);
  return r;
}

Read read_csv_file(const fs::path& file, double scale, const ReadLimits& limits, nlohmann::json& files) {
  const RawFile raw = read_raw(file, limits);
  files.push_back(raw.identity);
  const std::vector<unsigned char> text = decode(raw.bytes, file.string(), limits.max_bytes);
  CsvTable t = parse_csv({reinterpret_cast<const char*>(text.data()), text.size()}, file.string(), scale, limits);
  const auto n = static_cast<std::int64_t>(t.labels.size());
  const auto width = static_cast<std::int64_t>(t.width);
  const auto side = static_cast<std::int64_t>(std::llround(std::sqrt(static_cast<double>(width))));
  const bool square = side * side == width;
  Read r;
  r.labels_file = file.string();
  r.lines = std::move(t.lines);
  r.data.images = torch::tensor(t.features).reshape({n, 1, square ? side : 1, square ? side : width});
  r.data.labels = torch::tensor(t.labels, torch::kInt64);
  return r;
}

LabelList label_list(const Read& r) {
  return {{r.data.labels.data_ptr<std::int64_t>(), static_cast<std::size_t>(r.data.size())}, r.labels_file, r.lines};
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

Dataset read_idx(const fs::path& images, const fs::path& labels, const ReadLimits& limits) {
  nlohmann::json files = nlohmann::json::array();
  return read_idx_pair(images, labels, limits, files).data;
}

Dataset read_csv(const fs::path& file, double scale, const ReadLimits& limits) {
  nlohmann::json files = nlohmann::json::array();
  return read_csv_file(file, scale, limits, files).data;
}

Splits load(const DataOptions& o) {
  if (o.format != "auto" && o.format != "idx" && o.format != "csv")
    throw Error("data format '" + o.format + "' is not one of auto, idx, csv");
  if (!(o.validation >= 0 && o.validation < 1)) throw Error("the validation fraction must be in [0, 1)");
  if (o.train_size < 0 || o.test_size < 0) throw Error("subset sizes must be >= 0");
  if (o.limits.max_classes < 2) throw Error("--max-classes must be at least 2");
  if (o.limits.max_bytes < 1) throw Error("--max-file-size must be at least 1 byte");
  std::error_code ec;
  if (!fs::is_directory(o.dir, ec))
    throw Error("dataset directory " + o.dir.string() + " does not exist" +
                (o.dir == DataOptions{}.dir ? " (install the Debian package dataset-fashion-mnist)" : ""));
  const auto train_images = find_idx(o.dir, "train-images-idx3-ubyte");
  const bool idx = o.format == "idx" || (o.format == "auto" && train_images);
  Splits s;
  Read train_read, test_read;
  nlohmann::json files = nlohmann::json::array();
  if (idx) {
    const auto train_labels = find_idx(o.dir, "train-labels-idx1-ubyte");
    const auto test_images = find_idx(o.dir, "t10k-images-idx3-ubyte");
    const auto test_labels = find_idx(o.dir, "t10k-labels-idx1-ubyte");
    if (!train_images || !train_labels || !test_images || !test_labels)
      throw Error(o.dir.string() + ": missing IDX files; expected train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                  "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each optionally .gz)");
    train_read = read_idx_pair(*train_images, *train_labels, o.limits, files);
    test_read = read_idx_pair(*test_images, *test_labels, o.limits, files);
    s.source = "idx " + o.dir.string();
  } else {
    if (!is_file(o.dir / "train.csv") || !is_file(o.dir / "test.csv"))
      throw Error(o.dir.string() + ": no dataset found; expected the IDX files train-images-idx3-ubyte[.gz], "
                  "train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz], or "
                  "train.csv and test.csv");
    train_read = read_csv_file(o.dir / "train.csv", 1.0 / 255.0, o.limits, files);
    test_read = read_csv_file(o.dir / "test.csv", 1.0 / 255.0, o.limits, files);
    s.source = "csv " + o.dir.string();
  }
  const Dataset& train = train_read.data;
  const Dataset& test = test_read.data;
  if (train.images.sizes().slice(1) != test.images.sizes().slice(1))
    throw Error(o.dir.string() + ": training samples have shape " + c10::str(train.images.sizes().slice(1)) +
                ", test samples " + c10::str(test.images.sizes().slice(1)));
  s.classes = count_classes(label_list(train_read), label_list(test_read), o.limits);

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
  s.identity = {{"format", idx ? "idx" : "csv"},
                {"validation", o.validation},
                {"train_size", o.train_size},
                {"test_size", o.test_size},
                {"split_seed", o.split_seed},
                {"samples", {{"train", s.train.size()}, {"validation", s.validation.size()}, {"test", s.test.size()}}},
                {"files", files}};
  return s;
}

}  // namespace actfn::lab
