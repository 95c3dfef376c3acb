// multipart/form-data bodies from arbitrary part names, file names, content types and data:
// either std::invalid_argument, or a body that a strict reader splits back into exactly the
// parts that went in, byte for byte (no header injection through a name, no part ending early).
//
// Input: records separated by 0xff bytes, taken four at a time as name, file name, content
// type and data; the first byte picks the boundary.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cadence/http/multipart.hpp"
#include "fuzz_check.hpp"

using cadence::fuzz::check;

namespace {

struct Part {
  std::string_view name, filename, content_type, data;
};

// Splits `body` at the boundary delimiters and returns each part's header block and data.
std::vector<std::pair<std::string_view, std::string_view>> split(std::string_view body,
                                                                 const std::string& boundary) {
  std::vector<std::pair<std::string_view, std::string_view>> parts;
  const std::string first = "--" + boundary + "\r\n";
  const std::string delimiter = "\r\n--" + boundary;
  if (body.substr(0, first.size()) != first) {
    check(body == "--" + boundary + "--\r\n");  // no part at all
    return parts;
  }
  std::size_t at = first.size();
  for (;;) {
    const auto end = body.find(delimiter, at);
    check(end != std::string_view::npos);
    const auto part = body.substr(at, end - at);
    const auto blank = part.find("\r\n\r\n");
    check(blank != std::string_view::npos);
    parts.emplace_back(part.substr(0, blank), part.substr(blank + 4));
    at = end + delimiter.size();
    if (body.substr(at) == "--\r\n") return parts;
    check(body.substr(at, 2) == "\r\n");
    at += 2;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const std::string boundaries[] = {"b", "cadence-fuzz", "--", "a'()+_,-./:=?z"};
  const std::string& boundary = boundaries[data[0] % 4];
  std::vector<std::string_view> fields;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  for (;;) {
    const auto sep = rest.find('\xff');
    fields.push_back(rest.substr(0, sep));
    if (sep == std::string_view::npos) break;
    rest.remove_prefix(sep + 1);
  }
  std::vector<Part> parts;
  for (std::size_t i = 0; i + 4 <= fields.size(); i += 4) {
    parts.push_back({fields[i], fields[i + 1], fields[i + 2], fields[i + 3]});
  }

  cadence::http::Multipart form(boundary);
  std::vector<Part> added;
  for (const auto& p : parts) {
    try {
      if (p.filename.empty()) {
        form.add_field(p.name, p.data);
      } else {
        form.add_file(p.name, p.filename, p.content_type, p.data);
      }
      added.push_back(p);
    } catch (const std::invalid_argument&) {
    }
  }
  const bool token = boundary.find_first_of("()<>@,;:\\\"/[]?=") == std::string::npos;
  check(form.content_type() ==
        "multipart/form-data; boundary=" + (token ? boundary : '"' + boundary + '"'));
  const std::string body = std::move(form).finish();
  const auto split_parts = split(body, boundary);
  check(split_parts.size() == added.size());
  for (std::size_t i = 0; i < added.size(); ++i) {
    const auto& [head, content] = split_parts[i];
    check(content == added[i].data);
    // One header line per field the builder writes, each free of CR/LF inside.
    std::string expected =
        "Content-Disposition: form-data; name=\"" + std::string(added[i].name) + "\"";
    if (!added[i].filename.empty()) {
      expected += "; filename=\"" + std::string(added[i].filename) + "\"\r\nContent-Type: ";
      expected += added[i].content_type.empty() ? std::string_view("application/octet-stream")
                                                : added[i].content_type;
    }
    check(head == expected);
  }
  return 0;
}
