// The lab's file formats and records without libtorch (this test runs in the sanitizer build too):
// gzip members, limits and trailing bytes; IDX headers whose sizes wrap or pass the limit; CSV
// headers, byte order marks, float range and class limits; the class count; run.json's checksum
// against every changed byte; the checkpoint trailer; JSON of the wrong types or depth. Inputs are
// built here byte by byte, gzip by zlib directly.
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "actfn/error.hpp"
#include "formats.hpp"
#include "records.hpp"

namespace {

namespace lab = actfn::lab;
using Bytes = std::vector<unsigned char>;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const actfn::Error& e) {
    return e.what();
  }
  return "(no error)";
}

/// One gzip member of `data`; with `sync`, a flushed deflate stream without its end (the bytes
/// inflate, then the stream goes on with whatever follows).
Bytes gzip(const Bytes& data, bool sync = false) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  Bytes out(deflateBound(&z, data.size()) + 64);
  z.next_in = const_cast<Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, sync ? Z_SYNC_FLUSH : Z_FINISH), sync ? Z_OK : Z_STREAM_END);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Bytes bytes(std::string_view s) { return {s.begin(), s.end()}; }

Bytes idx_header(unsigned char rank, std::vector<std::uint32_t> dims) {
  Bytes b{0, 0, 0x08, rank};
  for (std::uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<unsigned char>(d >> shift));
  return b;
}

TEST(Decode, PlainAsItIsGzipMembersInflatedInOrder) {
  const Bytes a = bytes("first member, "), b = bytes("second member");
  EXPECT_EQ(lab::decode(a, "f", 1000), a);
  EXPECT_EQ(lab::decode(gzip(a), "f", 1000), a);
  EXPECT_EQ(lab::decode(gzip(a) + gzip(b), "f", 1000), a + b);
  EXPECT_EQ(lab::decode(gzip({}), "f", 1000), Bytes{});
}

TEST(Decode, TrailingBytesTruncationCorruptionAndTheLimitAreErrorsNamingTheFile) {
  const Bytes a = bytes("some data to compress");
  EXPECT_EQ(error_of([&] { lab::decode(gzip(a) + bytes("junk"), "f.gz", 1000); }), "f.gz: 4 bytes after the gzip data");
  Bytes cut = gzip(a);
  cut.resize(cut.size() - 5);
  EXPECT_EQ(error_of([&] { lab::decode(cut, "f.gz", 1000); }), "f.gz: truncated gzip data");
  Bytes bad = gzip(a);
  bad[bad.size() - 6] ^= 0x40;  // inside the CRC-32 of the member's trailer
  EXPECT_EQ(error_of([&] { lab::decode(bad, "f.gz", 1000); }).rfind("f.gz: corrupt gzip data", 0), 0u);
  // 16 MiB of zeros in a few KiB: refused at the limit, exactly the limit is fine.
  const Bytes zeros(16 << 20, 0);
  const Bytes bomb = gzip(zeros);
  ASSERT_LT(bomb.size(), 64u << 10);
  EXPECT_NE(error_of([&] { lab::decode(bomb, "bomb.gz", 1 << 20); }).find("bomb.gz: decompresses to more than the limit of 1048576 bytes"),
            std::string::npos);
  EXPECT_EQ(lab::decode(bomb, "bomb.gz", zeros.size()).size(), zeros.size());
  EXPECT_NE(error_of([&] { lab::decode(a, "plain", 4); }).find("plain: 21 bytes, above the limit of 4 bytes"), std::string::npos);
}

TEST(Idx, PlainAndGzipGiveTheDeclaredArray) {
  const Bytes file = idx_header(3, {2, 1, 3}) + Bytes{1, 2, 3, 4, 5, 6};
  for (const Bytes& raw : {file, gzip(file)}) {
    const lab::IdxArray a = lab::parse_idx(raw, 3, "im", {});
    EXPECT_EQ(a.dims, (std::vector<std::int64_t>{2, 1, 3}));
    EXPECT_EQ(a.values, (Bytes{1, 2, 3, 4, 5, 6}));
  }
  EXPECT_TRUE(lab::parse_idx(idx_header(3, {0, 28, 28}), 3, "empty", {}).values.empty());
}

TEST(Idx, DeclaredSizesAreCheckedBeforeThePayloadIsRead) {
  const lab::ReadLimits limits{.max_bytes = 1 << 20, .max_classes = 10};
  // The header inflates, the rest is not deflate data: refused by its size, before the payload.
  const Bytes big = gzip(idx_header(3, {3, 32768, 32768}), /*sync=*/true) + bytes("not deflate data at all");
  EXPECT_EQ(error_of([&] { lab::parse_idx(big, 3, "big.gz", limits); }),
            "big.gz: the IDX header declares 3x32768x32768 values, above the limit of 1048576 bytes (raise it with "
            "--max-file-size)");
  // 4 x 2^31 x 2^31 wraps to 0 in 64 bits, and (2^32-1)^3 to another small number.
  EXPECT_NE(error_of([&] { lab::parse_idx(idx_header(3, {4, 1u << 31, 1u << 31}), 3, "wraps", {}); }).find("wraps: the IDX header declares"),
            std::string::npos);
  EXPECT_NE(error_of([&] { lab::parse_idx(idx_header(3, {~0u, ~0u, ~0u}), 3, "max", {}); }).find("max: the IDX header declares"),
            std::string::npos);
  // More data than declared: a gzip bomb behind a small header stops after the declared bytes.
  const Bytes bomb = gzip(idx_header(1, {4}) + Bytes(16 << 20, 0));
  EXPECT_EQ(error_of([&] { lab::parse_idx(bomb, 1, "lb.gz", limits); }), "lb.gz: more data than the 4 bytes the header declares");
  EXPECT_EQ(error_of([&] { lab::parse_idx(idx_header(1, {4}) + Bytes(5, 0), 1, "lb", limits); }),
            "lb: 1 bytes after the 4 the header declares");
  EXPECT_EQ(error_of([&] { lab::parse_idx(idx_header(1, {4}) + Bytes(3, 0), 1, "lb", limits); }),
            "lb: truncated: 3 data bytes, the header says 4");
}

TEST(Idx, BadHeadersNameTheProblem) {
  EXPECT_EQ(error_of([] { lab::parse_idx(Bytes{0, 0}, 1, "f", {}); }), "f: not an IDX file (bad magic number)");
  EXPECT_EQ(error_of([] { lab::parse_idx(Bytes{1, 0, 8, 1, 0, 0, 0, 0}, 1, "f", {}); }), "f: not an IDX file (bad magic number)");
  EXPECT_EQ(error_of([] { lab::parse_idx(Bytes{0, 0, 0x0D, 1, 0, 0, 0, 0}, 1, "f", {}); }),
            "f: IDX element type 13, expected 8 (unsigned byte)");
  EXPECT_EQ(error_of([] { lab::parse_idx(idx_header(1, {0}), 3, "f", {}); }), "f: IDX file of 1 dimensions, expected 3");
  EXPECT_EQ(error_of([] { lab::parse_idx(Bytes{0, 0, 8, 3, 0, 0, 0, 1, 0}, 3, "f", {}); }), "f: truncated IDX header");
}

TEST(Csv, HeaderByteOrderMarkLineEndingsAndLines) {
  const lab::CsvTable t = lab::parse_csv("\xEF\xBB\xBFlabel,a,b\r\n3, 0 ,255\r\n\n1,51,102\n", "t.csv", 0.5, {});
  EXPECT_EQ(t.labels, (std::vector<std::int64_t>{3, 1}));
  EXPECT_EQ(t.width, 2u);
  EXPECT_EQ(t.lines, (std::vector<std::size_t>{2, 4}));
  EXPECT_EQ(t.features, (std::vector<float>{0.0f, 127.5f, 25.5f, 51.0f}));
  // A byte order mark before a data row: still a data row.
  EXPECT_EQ(lab::parse_csv("\xEF\xBB\xBF" "2,7\n", "t.csv", 1, {}).labels, (std::vector<std::int64_t>{2}));
}

TEST(Csv, BadRowsNameTheFileAndLine) {
  const lab::ReadLimits limits{.max_bytes = 1 << 20, .max_classes = 10};
  const auto fails = [&](std::string_view text) { return error_of([&] { lab::parse_csv(text, "t.csv", 1.0 / 255, limits); }); };
  // Finite in double, not in float once scaled.
  EXPECT_EQ(fails("0,1\n1,1e300\n"), "t.csv:2: field 2 '1e300' is not a finite float (out of float range)");
  EXPECT_EQ(fails("0,1\n1,inf\n"), "t.csv:2: field 2 'inf' is not a finite float");
  // A first line that starts like a number is data: a corrupt one is an error, not a header.
  EXPECT_EQ(fails("3,x\n1,2\n"), "t.csv:1: field 2 'x' is not a number");
  EXPECT_EQ(fails("3a,1\n1,2\n"), "t.csv:1: the label '3a' is not an integer >= 0");
  EXPECT_EQ(fails("0,1\n10,2\n"), "t.csv:2: label 10 is not below the limit of 10 classes (raise it with --max-classes)");
  EXPECT_EQ(fails("0,1\n-1,2\n"), "t.csv:2: the label '-1' is not an integer >= 0");
  EXPECT_EQ(fails("0,1\n1,2,3\n"), "t.csv:2: 2 features, earlier rows have 1");
  EXPECT_EQ(fails("0\n"), "t.csv:1: needs a label and at least one feature");
  EXPECT_EQ(fails("label,a\n"), "t.csv: no samples");
  EXPECT_EQ(fails("0,1,\n"), "t.csv:1: field 3 '' is not a number");
  // 4 bytes of text per row, 20 in memory (label, line, one float): the table passes 1000 bytes
  // at row 51, line 51.
  std::string rows;
  for (int i = 0; i < 100; ++i) rows += "0,1\n";
  EXPECT_EQ(error_of([&] { lab::parse_csv(rows, "t.csv", 1, {.max_bytes = 1000, .max_classes = 10}); }),
            "t.csv:51: the parsed table passes the limit of 1000 bytes (raise it with --max-file-size)");
}

std::string count_error(const std::vector<std::int64_t>& train, const std::vector<std::int64_t>& test,
                        std::int64_t max_classes = 1000) {
  return error_of([&] {
    lab::count_classes({train, "train", {}}, {test, "test", {}}, {.max_bytes = 1, .max_classes = max_classes});
  });
}

TEST(Classes, FromTheTrainingLabelsCheckedAgainstTestLabelsAndTheLimit) {
  const std::vector<std::int64_t> train{0, 1, 2, 1}, test{2, 0};
  EXPECT_EQ(lab::count_classes({train, "train", {}}, {test, "test", {}}, {}), 3);
  EXPECT_EQ(count_error(train, {0, 1, 2, 2, 2, 2, 2, 255}), "test: sample 7: label 255 is not one of the 3 classes of the training labels");
  EXPECT_EQ(count_error({0, 1, 3, 3, 3}, {}), "train: sample 2: label 3, but no training sample has label 2 (labels number the classes from 0)");
  EXPECT_EQ(count_error({0, 1, 200}, {}),
            "train: sample 2: label 200, but only 3 training samples: some class has none (labels number the classes from 0)");
  EXPECT_EQ(count_error({0, 1, 1000000}, {}, 1000),
            "train: sample 2: label 1000000 is not below the limit of 1000 classes (raise it with --max-classes)");
  EXPECT_EQ(count_error({0, 0}, {}), "train: fewer than two classes (every label is 0)");
  const std::vector<std::size_t> lines{2, 5};
  EXPECT_EQ(error_of([&] {
              lab::count_classes({train, "train.csv", {}}, {std::vector<std::int64_t>{1, 7}, "test.csv", lines}, {});
            }),
            "test.csv:5: label 7 is not one of the 3 classes of the training labels");
}

lab::RunResult small_run() {
  lab::RunResult r;
  r.activation = "relu";
  r.model.kind = "mlp";
  r.model.activations = {"relu"};
  r.model.depth = 2;
  r.model.width = 16;
  r.init = "he";
  r.seed = 18446744073709551615u;  // the largest seed survives as an unsigned integer
  r.data = "idx somewhere";
  lab::EpochRecord e;
  e.epoch = 1;
  e.lr = 1e-3;
  e.train_loss = 0.5;
  e.val_accuracy = std::numeric_limits<double>::quiet_NaN();
  e.test_accuracy = 0.75;
  lab::SiteStats s;
  s.name = "hidden1";
  s.spec = "prelu";
  s.units = 16;
  s.learned_names = {"weight"};
  s.learned = {0.25};
  e.sites = {s};
  e.grad_norms = {{"hidden1", 1.5}, {"output", 0.5}};
  r.epochs = {e};
  r.best_epoch = 1;
  r.test_accuracy = 0.75;
  r.parameters = 1380;
  r.fingerprint = {{"train", {{"epochs", 1}}}};
  return r;
}

TEST(RunJson, RoundTripsItsRecords) {
  const lab::RunResult r = lab::run_from_text(lab::run_to_text(small_run()), "run.json");
  EXPECT_EQ(r.seed, 18446744073709551615u);
  EXPECT_EQ(r.model.width, 16);
  ASSERT_EQ(r.epochs.size(), 1u);
  EXPECT_TRUE(std::isnan(r.epochs[0].val_accuracy));
  EXPECT_EQ(r.epochs[0].test_accuracy, 0.75);
  EXPECT_EQ(r.epochs[0].sites[0].learned, std::vector<double>{0.25});
  EXPECT_EQ(r.epochs[0].grad_norms[1].layer, "output");
  EXPECT_EQ(r.fingerprint, small_run().fingerprint);
}

TEST(RunJson, EveryChangedByteIsAnErrorNamingTheFile) {
  const std::string text = lab::run_to_text(small_run());
  // The text is JSON whose last member is the checksum: the CRC-32 of every byte before it.
  const std::string head = ",\n \"checksum\": \"crc32:";
  const auto at = text.rfind(head);
  ASSERT_NE(at, std::string::npos);
  char crc[9];
  std::snprintf(crc, sizeof crc, "%08lx", crc32(0, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(at)));
  EXPECT_EQ(text.substr(at + head.size()), std::string(crc) + "\"\n}\n");
  for (std::size_t i = 0; i < text.size(); ++i)
    for (const unsigned char bit : {0x01, 0x20}) {
      std::string changed = text;
      changed[i] = static_cast<char>(changed[i] ^ bit);
      const std::string e = error_of([&] { lab::run_from_text(changed, "dir/run.json"); });
      ASSERT_EQ(e.rfind("dir/run.json: ", 0), 0u) << "byte " << i << ": " << e;
    }
  EXPECT_EQ(error_of([&] { lab::run_from_text(text.substr(0, text.size() - 1), "r"); }),
            "r: no checksum at its end (cut short, edited, or written by an older actfn)");
  EXPECT_EQ(error_of([&] { lab::run_from_text("{\"activation\": \"relu\"}\n", "r"); }),
            "r: no checksum at its end (cut short, edited, or written by an older actfn)");
}

/// `body` (JSON without its closing brace) with a valid checksum: what a hand-edited file whose
/// checksum was recomputed looks like.
std::string with_checksum(const std::string& body) {
  char crc[9];
  std::snprintf(crc, sizeof crc, "%08lx", crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  return body + ",\n \"checksum\": \"crc32:" + crc + "\"\n}\n";
}

TEST(RunJson, WrongTypesRangesAndDepthAreErrorsNamingTheKey) {
  EXPECT_EQ(error_of([] { lab::run_from_text(with_checksum("{\"activation\": 5"), "r"); }),
            "r: 'activation' is the number 5, expected a string");
  std::string text = lab::run_to_text(small_run());
  text = text.substr(0, text.rfind(",\n \"checksum\""));
  const auto replaced = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    return with_checksum(t);
  };
  EXPECT_EQ(error_of([&] { lab::run_from_text(replaced("\"units\": 16", "\"units\": 1e300"), "r"); }),
            "r: 'units' is the number 1e+300, expected an integer");
  EXPECT_EQ(error_of([&] { lab::run_from_text(replaced("\"parameters\": 1380", "\"parameters\": 9223372036854775808"), "r"); }),
            "r: 'parameters' = 9223372036854775808 is out of range");
  EXPECT_EQ(error_of([&] { lab::run_from_text(replaced("\"seed\": 18446744073709551615", "\"seed\": -1"), "r"); }),
            "r: 'seed' = -1 is out of range");
  EXPECT_EQ(error_of([&] { lab::run_from_text(replaced("\"epochs\": [", "\"epochs\": {"), "r"); }).rfind("r: not valid JSON (", 0), 0u);
  EXPECT_EQ(error_of([&] { lab::run_from_text(with_checksum("{\"a\": " + std::string(100000, '[')), "r"); }),
            "r: nested deeper than 64 levels");
  EXPECT_EQ(error_of([&] { lab::run_from_text(with_checksum("{\"activation\": \"relu\""), "r"); }), "r: 'model' is missing");
}

TEST(Checkpoint, TheTrailerGuardsEveryByte) {
  const Bytes archive = bytes("PK... a libtorch archive stands here ...");
  const std::string trailer = lab::checkpoint_trailer(archive);
  const Bytes file = archive + bytes(trailer);
  const std::span<const unsigned char> payload = lab::checkpoint_payload(file, "c.pt");
  EXPECT_EQ(Bytes(payload.begin(), payload.end()), archive);
  for (std::size_t i = 0; i < file.size(); ++i) {
    Bytes changed = file;
    changed[i] ^= 0x01;
    const std::string e = error_of([&] { lab::checkpoint_payload(changed, "c.pt"); });
    ASSERT_EQ(e.rfind("c.pt: ", 0), 0u) << "byte " << i << ": " << e;
  }
  EXPECT_EQ(error_of([&] { lab::checkpoint_payload(archive, "c.pt"); }),
            "c.pt: no checksum trailer (not a checkpoint of this actfn, or cut short)");
  const Bytes shorter = Bytes(archive.begin() + 1, archive.end()) + bytes(trailer);
  EXPECT_EQ(error_of([&] { lab::checkpoint_payload(shorter, "c.pt"); }),
            "c.pt: " + std::to_string(archive.size() - 1) + " archive bytes, the trailer says " + std::to_string(archive.size()));
  EXPECT_EQ(error_of([&] { lab::checkpoint_payload(Bytes{}, "c.pt"); }),
            "c.pt: no checksum trailer (not a checkpoint of this actfn, or cut short)");
}

TEST(Json, FirstDifferenceNamesThePathAndBothValues) {
  const nlohmann::json a = {{"train", {{"epochs", 2}, {"lr", 0.001}}}, {"data", {{"files", {"a", "b"}}}}};
  nlohmann::json b = a;
  b["train"]["epochs"] = 6;
  EXPECT_EQ(lab::first_difference(a, b), "train.epochs was 2, now 6");
  b["data"]["files"][1] = "c";
  EXPECT_EQ(lab::first_difference(a, b), "data.files.1 was \"b\", now \"c\" (and 1 more)");
  EXPECT_EQ(lab::first_difference(a, a), "");
  EXPECT_EQ(error_of([] { (void)lab::field<int>(nlohmann::json{{"n", 1e10}}, "n"); }), "'n' is the number 10000000000.0, expected an integer");
  EXPECT_EQ(error_of([] { (void)lab::field<int>(nlohmann::json{{"n", 10000000000}}, "n"); }), "'n' = 10000000000 is out of range");
  EXPECT_EQ(error_of([] { (void)lab::field<int>(nlohmann::json::array(), "n"); }), "expected an object with 'n', found array");
}

}  // namespace
