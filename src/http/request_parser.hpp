// A Beast request parser that writes straight into cadence::http::ServerRequest: each field is
// copied once into Headers (Beast's request_parser first built a basic_fields, one allocation
// per field, which the server then copied again), and the body into a std::string reserved
// from Content-Length. Limits, chunked coding and keep-alive are basic_parser's.
#pragma once

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "cadence/http/server_request.hpp"

namespace cadence::http::detail {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  /// The request read so far; whole once is_done().
  [[nodiscard]] ServerRequest& get() noexcept { return request_; }
  [[nodiscard]] bool is_head() const noexcept { return head_; }
  /// The first Expect field was `100-continue`.
  [[nodiscard]] bool expects_continue() const noexcept { return expect_continue_; }

 private:
  using error_code = boost::system::error_code;
  using string_view = boost::beast::string_view;
  using field = boost::beast::http::field;

  void on_request_impl(boost::beast::http::verb method, string_view method_str, string_view target,
                       int version, error_code& /*ec*/) override {
    request_.method.assign(method_str.data(), method_str.size());
    request_.target.assign(target.data(), target.size());
    request_.version = static_cast<unsigned>(version);
    request_.headers.reserve(16);
    head_ = method == boost::beast::http::verb::head;
  }

  void on_response_impl(int /*code*/, string_view /*reason*/, int /*version*/,
                        error_code& /*ec*/) override {}

  void on_field_impl(field name, string_view name_string, string_view value,
                     error_code& /*ec*/) override {
    if (name == field::expect && !seen_expect_) {
      seen_expect_ = true;
      expect_continue_ = boost::beast::iequals(value, "100-continue");
    }
    request_.headers.add(std::string(name_string), std::string(value));
  }

  void on_header_impl(error_code& /*ec*/) override {}

  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         error_code& /*ec*/) override {
    // basic_parser has already refused a length over body_limit.
    if (length) request_.body.reserve(static_cast<std::size_t>(*length));
  }

  std::size_t on_body_impl(string_view body, error_code& /*ec*/) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t /*size*/, string_view /*extensions*/,
                            error_code& /*ec*/) override {}

  std::size_t on_chunk_body_impl(std::uint64_t /*remain*/, string_view body,
                                 error_code& /*ec*/) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }

  void on_finish_impl(error_code& /*ec*/) override {}

  ServerRequest request_;
  bool head_ = false;
  bool seen_expect_ = false;
  bool expect_continue_ = false;
};

}  // namespace cadence::http::detail
