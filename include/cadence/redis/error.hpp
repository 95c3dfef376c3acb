// The Redis layer's errors. Messages name the server (host:port) and what failed, never a
// password.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include "cadence/core/error.hpp"

namespace cadence::redis {

/// Base of every Redis-layer error except timeouts (cadence::TimeoutError, shared by all layers).
class Error : public cadence::Error {
 public:
  using cadence::Error::Error;
};

/// No connection was ready (not started, connecting, backing off, closed), the connection was
/// lost while the command was pending (it may or may not have run), or connecting failed (TCP,
/// TLS handshake, AUTH or SELECT refused).
class ConnectionError : public Error {
 public:
  using Error::Error;
};

/// A command did not get its reply within Options::command_timeout.
using TimeoutError = cadence::TimeoutError;

/// An error reply from the server, for callers that want it thrown (Reply::throw_if_error).
class ServerError : public Error {
 public:
  using Error::Error;
};

/// A Reply was read as a type it does not hold (e.g. integer() of a string reply).
class ReplyTypeError : public Error {
 public:
  using Error::Error;
};

}  // namespace cadence::redis
