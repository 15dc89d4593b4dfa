// The lab below its command line: IDX/CSV readers on files written here byte by byte, the split,
// models and their initialisation against independent formulas, the activation sites' diagnostics
// on hand-made inputs, and training determinism on Fashion-MNIST.
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "actfn/error.hpp"
#include "compare.hpp"
#include "data.hpp"
#include "models.hpp"
#include "train.hpp"

namespace {

namespace fs = std::filesystem;
namespace lab = actfn::lab;

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::path(::testing::TempDir()) / ("actfn_lab_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::vector<unsigned char> idx_header(unsigned char rank, std::vector<std::uint32_t> dims) {
  std::vector<unsigned char> b{0, 0, 0x08, rank};
  for (std::uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<unsigned char>(d >> shift));
  return b;
}

void write_bytes(const fs::path& p, const std::vector<unsigned char>& bytes) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void write_gzip(const fs::path& p, const std::vector<unsigned char>& bytes) {
  gzFile f = gzopen(p.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  gzclose(f);
}

/// n images of rows×cols with pixel (i, r, c) = (i + r + c) % 256, and labels i % classes.
std::pair<std::vector<unsigned char>, std::vector<unsigned char>> idx_pair(std::uint32_t n, std::uint32_t rows,
                                                                           std::uint32_t cols, unsigned classes = 10) {
  auto images = idx_header(3, {n, rows, cols});
  for (std::uint32_t i = 0; i < n; ++i)
    for (std::uint32_t r = 0; r < rows; ++r)
      for (std::uint32_t c = 0; c < cols; ++c) images.push_back(static_cast<unsigned char>((i + r + c) % 256));
  auto labels = idx_header(1, {n});
  for (std::uint32_t i = 0; i < n; ++i) labels.push_back(static_cast<unsigned char>(i % classes));
  return {images, labels};
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const actfn::Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Data, IdxPlainAndGzipReadTheSameValues) {
  const fs::path d = fresh_dir("idx");
  const auto [images, labels] = idx_pair(5, 3, 4);
  write_bytes(d / "im", images);
  write_bytes(d / "lb", labels);
  write_gzip(d / "im.gz", images);
  write_gzip(d / "lb.gz", labels);
  for (const auto& [im, lb] : {std::pair{d / "im", d / "lb"}, std::pair{d / "im.gz", d / "lb.gz"}}) {
    const lab::Dataset ds = lab::read_idx(im, lb);
    ASSERT_EQ(ds.images.sizes(), (at::IntArrayRef{5, 1, 3, 4}));
    EXPECT_FLOAT_EQ(ds.images[4][0][2][3].item<float>(), static_cast<float>((4 + 2 + 3) % 256) / 255.0f);
    EXPECT_EQ(ds.labels[3].item<std::int64_t>(), 3);
  }
}

TEST(Data, CorruptTruncatedAndMismatchedIdxFilesNameTheProblem) {
  const fs::path d = fresh_dir("bad_idx");
  auto [images, labels] = idx_pair(4, 2, 2);
  write_bytes(d / "lb", labels);
  auto truncated = images;
  truncated.resize(truncated.size() - 3);
  write_bytes(d / "truncated", truncated);
  EXPECT_NE(error_of([&] { lab::read_idx(d / "truncated", d / "lb"); }).find("truncated: 13 data bytes, the header says 16"),
            std::string::npos);
  auto trailing = images;
  trailing.push_back(7);
  write_bytes(d / "trailing", trailing);
  EXPECT_NE(error_of([&] { lab::read_idx(d / "trailing", d / "lb"); }).find("1 bytes after the 16"), std::string::npos);
  auto magic = images;
  magic[0] = 1;
  write_bytes(d / "magic", magic);
  EXPECT_NE(error_of([&] { lab::read_idx(d / "magic", d / "lb"); }).find("bad magic number"), std::string::npos);
  auto type = images;
  type[2] = 0x0D;  // float
  write_bytes(d / "type", type);
  EXPECT_NE(error_of([&] { lab::read_idx(d / "type", d / "lb"); }).find("element type 13"), std::string::npos);
  write_bytes(d / "im", images);
  auto [images3, labels3] = idx_pair(3, 2, 2);
  write_bytes(d / "lb3", labels3);
  EXPECT_NE(error_of([&] { lab::read_idx(d / "im", d / "lb3"); }).find("has 4 images but"), std::string::npos);
  // gzip: a cut stream, and bytes that claim to be gzip but are not.
  write_gzip(d / "full.gz", images);
  std::vector<unsigned char> gz;
  {
    std::ifstream in(d / "full.gz", std::ios::binary);
    gz.assign(std::istreambuf_iterator<char>(in), {});
  }
  gz.resize(gz.size() / 2);
  write_bytes(d / "cut.gz", gz);
  EXPECT_NE(error_of([&] { lab::read_idx(d / "cut.gz", d / "lb"); }).find("cut.gz"), std::string::npos);
  write_bytes(d / "garbage.gz", {0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  EXPECT_NE(error_of([&] { lab::read_idx(d / "garbage.gz", d / "lb"); }).find("garbage.gz"), std::string::npos);
  EXPECT_NE(error_of([&] { lab::read_idx(d / "missing", d / "lb"); }).find("missing: no such file"), std::string::npos);
}

TEST(Data, CsvWithHeaderAndErrorsWithLineNumbers) {
  const fs::path d = fresh_dir("csv");
  std::ofstream(d / "ok.csv") << "label,a,b,c,d\n3,0,255,51,102\n1,255,0,0,0\r\n";
  const lab::Dataset ds = lab::read_csv(d / "ok.csv");
  ASSERT_EQ(ds.images.sizes(), (at::IntArrayRef{2, 1, 2, 2}));  // 4 features: a 2x2 image
  EXPECT_EQ(ds.labels[0].item<std::int64_t>(), 3);
  EXPECT_FLOAT_EQ(ds.images[0][0][1][0].item<float>(), 51.0f / 255.0f);
  std::ofstream(d / "width.csv") << "1,2,3\n0,1\n";
  EXPECT_EQ(error_of([&] { lab::read_csv(d / "width.csv"); }), (d / "width.csv").string() + ":2: 1 features, earlier rows have 2");
  std::ofstream(d / "text.csv") << "1,2,3\n0,x,1\n";
  EXPECT_EQ(error_of([&] { lab::read_csv(d / "text.csv"); }), (d / "text.csv").string() + ":2: field 2 'x' is not a number");
  std::ofstream(d / "label.csv") << "1.5,2,3\n";
  EXPECT_EQ(error_of([&] { lab::read_csv(d / "label.csv"); }), (d / "label.csv").string() + ":1: the label '1.5' is not an integer >= 0");
}

TEST(Data, CsvValuesOutOfFloatRangeACorruptFirstRowAndABomAreHandled) {
  const fs::path d = fresh_dir("csv_bad");
  // 1e300 is finite in double but not in float: every sample would turn NaN.
  std::ofstream(d / "big.csv") << "0,1,2\n1,1e300,3\n";
  EXPECT_EQ(error_of([&] { lab::read_csv(d / "big.csv"); }).rfind((d / "big.csv").string() + ":2: ", 0), 0u)
      << error_of([&] { lab::read_csv(d / "big.csv"); });
  // A first line whose first field is a number is data: a corrupt one is an error, not a header.
  std::ofstream(d / "first.csv") << "3,x,1\n1,2,3\n";
  EXPECT_EQ(error_of([&] { lab::read_csv(d / "first.csv"); }).rfind((d / "first.csv").string() + ":1: ", 0), 0u)
      << error_of([&] { lab::read_csv(d / "first.csv"); });
  // A UTF-8 byte order mark is not a header: both rows are samples.
  std::ofstream(d / "bom.csv") << "\xEF\xBB\xBF" "3,0,255\n1,255,0\n";
  const lab::Dataset bom = lab::read_csv(d / "bom.csv");
  ASSERT_EQ(bom.size(), 2);
  EXPECT_EQ(bom.labels[0].item<std::int64_t>(), 3);
}

TEST(Data, BytesAfterTheGzipStreamAreAnError) {
  const fs::path d = fresh_dir("gz_trailing");
  auto [images, labels] = idx_pair(4, 2, 2);
  write_bytes(d / "lb", labels);
  write_gzip(d / "im.gz", images);
  std::ofstream(d / "im.gz", std::ios::app | std::ios::binary) << "trailing garbage";
  const std::string e = error_of([&] { lab::read_idx(d / "im.gz", d / "lb"); });
  EXPECT_EQ(e.rfind((d / "im.gz").string() + ": ", 0), 0u) << e;
  EXPECT_NE(e.find("after the gzip"), std::string::npos) << e;
}

TEST(Data, IdxSizesThatWrapOrPassTheLimitNameTheFileBeforeReading) {
  const fs::path d = fresh_dir("idx_sizes");
  write_bytes(d / "lb", idx_pair(4, 1, 1).second);
  // 4 x 2^31 x 2^31 bytes: the product wraps to 0 in 64 bits, the size of the (empty) payload.
  write_bytes(d / "wraps", idx_header(3, {4, 1u << 31, 1u << 31}));
  const std::string wraps = error_of([&] { lab::read_idx(d / "wraps", d / "lb"); });
  EXPECT_EQ(wraps.rfind((d / "wraps").string() + ": ", 0), 0u) << wraps;
  // 3 x 32768 x 32768 = 3 GiB declared, above the default limit: refused from the header alone.
  auto big = idx_header(3, {3, 32768, 32768});
  big.resize(big.size() + 4096, 0);
  write_gzip(d / "big.gz", big);
  const std::string limit = error_of([&] { lab::read_idx(d / "big.gz", d / "lb"); });
  EXPECT_EQ(limit.rfind((d / "big.gz").string() + ": ", 0), 0u) << limit;
  EXPECT_NE(limit.find("limit"), std::string::npos) << limit;
}

TEST(Data, LabelsOutsideTheTrainingClassesOrPastTheClassLimitAreErrors) {
  const fs::path d = fresh_dir("classes");
  const auto [images, labels] = idx_pair(40, 4, 4);
  write_bytes(d / "train-images-idx3-ubyte", images);
  write_bytes(d / "train-labels-idx1-ubyte", labels);
  auto [timages, tlabels] = idx_pair(20, 4, 4);
  tlabels[8 + 7] = 255;  // test sample 7: a class the training labels do not have
  write_bytes(d / "t10k-images-idx3-ubyte", timages);
  write_bytes(d / "t10k-labels-idx1-ubyte", tlabels);
  lab::DataOptions o;
  o.dir = d;
  o.validation = 0;
  const std::string e = error_of([&] { lab::load(o); });
  EXPECT_NE(e.find((d / "t10k-labels-idx1-ubyte").string()), std::string::npos) << e;
  EXPECT_NE(e.find("sample 7: label 255"), std::string::npos) << e;
  // One CSV label of 1000000 would make a 1,000,001-class model.
  const fs::path c = fresh_dir("classes_csv");
  std::ofstream(c / "train.csv") << "0,1,2\n1,3,4\n1000000,5,6\n";
  std::ofstream(c / "test.csv") << "0,1,2\n1,3,4\n";
  o.dir = c;
  const std::string csv = error_of([&] { lab::load(o); });
  EXPECT_EQ(csv.rfind((c / "train.csv").string() + ":3: ", 0), 0u) << csv;
  EXPECT_NE(csv.find("--max-classes"), std::string::npos) << csv;
}

TEST(Data, SplitIsSeededDisjointAndStandardised) {
  const fs::path d = fresh_dir("split");
  const auto [images, labels] = idx_pair(120, 4, 4);
  write_bytes(d / "train-images-idx3-ubyte", images);
  write_bytes(d / "train-labels-idx1-ubyte", labels);
  const auto [timages, tlabels] = idx_pair(30, 4, 4);
  write_gzip(d / "t10k-images-idx3-ubyte.gz", timages);
  write_gzip(d / "t10k-labels-idx1-ubyte.gz", tlabels);
  lab::DataOptions o;
  o.dir = d;
  o.validation = 0.25;
  const lab::Splits a = lab::load(o), b = lab::load(o);
  EXPECT_EQ(a.train.size(), 90);
  EXPECT_EQ(a.validation.size(), 30);
  EXPECT_EQ(a.test.size(), 30);
  EXPECT_EQ(a.classes, 10);
  EXPECT_TRUE(at::equal(a.train.images, b.train.images));
  EXPECT_NEAR(a.train.images.mean().item<double>(), 0.0, 1e-5);
  EXPECT_NEAR(a.train.images.std().item<double>(), 1.0, 1e-5);
  // The training and validation images are different samples: images are distinct per index i
  // (pixel (0, 0) = i), so compare those.
  const at::Tensor first_pixels = at::cat({a.train.images.select(2, 0).select(2, 0).flatten(),
                                           a.validation.images.select(2, 0).select(2, 0).flatten()});
  EXPECT_EQ(std::get<0>(at::_unique(first_pixels)).numel(), 120);
  o.split_seed = 1;
  EXPECT_FALSE(at::equal(lab::load(o).validation.labels, a.validation.labels));
  o.train_size = 20;
  o.test_size = 7;
  const lab::Splits c = lab::load(o);
  EXPECT_EQ(c.train.size(), 20);
  EXPECT_EQ(c.test.size(), 7);
  o.train_size = 91;
  EXPECT_NE(error_of([&] { lab::load(o); }).find("exceeds the 90 training samples"), std::string::npos);
  o.dir = d / "nowhere";
  EXPECT_NE(error_of([&] { lab::load(o); }).find("does not exist"), std::string::npos);
  fs::remove(d / "t10k-labels-idx1-ubyte.gz");
  o.dir = d;
  o.train_size = 0;
  EXPECT_NE(error_of([&] { lab::load(o); }).find("missing IDX files"), std::string::npos);
}

TEST(Models, EveryKindGivesLogitsAndCountsItsSites) {
  const at::Tensor x = at::randn({3, 1, 28, 28});
  for (const auto& [kind, sites] : {std::pair{"mlp", 2}, std::pair{"cnn", 3}, std::pair{"rnn", 2}, std::pair{"transformer", 2}}) {
    lab::ModelSpec s;
    s.kind = kind;
    s.activations = {"gelu"};
    lab::Net net(s, 1, 28, 28, 10);
    EXPECT_EQ(net->forward(x).sizes(), (at::IntArrayRef{3, 10})) << kind;
    EXPECT_EQ(static_cast<int>(net->sites.size()), sites) << kind;
  }
  // Maxout and GLU widen the layer before them, so the widths after them stay.
  for (const char* act : {"maxout(pieces=3)", "glu"}) {
    for (const char* kind : {"mlp", "cnn", "transformer"}) {
      lab::ModelSpec s;
      s.kind = kind;
      s.activations = {act};
      lab::Net net(s, 1, 28, 28, 10);
      EXPECT_EQ(net->forward(x).sizes(), (at::IntArrayRef{3, 10})) << kind << " " << act;
    }
  }
  lab::ModelSpec s;
  s.activations = {"relu", "tanh"};
  s.norm = "after";
  s.dropout = 0.1;
  lab::Net net(s, 1, 28, 28, 10);
  EXPECT_EQ(net->sites[1]->stats().spec, "tanh");
}

TEST(Models, ImpossibleOptionsAreRefusedByName) {
  const auto fails = [](lab::ModelSpec s) { return error_of([&] { (void)s.validated(1, 28, 28); }); };
  lab::ModelSpec s;
  s.kind = "resnet";
  EXPECT_EQ(fails(s), "unknown model 'resnet' (expected mlp, cnn, rnn or transformer)");
  s = {};
  s.activations = {"reluu"};
  EXPECT_NE(fails(s).find("unknown activation 'reluu'"), std::string::npos);
  s = {};
  s.kind = "rnn";
  s.norm = "before";
  EXPECT_NE(fails(s).find("applies to the mlp and cnn models"), std::string::npos);
  s = {};
  s.activations = {"relu", "relu", "relu"};
  EXPECT_NE(fails(s).find("has 2 activation layers"), std::string::npos);
  s = {};
  s.kind = "cnn";
  s.depth = 5;
  EXPECT_NE(fails(s).find("below one pixel"), std::string::npos);
  s = {};
  s.kind = "transformer";
  s.width = 30;
  EXPECT_NE(fails(s).find("divisible by its 4 heads"), std::string::npos);
  s = {};
  s.activations = {"softmax"};
  EXPECT_NE(fails(s).find("vector-wise"), std::string::npos);
  s = {};
  s.dropout = 1;
  EXPECT_NE(fails(s).find("dropout"), std::string::npos);
}

/// The standard deviation of a Linear layer's weights, by name.
double weight_std(lab::Net& net, const std::string& layer) {
  for (const auto& [name, w] : net->weights)
    if (name == layer) return w.std().item<double>();
  return -1;
}

TEST(Models, InitialisationMatchesTheActivation) {
  // Expected deviations from the textbook formulas, not from actfn: He sqrt(2/fan_in) for ReLU,
  // sqrt(2/((1+a²) fan_in)) for PReLU at its initial slope a = 1/4, LeCun sqrt(1/fan_in) for SELU,
  // Glorot sqrt(2/(fan_in+fan_out)) for tanh.
  struct Expect {
    const char* act;
    const char* init;
    double std;
  };
  const double fan_in = 784, fan_out = 512;
  for (const Expect& e : {Expect{"relu", "he", std::sqrt(2 / fan_in)},
                          Expect{"prelu", "he", std::sqrt(2 / ((1 + 0.0625) * fan_in))},
                          Expect{"selu", "lecun", std::sqrt(1 / fan_in)},
                          Expect{"tanh", "xavier", std::sqrt(2 / (fan_in + fan_out))}}) {
    at::manual_seed(0);
    lab::ModelSpec s;
    s.activations = {e.act};
    s.width = 512;
    lab::Net net(s, 1, 28, 28, 10);
    EXPECT_EQ(net->init, e.init) << e.act;
    // 401,408 samples: the sample deviation is within 0.5% of the true one (5 sigma).
    EXPECT_NEAR(weight_std(net, "hidden1"), e.std, 0.005 * e.std) << e.act;
  }
  at::manual_seed(0);
  lab::ModelSpec s;
  s.activations = {"relu"};
  s.init = "lecun";
  lab::Net net(s, 1, 28, 28, 10);
  EXPECT_NEAR(weight_std(net, "hidden1"), std::sqrt(1 / fan_in), 0.01 * std::sqrt(1 / fan_in));
}

TEST(Sites, DeadSaturatedAndMomentsOnAKnownInput) {
  // relu on 4 units × 3 samples: unit 0 always negative (dead), unit 1 once positive.
  lab::Site site("s", "relu", 4, 1);
  site->train();
  site->start_recording(0.01);
  const at::Tensor x = at::tensor({-1.0f, -2.0f, 0.5f, 3.0f,  //
                                   -3.0f, 1.0f, 0.25f, -1.0f,  //
                                   -0.5f, -1.0f, 2.0f, 4.0f})
                           .reshape({3, 4});
  site->forward(x);
  const lab::SiteStats s = site->stats();
  EXPECT_DOUBLE_EQ(s.dead, 0.25);
  EXPECT_DOUBLE_EQ(s.saturated, 6.0 / 12.0);  // the six negative inputs have f' = 0
  double sum = 0, sq = 0, ysum = 0, ysq = 0;
  for (float v : {-1.0f, -2.0f, 0.5f, 3.0f, -3.0f, 1.0f, 0.25f, -1.0f, -0.5f, -1.0f, 2.0f, 4.0f}) {
    sum += v, sq += double(v) * v;
    const double y = v > 0 ? v : 0;
    ysum += y, ysq += y * y;
  }
  EXPECT_NEAR(s.z_mean, sum / 12, 1e-12);
  EXPECT_NEAR(s.z_var, sq / 12 - (sum / 12) * (sum / 12), 1e-12);
  EXPECT_NEAR(s.y_mean, ysum / 12, 1e-12);
  EXPECT_NEAR(s.y_var, ysq / 12 - (ysum / 12) * (ysum / 12), 1e-12);
  // Units along the last dimension (the transformer's layout): [batch, tokens, units].
  lab::Site last("t", "sigmoid", 2, -1);
  last->train();
  last->start_recording(0.1);
  last->forward(at::tensor({0.0f, 10.0f, 0.0f, -10.0f}).reshape({1, 2, 2}));
  // sigmoid'(±10) = 4.5e-5 < 0.1: the second unit is saturated at both tokens, never dead.
  EXPECT_DOUBLE_EQ(last->stats().saturated, 0.5);
  EXPECT_DOUBLE_EQ(last->stats().dead, 0.0);
  // Not recording in eval mode.
  site->eval();
  site->start_recording(0.01);
  site->forward(x);
  EXPECT_EQ(site->stats().elements, 0);
}

TEST(Compare, SpecListsAndDirectoryNames) {
  EXPECT_EQ(lab::split_specs("relu, leaky_relu(negative_slope=0.2, ),gelu"),
            (std::vector<std::string>{"relu", "leaky_relu(negative_slope=0.2, )", "gelu"}));
  EXPECT_EQ(lab::slug("leaky_relu(negative_slope=0.2)"), "leaky_relu-negative_slope=0.2");
  EXPECT_NE(error_of([] { lab::split_specs("relu,,gelu"); }).find("empty activation"), std::string::npos);
}

/// A small Fashion-MNIST problem (the Debian package dataset-fashion-mnist, which the project's
/// install script installs).
lab::Splits small_fashion(std::int64_t train = 1500) {
  lab::DataOptions d;
  d.train_size = train;
  d.test_size = 1000;
  d.validation = 1000.0 / 60000;
  return lab::load(d);
}

TEST(Train, SameSeedSameMetricsBitForBitOtherSeedOtherMetrics) {
  const lab::Splits data = small_fashion();
  lab::ModelSpec m;
  m.activations = {"swish"};
  m.width = 64;
  m.dropout = 0.2;
  lab::TrainOptions o;
  o.epochs = 2;
  o.threads = 1;
  o.progress = "none";
  const nlohmann::json a = lab::to_json(lab::run(m, data, o)), b = lab::to_json(lab::run(m, data, o));
  const auto metrics = [](nlohmann::json j) {
    for (auto& e : j["epochs"]) e.erase("seconds");
    j.erase("seconds_per_epoch");
    return j;
  };
  EXPECT_EQ(metrics(a), metrics(b));
  o.seed = 1;
  EXPECT_NE(metrics(lab::to_json(lab::run(m, data, o)))["epochs"], metrics(a)["epochs"]);
  // Learned swish β moved from 1 and is recorded.
  EXPECT_EQ(a["initial_sites"][0]["learned"]["beta"], 1.0);
  EXPECT_NE(a["epochs"][1]["sites"][0]["learned"]["beta"], 1.0);
}

/// One epoch of model m that writes its checkpoint to dir/c.pt: the options it ran with.
lab::TrainOptions checkpointed_run(const lab::Splits& data, const lab::ModelSpec& m, const fs::path& dir) {
  lab::TrainOptions o;
  o.epochs = 1;
  o.threads = 1;
  o.progress = "none";
  o.checkpoint = dir / "c.pt";
  (void)lab::run(m, data, o);
  return o;
}

TEST(Train, CheckpointOfAnotherRunIsRefused) {
  const lab::Splits data = small_fashion(500);
  lab::ModelSpec m;
  m.width = 32;
  lab::TrainOptions o = checkpointed_run(data, m, fresh_dir("ckpt"));
  ASSERT_TRUE(fs::exists(o.checkpoint));
  m.activations = {"tanh"};
  const std::string other = error_of([&] { (void)lab::run(m, data, o); });
  EXPECT_NE(other.find("is the checkpoint of another run (model.activations.0 was \"relu\", now \"tanh\")"), std::string::npos)
      << other;
  std::ofstream(o.checkpoint) << "not a checkpoint";
  EXPECT_NE(error_of([&] { (void)lab::run(m, data, o); }).find("no checksum trailer"), std::string::npos);
}

TEST(Train, ACheckpointWithOneChangedByteIsRefusedByName) {
  const lab::Splits data = small_fashion(500);
  lab::ModelSpec m;
  m.width = 32;
  lab::TrainOptions o = checkpointed_run(data, m, fresh_dir("ckpt_byte"));
  std::string bytes;
  {
    std::ifstream in(o.checkpoint, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(bytes.size(), 1000u);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
  std::ofstream(o.checkpoint, std::ios::binary | std::ios::trunc) << bytes;
  // The same run again: it resumes from the checkpoint (here with every epoch done).
  const std::string e = error_of([&] { (void)lab::run(m, data, o); });
  EXPECT_EQ(e.rfind(o.checkpoint.string() + ": ", 0), 0u) << e;
  EXPECT_NE(e.find("checksum"), std::string::npos) << e;
}

TEST(Train, ReluMlpReaches88PercentOnFashionMnist) {
  // The acceptance run: 784-256-256-10, Adam 1e-3, 10 epochs, the full training set (less
  // the 5,000 validation images), batch 128, He initialisation.
  lab::DataOptions d;
  const lab::Splits data = lab::load(d);
  lab::ModelSpec m;
  m.activations = {"relu"};
  m.depth = 2;
  m.width = 256;
  lab::TrainOptions o;
  o.epochs = 10;
  o.threads = 2;
  o.progress = "none";
  const lab::RunResult r = lab::run(m, data, o);
  EXPECT_GE(r.test_accuracy, 0.88) << "best validation epoch " << r.best_epoch;
  EXPECT_EQ(r.parameters, 784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10);
}

}  // namespace
