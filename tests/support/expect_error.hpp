// Checks both the type and the message of an error delivered as an exception_ptr (or thrown),
// as fmt's EXPECT_THROW_MSG does for thrown exceptions.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <string>
#include <string_view>

namespace cadence::test {

/// Passes if `error` holds an E whose what() contains `fragment`; returns a pointer to it
/// (valid while `error` lives) so that tests can check more, or nullptr on failure.
template <class E>
const E* expect_error(const std::exception_ptr& error, std::string_view fragment = {}) {
  if (!error) {
    ADD_FAILURE() << "expected an error, got success";
    return nullptr;
  }
  try {
    std::rethrow_exception(error);
  } catch (const E& e) {
    EXPECT_NE(std::string_view(e.what()).find(fragment), std::string_view::npos)
        << "message was: " << e.what();
    // The exception object lives inside the exception_ptr, so the address stays valid.
    return &e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "unexpected error type: " << e.what();
  } catch (...) {
    ADD_FAILURE() << "unexpected non-std error";
  }
  return nullptr;
}

/// The message of an exception_ptr's exception ("" if none).
inline std::string what(const std::exception_ptr& error) {
  if (!error) return {};
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "non-std exception";
  }
}

}  // namespace cadence::test
