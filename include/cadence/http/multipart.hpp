// multipart/form-data bodies: a JSON part (Discord's payload_json) and file parts.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <string>
#include <string_view>

namespace cadence::http {

/// Builds a multipart/form-data body in one buffer.
///
/// Example:
///   Multipart form;
///   form.add_json("payload_json", R"({"content":"hi"})");
///   form.add_file("files[0]", "a.png", "image/png", bytes);
///   request.headers.set("Content-Type", form.content_type());
///   request.body = std::move(form).finish();
class Multipart {
 public:
  /// Uses a random boundary.
  Multipart();
  /// Uses the given boundary (1-70 characters of [0-9A-Za-z'()+_,-./:=?]); for tests.
  explicit Multipart(std::string boundary);

  /// A text part with Content-Type: application/json.
  Multipart& add_json(std::string_view name, std::string_view json);
  /// A plain text field.
  Multipart& add_field(std::string_view name, std::string_view value);
  /// A file part. An empty content type means application/octet-stream.
  Multipart& add_file(std::string_view name, std::string_view filename,
                      std::string_view content_type, std::string_view data);

  /// The value for the request's Content-Type header.
  [[nodiscard]] std::string content_type() const;
  [[nodiscard]] const std::string& boundary() const noexcept { return boundary_; }
  /// Closes the body and returns it; the builder is left empty.
  [[nodiscard]] std::string finish() &&;

 private:
  void add_part(std::string_view name, std::string_view filename, std::string_view content_type,
                std::string_view data);

  std::string boundary_;
  std::string body_;
};

/// Guesses a content type from a file name's extension (png, jpg, gif, webp, mp3, ogg, txt,
/// json, ...); application/octet-stream otherwise.
[[nodiscard]] std::string_view content_type_for(std::string_view filename) noexcept;

}  // namespace cadence::http
