// The lab's data formats without libtorch: a file's bytes (plain or gzip), IDX arrays, CSV tables,
// and the class count of a labelled dataset. Safe on any input bytes: sizes are checked before
// anything is allocated for them, and every failure is an actfn::Error naming the file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace actfn::lab {

/// What one data file may cost; both user-raisable (--max-file-size, --max-classes).
struct ReadLimits {
  /// Bytes of one data file, decompressed, and of a CSV file's parsed table (Fashion-MNIST's
  /// largest file is 47 MB).
  std::uint64_t max_bytes = std::uint64_t{2} << 30;
  /// Classes of a dataset: the width of the model's output layer.
  std::int64_t max_classes = 1000;
};

/// CRC-32 (zlib's, the gzip polynomial) of the bytes.
std::uint32_t crc32(std::span<const unsigned char> bytes);

/// The file's content: plain bytes as they are, or gzip (every member) inflated; never more than
/// max_bytes (an error naming `name` instead); trailing non-gzip bytes after a member are an error.
std::vector<unsigned char> decode(std::span<const unsigned char> raw, const std::string& name, std::uint64_t max_bytes);

struct IdxArray {
  std::vector<std::int64_t> dims;
  std::vector<unsigned char> values;  // the product of dims, row-major
};

/// An IDX file (raw bytes, gzip or plain) of element type 0x08 and the given rank; the declared
/// size is checked (overflow, max_bytes) before inflating the payload, and the payload may not
/// exceed it. Errors name `name`.
IdxArray parse_idx(std::span<const unsigned char> raw, std::size_t rank, const std::string& name,
                   const ReadLimits& limits);

struct CsvTable {
  std::vector<std::int64_t> labels;
  std::vector<float> features;     // labels.size() rows of `width`
  std::size_t width = 0;
  std::vector<std::size_t> lines;  // the line (1-based) of each sample, for later errors
};

/// CSV text (label, features...); errors name `name:line`; labels checked against max_classes,
/// features must be finite in float after scaling, the table's bytes in memory within max_bytes.
/// A UTF-8 byte order mark is skipped; the first line is a header (and skipped) only when its
/// first field does not start like a number.
CsvTable parse_csv(std::string_view text, const std::string& name, double scale, const ReadLimits& limits);

/// One file's labels (>= 0), for the class count.
struct LabelList {
  std::span<const std::int64_t> labels;
  std::string file;
  std::span<const std::size_t> lines;  // CSV: each label's line, for errors; empty: "sample i"
};

/// The class count of a dataset: one more than its largest training label. Every class below it
/// must have a training sample, the count may not pass limits.max_classes, and every test label
/// must be one of the classes; errors name the file and the sample.
std::int64_t count_classes(const LabelList& train, const LabelList& test, const ReadLimits& limits);

}  // namespace actfn::lab
