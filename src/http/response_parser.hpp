// A Beast response parser that writes straight into cadence::http::Response: each field is
// copied once into Headers (Beast's own parser first built a basic_fields, one allocation per
// field, which the client then copied again), and the body into a std::string reserved from
// Content-Length. Limits, chunked coding, keep-alive and HEAD skipping are basic_parser's.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "cadence/http/message.hpp"

namespace cadence::http::detail {

class ResponseParser final : public boost::beast::http::basic_parser<false> {
 public:
  /// The response read so far; whole once is_done().
  [[nodiscard]] Response& get() noexcept { return response_; }

 private:
  using error_code = boost::system::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb /*method*/, string_view /*method_str*/,
                       string_view /*target*/, int /*version*/, error_code& /*ec*/) override {}

  void on_response_impl(int code, string_view /*reason*/, int /*version*/,
                        error_code& ec) override {
    // basic_parser takes any three digits; 000-099 is no HTTP status (RFC 9110, 15), and a
    // caller testing `status < 200` or `status / 100` would misread it.
    if (code < 100) {
      ec = boost::beast::http::error::bad_status;
      return;
    }
    response_.status = static_cast<unsigned>(code);
    response_.headers.reserve(16);
  }

  void on_field_impl(boost::beast::http::field /*name*/, string_view name, string_view value,
                     error_code& /*ec*/) override {
    // Fields after the head are a chunked body's trailer, which basic_parser reports here too.
    // They are dropped: RFC 9110 (6.5.1) forbids merging them into the head's fields, where a
    // trailer could otherwise add X-RateLimit-* values after the fact.
    if (head_done_) return;
    response_.headers.add(std::string(name), std::string(value));
  }

  void on_header_impl(error_code& /*ec*/) override { head_done_ = true; }

  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         error_code& /*ec*/) override {
    // basic_parser has already refused a length over body_limit.
    if (length) response_.body.reserve(static_cast<std::size_t>(*length));
  }

  std::size_t on_body_impl(string_view body, error_code& /*ec*/) override {
    response_.body.append(body.data(), body.size());
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t /*size*/, string_view /*extensions*/,
                            error_code& /*ec*/) override {}

  std::size_t on_chunk_body_impl(std::uint64_t /*remain*/, string_view body,
                                 error_code& /*ec*/) override {
    response_.body.append(body.data(), body.size());
    return body.size();
  }

  void on_finish_impl(error_code& /*ec*/) override {}

  bool head_done_ = false;
  Response response_;
};

}  // namespace cadence::http::detail
