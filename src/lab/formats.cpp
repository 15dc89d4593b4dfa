#include "formats.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cmath>
#include <limits>
#include <memory>

#include "actfn/error.hpp"

namespace actfn::lab {
namespace {

bool is_gzip(std::span<const unsigned char> raw) { return raw.size() >= 2 && raw[0] == 0x1f && raw[1] == 0x8b; }

/// "the limit of N bytes (raise it with --max-file-size)": the tail of a too-large file's error.
std::string size_limit(std::uint64_t max_bytes) {
  return "the limit of " + std::to_string(max_bytes) + " bytes (raise it with --max-file-size)";
}

struct Inflated {
  std::vector<unsigned char> bytes;
  bool beyond = false;  // the data went on past `limit` bytes
};

/// Inflates raw's gzip members in order, to at most `limit` bytes. With `whole`, to the end of the
/// last member, after which nothing but another member may follow (`beyond`: there was more than
/// `limit`); without, only until `limit` bytes are out, the rest not looked at. The output grows
/// with the data actually inflated, never ahead of it.
Inflated inflate_gzip(std::span<const unsigned char> raw, const std::string& name, std::uint64_t limit, bool whole) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw Error(name + ": cannot start zlib");
  const std::unique_ptr<z_stream, int (*)(z_streamp)> end(&z, inflateEnd);
  Inflated out;
  std::array<unsigned char, 1 << 16> chunk{};
  std::size_t fed = 0;  // bytes of raw given to zlib so far (z.avail_in of them not yet read)
  if (!whole && limit == 0) return out;
  for (;;) {
    if (z.avail_in == 0 && fed < raw.size()) {
      const std::size_t n = std::min<std::size_t>(raw.size() - fed, UINT_MAX);
      // zlib's input pointer is not const; it only reads through it.
      z.next_in = const_cast<Bytef*>(raw.data() + fed);
      z.avail_in = static_cast<uInt>(n);
      fed += n;
    }
    const std::uint64_t room = limit - out.bytes.size();
    z.next_out = chunk.data();
    z.avail_out = static_cast<uInt>(whole ? chunk.size() : std::min<std::uint64_t>(chunk.size(), room));
    const int rc = inflate(&z, Z_NO_FLUSH);
    const std::size_t produced = static_cast<std::size_t>(z.next_out - chunk.data());
    const std::size_t kept = std::min<std::uint64_t>(produced, room);
    out.bytes.insert(out.bytes.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(kept));
    if (kept < produced) {
      out.beyond = true;
      return out;
    }
    if (!whole && out.bytes.size() == limit) return out;  // what follows is not looked at
    const std::size_t left = z.avail_in + (raw.size() - fed);  // input not read yet
    if (rc == Z_STREAM_END) {
      if (left == 0) return out;
      const std::span<const unsigned char> rest = raw.subspan(raw.size() - left);
      if (!is_gzip(rest)) throw Error(name + ": " + std::to_string(left) + " bytes after the gzip data");
      if (inflateReset(&z) != Z_OK) throw Error(name + ": corrupt gzip data");
      continue;  // the next member, from where the last one ended
    }
    // No progress with room to write: the input ended inside a member.
    if (rc == Z_BUF_ERROR) throw Error(name + (left == 0 ? ": truncated gzip data" : ": corrupt gzip data"));
    if (rc != Z_OK)
      throw Error(name + ": corrupt gzip data (" + (z.msg != nullptr ? z.msg : "zlib error " + std::to_string(rc)) + ")");
  }
}

std::uint32_t big_endian(const unsigned char* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | std::uint32_t{p[3]};
}

/// At most `n` bytes from the start of the content (gzip inflated).
std::vector<unsigned char> prefix(std::span<const unsigned char> raw, std::size_t n, const std::string& name) {
  if (is_gzip(raw)) return inflate_gzip(raw, name, n, /*whole=*/false).bytes;
  return {raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(std::min(n, raw.size()))};
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::uint32_t crc32(std::span<const unsigned char> bytes) {
  return static_cast<std::uint32_t>(::crc32_z(0, bytes.data(), bytes.size()));
}

std::vector<unsigned char> decode(std::span<const unsigned char> raw, const std::string& name, std::uint64_t max_bytes) {
  if (!is_gzip(raw)) {
    if (raw.size() > max_bytes) throw Error(name + ": " + std::to_string(raw.size()) + " bytes, above " + size_limit(max_bytes));
    return {raw.begin(), raw.end()};
  }
  Inflated in = inflate_gzip(raw, name, max_bytes, /*whole=*/true);
  if (in.beyond) throw Error(name + ": decompresses to more than " + size_limit(max_bytes));
  return std::move(in.bytes);
}

IdxArray parse_idx(std::span<const unsigned char> raw, std::size_t rank, const std::string& name,
                   const ReadLimits& limits) {
  const std::string what = name + ": ";
  // The header: magic 0 0, element type, rank, then rank big-endian uint32 sizes.
  const std::size_t header = 4 + 4 * rank;
  const std::vector<unsigned char> head = prefix(raw, header, name);
  if (head.size() < 4 || head[0] != 0 || head[1] != 0) throw Error(what + "not an IDX file (bad magic number)");
  if (head[2] != 0x08)
    throw Error(what + "IDX element type " + std::to_string(head[2]) + ", expected 8 (unsigned byte)");
  if (head[3] != rank)
    throw Error(what + "IDX file of " + std::to_string(head[3]) + " dimensions, expected " + std::to_string(rank));
  if (head.size() < header) throw Error(what + "truncated IDX header");

  IdxArray idx;
  std::string shape;
  bool empty = false;
  for (std::size_t i = 0; i < rank; ++i) {
    idx.dims.push_back(big_endian(&head[4 + 4 * i]));
    if (i > 0) shape += 'x';
    shape += std::to_string(idx.dims.back());
    empty = empty || idx.dims.back() == 0;
  }
  // The declared payload, checked against the limit one factor at a time (no product can wrap).
  std::uint64_t count = empty ? 0 : 1;
  const std::uint64_t room = limits.max_bytes > header ? limits.max_bytes - header : 0;
  for (std::size_t i = 0; i < rank && !empty; ++i) {
    const auto d = static_cast<std::uint64_t>(idx.dims[i]);
    if (count > room / d) throw Error(what + "the IDX header declares " + shape + " values, above " + size_limit(limits.max_bytes));
    count *= d;
  }

  if (is_gzip(raw)) {
    Inflated in = inflate_gzip(raw, name, header + count, /*whole=*/true);
    if (in.beyond) throw Error(what + "more data than the " + std::to_string(count) + " bytes the header declares");
    if (in.bytes.size() < header + count)
      throw Error(what + "truncated: " + std::to_string(in.bytes.size() - std::min(in.bytes.size(), header)) +
                  " data bytes, the header says " + std::to_string(count));
    in.bytes.erase(in.bytes.begin(), in.bytes.begin() + static_cast<std::ptrdiff_t>(header));
    idx.values = std::move(in.bytes);
    return idx;
  }
  const std::size_t have = raw.size() - header;
  if (have < count)
    throw Error(what + "truncated: " + std::to_string(have) + " data bytes, the header says " + std::to_string(count));
  if (have > count)
    throw Error(what + std::to_string(have - count) + " bytes after the " + std::to_string(count) + " the header declares");
  idx.values.assign(raw.begin() + static_cast<std::ptrdiff_t>(header), raw.end());
  return idx;
}

CsvTable parse_csv(std::string_view text, const std::string& name, double scale, const ReadLimits& limits) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte order mark
  CsvTable t;
  std::vector<std::string_view> fields;
  bool first = true;
  std::size_t number = 0;
  std::uint64_t parsed = 0;  // bytes of labels, lines and features so far
  while (!text.empty()) {
    ++number;
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (trimmed(line).empty()) continue;
    const std::string where = name + ":" + std::to_string(number) + ": ";

    fields.clear();
    for (std::size_t start = 0;;) {
      const std::size_t comma = line.find(',', start);
      fields.push_back(trimmed(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    const auto parse = [](std::string_view f, double& v) {
      const auto [stop, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
      return ec == std::errc() && stop == f.data() + f.size();
    };
    double v = 0;
    if (first) {
      first = false;
      // A header: a first line whose first field does not even start like a number.
      const std::string_view f = fields[0];
      if (std::from_chars(f.data(), f.data() + f.size(), v).ec == std::errc::invalid_argument) continue;
    }
    if (fields.size() < 2) throw Error(where + "needs a label and at least one feature");
    if (!parse(fields[0], v) || !(v >= 0) || v != std::floor(v))
      throw Error(where + "the label " + quote(fields[0], 32) + " is not an integer >= 0");
    if (!(v < static_cast<double>(limits.max_classes)))
      throw Error(where + "label " + printable(fields[0], 32) + " is not below the limit of " + std::to_string(limits.max_classes) +
                  " classes (raise it with --max-classes)");
    if (t.width == 0) t.width = fields.size() - 1;
    if (fields.size() - 1 != t.width)
      throw Error(where + std::to_string(fields.size() - 1) + " features, earlier rows have " + std::to_string(t.width));
    // What the table holds in memory stays within the limit too: a small gzip of short rows would
    // otherwise become several times the limit once parsed.
    parsed += sizeof(std::int64_t) + sizeof(std::size_t) + t.width * sizeof(float);
    if (parsed > limits.max_bytes)
      throw Error(where + "the parsed table passes " + size_limit(limits.max_bytes));
    t.labels.push_back(static_cast<std::int64_t>(v));
    t.lines.push_back(number);
    for (std::size_t i = 1; i < fields.size(); ++i) {
      if (!parse(fields[i], v)) throw Error(where + "field " + std::to_string(i + 1) + " " + quote(fields[i], 32) + " is not a number");
      const double scaled = v * scale;
      if (!(std::abs(scaled) <= std::numeric_limits<float>::max()))
        throw Error(where + "field " + std::to_string(i + 1) + " " + quote(fields[i], 32) + " is not a finite float" +
                    (std::isfinite(scaled) ? " (out of float range)" : ""));
      t.features.push_back(static_cast<float>(scaled));
    }
  }
  if (t.labels.empty()) throw Error(name + ": no samples");
  return t;
}

std::int64_t count_classes(const LabelList& train, const LabelList& test, const ReadLimits& limits) {
  const auto sample = [](const LabelList& l, std::size_t i) {
    return i < l.lines.size() ? l.file + ":" + std::to_string(l.lines[i]) : l.file + ": sample " + std::to_string(i);
  };
  if (train.labels.empty()) throw Error(train.file + ": no samples");
  const auto largest = std::max_element(train.labels.begin(), train.labels.end());
  const auto at = static_cast<std::size_t>(largest - train.labels.begin());
  if (*largest >= limits.max_classes)
    throw Error(sample(train, at) + ": label " + std::to_string(*largest) + " is not below the limit of " +
                std::to_string(limits.max_classes) + " classes (raise it with --max-classes)");
  const std::int64_t classes = *largest + 1;
  if (classes < 2) throw Error(train.file + ": fewer than two classes (every label is 0)");
  // Every class has a training sample: a gap means a label that does not number a class (and
  // there cannot be more classes than samples, which bounds what `seen` takes).
  if (classes > static_cast<std::int64_t>(train.labels.size()))
    throw Error(sample(train, at) + ": label " + std::to_string(*largest) + ", but only " +
                std::to_string(train.labels.size()) + " training samples: some class has none (labels number the "
                "classes from 0)");
  std::vector<bool> seen(static_cast<std::size_t>(classes), false);
  for (const std::int64_t l : train.labels) {
    if (l < 0) throw Error(train.file + ": negative label " + std::to_string(l));
    seen[static_cast<std::size_t>(l)] = true;
  }
  const auto missing = std::find(seen.begin(), seen.end(), false);
  if (missing != seen.end())
    throw Error(sample(train, at) + ": label " + std::to_string(*largest) + ", but no training sample has label " +
                std::to_string(missing - seen.begin()) + " (labels number the classes from 0)");
  for (std::size_t i = 0; i < test.labels.size(); ++i)
    if (test.labels[i] < 0 || test.labels[i] >= classes)
      throw Error(sample(test, i) + ": label " + std::to_string(test.labels[i]) + " is not one of the " +
                  std::to_string(classes) + " classes of the training labels");
  return classes;
}

}  // namespace actfn::lab
