#include "redis/reply_reader.hpp"

#include <hiredis/read.h>

#include <algorithm>
#include <memory>
#include <new>
#include <string>
#include <utility>

#include "redis/reply_access.hpp"

namespace cadence::redis::detail {

namespace {

/// Elements reserved up front for an array, whatever its header claims.
constexpr std::size_t kReserveAtMost = 1024;

// hiredis calls these for every value it reads, depth first and in index order; an element is
// appended to its parent array, and only the root is allocated. An array grows as its elements
// arrive rather than by the length its header claims, so a corrupt or hostile length costs
// nothing until the bytes come. Appending may move the parent's earlier elements, which is safe:
// they are complete, and hiredis only holds the arrays still open, each in a parent that does
// not grow until it is done. hiredis frees only the root (freeObject), which owns the rest. No
// exception may cross the C code: failures return nullptr, which hiredis reports as an error.
Reply* place(const redisReadTask* task, Reply&& value) noexcept {
  try {
    if (task->parent != nullptr) {
      auto& elements = ReplyAccess::elements(*static_cast<Reply*>(task->parent->obj));
      // hiredis 0.14 passes an array's length to createArray as an int but counts elements as a
      // long long: a length past INT_MAX would index past the array.
      if (task->idx < 0 || task->idx >= task->parent->elements ||
          static_cast<std::size_t>(task->idx) != elements.size()) {
        return nullptr;
      }
      elements.push_back(std::move(value));
      return &elements.back();
    }
    return new Reply(std::move(value));
  } catch (...) {
    return nullptr;
  }
}

void* create_string(const redisReadTask* task, char* data, size_t size) {
  try {
    std::string text(data, size);
    switch (task->type) {
      case REDIS_REPLY_ERROR:
        return place(task, Reply::make_error(std::move(text)));
      case REDIS_REPLY_STATUS:
        return place(task, Reply::make_status(std::move(text)));
      default:
        return place(task, Reply::make_string(std::move(text)));
    }
  } catch (...) {
    return nullptr;
  }
}

void* create_array(const redisReadTask* task, int elements) {
  if (elements < 0 || elements > ReplyReader::max_elements) return nullptr;
  try {
    Reply array = Reply::make_array({});
    ReplyAccess::elements(array).reserve(
        std::min<std::size_t>(static_cast<std::size_t>(elements), kReserveAtMost));
    return place(task, std::move(array));
  } catch (...) {
    return nullptr;
  }
}

void* create_integer(const redisReadTask* task, long long value) {
  return place(task, Reply::make_integer(value));
}

void* create_nil(const redisReadTask* task) { return place(task, Reply::make_nil()); }

void free_object(void* reply) { delete static_cast<Reply*>(reply); }

redisReplyObjectFunctions functions{create_string, create_array, create_integer, create_nil,
                                    free_object};

}  // namespace

ReplyReader::ReplyReader() : reader_(redisReaderCreateWithFunctions(&functions)) {
  if (reader_ == nullptr) throw std::bad_alloc();
}

ReplyReader::~ReplyReader() { redisReaderFree(reader_); }

void ReplyReader::feed(const char* data, std::size_t size) {
  if (redisReaderFeed(reader_, data, size) != REDIS_OK) {
    throw ProtocolError(std::string("RESP reader: ") + reader_->errstr);
  }
}

std::optional<Reply> ReplyReader::next() {
  void* raw = nullptr;
  if (redisReaderGetReply(reader_, &raw) != REDIS_OK) {
    throw ProtocolError(std::string("not a RESP reply (") + reader_->errstr + ")");
  }
  if (raw == nullptr) return std::nullopt;
  const std::unique_ptr<Reply> reply(static_cast<Reply*>(raw));
  return std::move(*reply);
}

}  // namespace cadence::redis::detail
