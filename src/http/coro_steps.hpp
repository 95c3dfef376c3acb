// Two small pieces every coroutine of the HTTP layer uses: completing an operation into an
// error_code instead of throwing, and reading a cancellation state fetched once.
#pragma once

#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

namespace cadence::http::detail {

/// `co_await op(..., with_ec(ec))` leaves failures in `ec`, so that every exit path can give
/// back what it holds before reporting.
inline auto with_ec(boost::system::error_code& ec) {
  return boost::asio::redirect_error(boost::asio::use_awaitable, ec);
}

/// With throw_if_cancelled(false), a cancellation that arrives between two operations only sets
/// a flag; every step checks it before starting the next operation. (A plain function over a
/// state fetched once per coroutine: g++ 12 miscompiles co_await inside a short-circuit
/// condition.)
inline bool is_cancelled(const boost::asio::cancellation_state& state) {
  return state.cancelled() != boost::asio::cancellation_type::none;
}

}  // namespace cadence::http::detail
