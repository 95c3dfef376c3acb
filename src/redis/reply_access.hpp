// Mutable access to a Reply's array for the reader, which fills elements in place as they arrive.
#pragma once

#include <vector>

#include "cadence/redis/reply.hpp"

namespace cadence::redis::detail {

struct ReplyAccess {
  static std::vector<Reply>& elements(Reply& r) { return r.array_; }
};

}  // namespace cadence::redis::detail
