// What the async limiter tests record of an acquire: how often it completed, with what error
// and permit, and whether the error was operation_aborted.
#pragma once

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>
#include <exception>
#include <utility>

#include "cadence/discord/permit.hpp"

namespace cadence::discord::test {

struct AcquireResult {
  int calls = 0;
  std::exception_ptr error;
  Permit permit;
};

inline auto record(AcquireResult& r) {
  return [&r](std::exception_ptr e, Permit p) {
    ++r.calls;
    r.error = std::move(e);
    r.permit = std::move(p);
  };
}

inline bool is_aborted(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const boost::system::system_error& se) {
    return se.code() == boost::asio::error::operation_aborted;
  } catch (...) {
    return false;
  }
}

}  // namespace cadence::discord::test
