// Decoding a million track lines is cheap enough (about 100 ns each) that copying the input,
// waiting for a turn and thread start-up show in the total, so: a regular file is mapped rather
// than read; workers take 1 MiB chunks of whole lines as they free up and decode each into their
// own buffer; the worker holding the next chunk in input order writes it. No stage waits for a
// whole batch of chunks to finish, so both cores stay busy.
#include "track_decode_stream.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "cadence/lavalink/track_codec.hpp"
#include "track_json.hpp"

namespace cadence::app {

std::string_view trim_track_line(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

namespace {

namespace lavalink = cadence::lavalink;

// Small enough that two workers finish their last chunks close together, large enough that
// taking a chunk and waiting for a turn cost nothing next to decoding ~4,000 lines.
constexpr std::size_t chunk_size = 1 << 20;

struct Chunk {
  std::string_view text;  // whole lines (the input's last line may lack its newline)
  std::size_t seq = 0;    // position in input order
};

// Chunks of whole lines, handed to whichever worker asks next.
class LineSource {
 public:
  explicit LineSource(int fd) : fd_(fd) { map(); }
  ~LineSource() {
    if (map_ == nullptr) return;
    ::munmap(const_cast<char*>(map_), map_size_);
    // Where reading would have left it, for whoever reads the same descriptor next.
    ::lseek(fd_, static_cast<off_t>(map_size_), SEEK_SET);
  }
  LineSource(const LineSource&) = delete;
  LineSource& operator=(const LineSource&) = delete;

  /// Whether all of the input is mapped and fits in one chunk (then no helper thread pays).
  [[nodiscard]] bool small() const { return map_ != nullptr && map_size_ - pos_ <= chunk_size; }

  /// The next chunk, or false at the end. In read mode the text lives in `storage`, which the
  /// caller keeps until it is done with the chunk.
  bool next(std::vector<char>& storage, Chunk& chunk) {
    const std::lock_guard lock(mutex_);
    chunk.seq = seq_++;
    return map_ != nullptr ? next_mapped(chunk) : next_read(storage, chunk);
  }

 private:
  void map() {
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) return;
    const off_t at = ::lseek(fd_, 0, SEEK_CUR);
    if (at < 0 || st.st_size <= at) return;
    const auto size = static_cast<std::size_t>(st.st_size);
    // As with any tool that maps its input (ripgrep does for large files), a file truncated by
    // someone else while it is decoded ends the process with SIGBUS.
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd_, 0);
    if (p == MAP_FAILED) return;  // read it instead
    map_ = static_cast<const char*>(p);
    map_size_ = size;
    pos_ = static_cast<std::size_t>(at);
  }

  bool next_mapped(Chunk& chunk) {
    if (pos_ >= map_size_) return false;
    std::size_t end = map_size_;
    if (map_size_ - pos_ > chunk_size) {
      const void* nl = std::memchr(map_ + pos_ + chunk_size, '\n', map_size_ - pos_ - chunk_size);
      if (nl != nullptr) end = static_cast<std::size_t>(static_cast<const char*>(nl) - map_) + 1;
    }
    chunk.text = std::string_view(map_ + pos_, end - pos_);
    pos_ = end;
    return true;
  }

  bool next_read(std::vector<char>& storage, Chunk& chunk) {
    if (eof_ && carry_.empty()) return false;
    if (storage.size() < carry_.size() + chunk_size) storage.resize(carry_.size() + chunk_size);
    std::memcpy(storage.data(), carry_.data(), carry_.size());
    std::size_t filled = carry_.size();
    carry_.clear();
    for (;;) {
      while (!eof_ && filled < storage.size()) {
        const std::size_t want = storage.size() - filled;
        const ssize_t got = ::read(fd_, storage.data() + filled, want);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw std::system_error(errno, std::generic_category(), "cannot read input");
        if (got == 0) eof_ = true;
        const std::string_view fresh(storage.data() + filled, static_cast<std::size_t>(got));
        filled += static_cast<std::size_t>(got);
        // A short read means the writer has nothing more for now (a pipe fed line by line):
        // decode what whole lines there are rather than wait for a full chunk.
        if (static_cast<std::size_t>(got) < want && fresh.find('\n') != std::string_view::npos) {
          break;
        }
      }
      const std::string_view data(storage.data(), filled);
      if (eof_) {
        chunk.text = data;
        return !data.empty();
      }
      const std::size_t last_nl = data.rfind('\n');
      if (last_nl != std::string_view::npos) {
        carry_.assign(data.substr(last_nl + 1));
        chunk.text = data.substr(0, last_nl + 1);
        return true;
      }
      storage.resize(storage.size() * 2);  // one line longer than the buffer
    }
  }

  std::mutex mutex_;
  int fd_;
  std::size_t seq_ = 0;
  const char* map_ = nullptr;
  std::size_t map_size_ = 0;
  std::size_t pos_ = 0;
  std::string carry_;  // read mode: the partial line after the last chunk
  bool eof_ = false;
};

// One chunk decoded into its own output buffer. Failures keep the output offset they belong
// at, so the writer can interleave stdout and stderr in input order.
struct DecodedChunk {
  struct Failure {
    std::size_t at;    // output bytes before it
    std::size_t line;  // within the chunk, from 1
    std::string what;
  };
  std::vector<char> out;
  std::size_t size = 0;
  std::size_t lines = 0;
  std::vector<Failure> failures;
};

void decode_chunk(std::string_view text, DecodedChunk& chunk, std::vector<std::byte>& buffer) {
  chunk.size = 0;
  chunk.lines = 0;
  chunk.failures.clear();
  lavalink::TrackView t;
  lavalink::DecodeFailure failure;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++chunk.lines;
    const std::string_view line = trim_track_line(raw);
    if (line.empty()) continue;
    const std::size_t need = lavalink::TrackCodec::view_buffer_size(line.size());
    if (buffer.size() < need) buffer.resize(need);
    if (!lavalink::TrackCodec::try_decode_view(line, buffer, t, &failure)) {
      chunk.failures.push_back({chunk.size, chunk.lines, failure.to_error().what()});
      continue;
    }
    const std::size_t bound = track_json_bound(t);
    if (chunk.out.size() < chunk.size + bound) chunk.out.resize((chunk.size + bound) * 3 / 2);
    char* const at = chunk.out.data() + chunk.size;
    chunk.size += static_cast<std::size_t>(write_track_json(t, at) - at);
  }
}

// Writes decoded chunks in input order, whichever worker finishes first.
class OrderedWriter {
 public:
  OrderedWriter(std::FILE* out, void (*report)(std::size_t, std::string_view))
      : out_(out), report_(report) {}

  /// Waits for `seq`'s turn and writes; false once the run has been abandoned.
  bool write(std::size_t seq, const DecodedChunk& chunk) {
    std::unique_lock lock(mutex_);
    turn_.wait(lock, [&] { return next_ == seq || abandoned_; });
    if (abandoned_) return false;
    std::size_t done = 0;
    for (const auto& f : chunk.failures) {
      put(chunk.out.data() + done, f.at - done);
      done = f.at;
      std::fflush(out_);  // keep stdout and stderr in order for a reader of both
      report_(line_base_ + f.line, f.what);
      failed_ = true;
    }
    put(chunk.out.data() + done, chunk.size - done);
    std::fflush(out_);  // a reader of a pipe sees each chunk as it is decoded
    line_base_ += chunk.lines;
    ++next_;
    lock.unlock();
    turn_.notify_all();
    return true;
  }

  /// Wakes every waiting worker for good (one of them failed and will never write its chunk).
  void abandon() {
    {
      const std::lock_guard lock(mutex_);
      abandoned_ = true;
    }
    turn_.notify_all();
  }

  [[nodiscard]] bool failed() const { return failed_; }
  /// errno of the first write that fell short (errno is per thread: kept where it happened).
  [[nodiscard]] int write_error() const { return write_error_; }

 private:
  void put(const char* data, std::size_t size) {
    if (size != 0 && std::fwrite(data, 1, size, out_) != size && write_error_ == 0) {
      write_error_ = errno;
    }
  }

  std::mutex mutex_;
  std::condition_variable turn_;
  std::FILE* out_;
  void (*report_)(std::size_t, std::string_view);
  std::size_t next_ = 0;
  std::size_t line_base_ = 0;
  bool abandoned_ = false;
  bool failed_ = false;
  int write_error_ = 0;
};

class Workers {
 public:
  Workers(LineSource& source, OrderedWriter& writer) : source_(source), writer_(writer) {}

  // Every worker runs this until the input ends; the first exception stops them all.
  void run() {
    try {
      std::vector<char> storage;
      std::vector<std::byte> buffer;
      DecodedChunk decoded;
      decoded.out.resize(2 * chunk_size);
      Chunk chunk;
      while (source_.next(storage, chunk)) {
        decode_chunk(chunk.text, decoded, buffer);
        if (!writer_.write(chunk.seq, decoded)) return;
      }
    } catch (...) {
      {
        const std::lock_guard lock(mutex_);
        if (!error_) error_ = std::current_exception();
      }
      writer_.abandon();
    }
  }

  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  LineSource& source_;
  OrderedWriter& writer_;
  std::mutex mutex_;
  std::exception_ptr error_;
};

unsigned worker_count() { return std::clamp(std::thread::hardware_concurrency(), 1U, 8U); }

}  // namespace

StreamOutcome decode_track_stream(int fd, std::FILE* out,
                                  void (*report)(std::size_t line, std::string_view what)) {
  LineSource source(fd);
  OrderedWriter writer(out, report);
  Workers workers(source, writer);
  std::vector<std::thread> helpers;
  if (!source.small()) {
    helpers.reserve(worker_count());
    try {
      for (unsigned i = 1; i < worker_count(); ++i) helpers.emplace_back([&] { workers.run(); });
    } catch (const std::system_error&) {
      // No more threads to be had: the ones that started, and this one, do the work.
    }
  }
  workers.run();
  for (auto& h : helpers) h.join();
  workers.rethrow();
  StreamOutcome outcome;
  outcome.bad_lines = writer.failed();
  outcome.write_failed = std::fflush(out) != 0 || std::ferror(out) != 0;
  outcome.write_error = writer.write_error() != 0 ? writer.write_error() : errno;
  return outcome;
}

}  // namespace cadence::app
