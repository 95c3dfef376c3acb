#include "cadence/http/multipart.hpp"

#include <algorithm>
#include <array>
#include <random>
#include <stdexcept>

namespace cadence::http {

namespace {

bool is_boundary_char(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("'()+_,-./:=?").find(c) != std::string_view::npos;
}

std::string random_boundary() {
  static constexpr std::string_view alphabet =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string out = "cadence-";
  for (int i = 0; i < 32; ++i) out += alphabet[pick(rng)];
  return out;
}

// Names and file names go inside a quoted header parameter: CR/LF would end the header and a
// quote would end the parameter, so both are refused rather than escaped differently from
// what servers expect.
void check_param(std::string_view what, std::string_view value) {
  if (value.find_first_of(std::string_view("\r\n\"\0", 4)) != std::string_view::npos) {
    throw std::invalid_argument(std::string(what) + " must not contain CR, LF, NUL or '\"'");
  }
}

}  // namespace

Multipart::Multipart() : boundary_(random_boundary()) {}

Multipart::Multipart(std::string boundary) : boundary_(std::move(boundary)) {
  if (boundary_.empty() || boundary_.size() > 70 ||
      !std::all_of(boundary_.begin(), boundary_.end(), is_boundary_char)) {
    throw std::invalid_argument("multipart boundary must be 1-70 safe characters");
  }
}

void Multipart::add_part(std::string_view name, std::string_view filename,
                         std::string_view content_type, std::string_view data) {
  check_param("part name", name);
  check_param("file name", filename);
  check_param("content type", content_type);
  if (data.find(boundary_) != std::string_view::npos) {
    // Practically impossible with a random boundary; fatal for correctness if it happened.
    throw std::invalid_argument("part data contains the multipart boundary");
  }
  body_.reserve(body_.size() + data.size() + 160);
  body_ += "--";
  body_ += boundary_;
  body_ += "\r\nContent-Disposition: form-data; name=\"";
  body_ += name;
  body_ += '"';
  if (!filename.empty()) {
    body_ += "; filename=\"";
    body_ += filename;
    body_ += '"';
  }
  body_ += "\r\n";
  if (!content_type.empty()) {
    body_ += "Content-Type: ";
    body_ += content_type;
    body_ += "\r\n";
  }
  body_ += "\r\n";
  body_ += data;
  body_ += "\r\n";
}

Multipart& Multipart::add_json(std::string_view name, std::string_view json) {
  add_part(name, {}, "application/json", json);
  return *this;
}

Multipart& Multipart::add_field(std::string_view name, std::string_view value) {
  add_part(name, {}, {}, value);
  return *this;
}

Multipart& Multipart::add_file(std::string_view name, std::string_view filename,
                               std::string_view content_type, std::string_view data) {
  if (filename.empty()) throw std::invalid_argument("a file part needs a file name");
  add_part(name, filename, content_type.empty() ? "application/octet-stream" : content_type, data);
  return *this;
}

std::string Multipart::content_type() const {
  // A boundary may hold characters that end a token in a header parameter ("(),/:=?" and
  // the like); such a value must be quoted (RFC 2046 section 5.1.1).
  const bool token = std::all_of(boundary_.begin(), boundary_.end(), [](char c) {
    return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
  });
  return token ? "multipart/form-data; boundary=" + boundary_
               : "multipart/form-data; boundary=\"" + boundary_ + "\"";
}

std::string Multipart::finish() && {
  body_ += "--";
  body_ += boundary_;
  body_ += "--\r\n";
  return std::move(body_);
}

std::string_view content_type_for(std::string_view filename) noexcept {
  const auto dot = filename.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string ext;
  for (char c : filename.substr(dot + 1)) ext += static_cast<char>(std::tolower(c));
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> table{{
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"mp3", "audio/mpeg"},
      {"ogg", "audio/ogg"},
      {"wav", "audio/wav"},
      {"mp4", "video/mp4"},
      {"webm", "video/webm"},
      {"txt", "text/plain"},
      {"json", "application/json"},
      {"pdf", "application/pdf"},
      {"zip", "application/zip"},
      {"svg", "image/svg+xml"},
      {"log", "text/plain"},
  }};
  for (const auto& [e, type] : table) {
    if (e == ext) return type;
  }
  return "application/octet-stream";
}

}  // namespace cadence::http
