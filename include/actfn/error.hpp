// actfn — the one exception type. Every user-facing failure (unknown activation, bad parameter,
// wrong size) throws actfn::Error with a one-line message that names the problem.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace actfn {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

namespace detail {

/// The escaped text (see printable) and how many bytes of `text` it shows.
inline std::pair<std::string, std::size_t> escape(std::string_view text, std::size_t max) {
  constexpr char kHex[] = "0123456789abcdef";
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  // The length of the UTF-8 character starting at text[i] (2 to 4 bytes), 0 if none starts there.
  const auto utf8_length = [&](std::size_t i) -> std::size_t {
    const unsigned char b = byte(i);
    const std::size_t n = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 && b < 0xF0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0;
    if (n == 0 || i + n > text.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
      if ((byte(i + k) & 0xC0) != 0x80) return 0;
    return n;
  };
  std::string out;
  std::size_t i = 0;
  while (i < text.size() && i < max) {
    const unsigned char b = byte(i);
    const std::size_t n = b >= 0x80 ? utf8_length(i) : 0;
    if (b >= 0x20 && b < 0x7F) {
      out += static_cast<char>(b);
      ++i;
    } else if (n != 0) {
      if (i + n > max) break;  // a character that does not fit whole
      out.append(text.substr(i, n));
      i += n;
    } else {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 15];
      ++i;
    }
  }
  return {out, i};
}

/// "" or, for a text cut after `shown` bytes, how much of it was shown.
inline std::string cut_note(std::size_t shown, std::size_t size) {
  return shown < size ? "... (first " + std::to_string(shown) + " of " + std::to_string(size) + " bytes)" : "";
}

}  // namespace detail

/// `text` fit for a one-line message: control bytes (NUL, newline, ...) and bytes that are not
/// UTF-8 written as \xNN, so that the message stays one line and survives C strings and Python's
/// decoding; complete UTF-8 characters kept. At most `max` bytes of `text` are shown and the cut is
/// counted ("... (first 80 of 1048576 bytes)"), so a megabyte of input is not echoed whole.
/// Idempotent on what it returns (a backslash is not escaped).
inline std::string printable(std::string_view text, std::size_t max = 80) {
  const auto [shown, used] = detail::escape(text, max);
  return shown + detail::cut_note(used, text.size());
}

/// printable(text) in single quotes: user input inside a message ("unknown activation 'reluu'").
inline std::string quote(std::string_view text, std::size_t max = 80) {
  const auto [shown, used] = detail::escape(text, max);
  return "'" + shown + "'" + detail::cut_note(used, text.size());
}

}  // namespace actfn
