// The lab's data: MNIST-format IDX files (gzip-compressed or plain) or CSV (label, features...),
// as standardised float tensors, with a seeded validation split from the training set.
#pragma once

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "formats.hpp"

namespace actfn::lab {

/// Images N×C×H×W (float32; standardised once splits exist) and labels N (int64 in [0, classes)).
struct Dataset {
  at::Tensor images;
  at::Tensor labels;
  [[nodiscard]] std::int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

/// One IDX file pair: images (type 0x08 unsigned bytes, 3 dimensions N×rows×cols) and labels (0x08,
/// 1 dimension N). gzip or plain, detected from the content. Values scaled to [0, 1]. Throws
/// actfn::Error naming the file on a missing, unreadable, corrupt or truncated file, on trailing
/// bytes, on a size past the limits (checked before it is read), and on an image count that
/// differs from the label count.
Dataset read_idx(const std::filesystem::path& images, const std::filesystem::path& labels, const ReadLimits& limits = {});

/// CSV (gzip or plain): one sample per line, the label (an integer ≥ 0, below limits.max_classes)
/// first, then the features; a first line whose first field is not a number is a header and
/// skipped. Every row must have the same number of features D; a square D becomes a 1×√D×√D image,
/// any other D a 1×1×D one. Features as given, scaled by `scale`, finite in float. Throws
/// actfn::Error naming the file and line on a malformed row.
Dataset read_csv(const std::filesystem::path& file, double scale = 1.0 / 255.0, const ReadLimits& limits = {});

struct DataOptions {
  /// A directory with train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],
  /// t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz] (format idx), or with train.csv
  /// and test.csv (format csv).
  std::filesystem::path dir = "/usr/share/datasets/fashion-mnist";
  std::string format = "auto";  // auto, idx, csv
  double validation = 1.0 / 12;  // fraction of the training set held out (5,000 of Fashion-MNIST's 60,000)
  std::int64_t train_size = 0;   // > 0: use only this many of the remaining training samples
  std::int64_t test_size = 0;    // > 0: use only the first this many test samples
  std::uint64_t split_seed = 0;  // the split and subset; independent of the training seed
  ReadLimits limits;             // what one file may cost; no part of a run's identity
};

struct Splits {
  Dataset train, validation, test;
  /// One more than the largest training label; every class has a training sample, every test
  /// label is one of them, and the count is within DataOptions::limits.max_classes.
  std::int64_t classes = 0;
  std::string source;            // "idx /usr/share/datasets/fashion-mnist" etc.
  /// What the splits are made of, for a run's fingerprint: the resolved format, the options that
  /// choose the samples, the split sizes, and every file read by name, size and CRC-32 of its
  /// bytes (the directory is not part of it: the same files elsewhere are the same data).
  nlohmann::json identity;
  double mean = 0, stddev = 1;   // of the training pixels before standardisation
  [[nodiscard]] std::int64_t channels() const { return train.images.size(1); }
  [[nodiscard]] std::int64_t height() const { return train.images.size(2); }
  [[nodiscard]] std::int64_t width() const { return train.images.size(3); }
};

/// Reads the training and test sets, holds out the validation split (a seeded permutation), keeps
/// the requested subsets, and standardises every split with the training pixels' mean and
/// standard deviation. Throws actfn::Error on a missing dataset (saying which files it looked
/// for), a corrupt file, mismatched image shapes or an impossible split.
Splits load(const DataOptions& options);

}  // namespace actfn::lab
