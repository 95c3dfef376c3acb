#include "proxy/token_pool.hpp"

namespace cadence::proxy::detail {
namespace {

std::int64_t now_ticks() { return std::chrono::steady_clock::now().time_since_epoch().count(); }

}  // namespace

void TokenPool::Lease::release() noexcept {
  if (!entry_) return;
  entry_->last_used.store(now_ticks(), std::memory_order_relaxed);
  entry_->held.fetch_sub(1, std::memory_order_acq_rel);
  entry_.reset();
}

TokenPool::TokenPool(
    boost::asio::any_io_executor executor, discord::RestOptions base, std::size_t max_queue,
    std::chrono::milliseconds idle,
    std::function<std::shared_ptr<discord::LimitStore>(const std::string&)> store_for)
    : executor_(std::move(executor)),
      base_(std::move(base)),
      max_queue_(max_queue),
      idle_(idle),
      store_for_(std::move(store_for)) {}

TokenPool::Lease TokenPool::lease(const Credential& credential) {
  const auto key = credential.pool_key();
  std::lock_guard lock(mutex_);
  auto& entry = entries_[key];
  if (!entry) {
    auto options = base_;
    if (credential.type) {
      options.token = credential.token;
      options.token_type = *credential.type;
      if (store_for_) options.limiter.store = store_for_(credential.token);
    }
    entry = std::make_shared<Entry>();
    entry->rest = std::make_shared<discord::Rest>(executor_, std::move(options));
    entry->label = credential.type ? short_hash(credential.token) : "none";
  }
  // Checked and taken under the pool's lock, so that two requests cannot both take the last
  // place, and sweep() cannot drop a Rest between the check and the request.
  if (entry->held.load(std::memory_order_acquire) >= max_queue_) return Lease();
  entry->held.fetch_add(1, std::memory_order_acq_rel);
  entry->last_used.store(now_ticks(), std::memory_order_relaxed);
  return Lease(entry);
}

std::size_t TokenPool::sweep() {
  const auto now = now_ticks();
  const auto idle_ticks =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(idle_).count();
  std::vector<std::shared_ptr<Entry>> dropped;  // destroyed outside the lock
  std::lock_guard lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    const auto& entry = it->second;
    if (entry->held.load(std::memory_order_acquire) == 0 &&
        now - entry->last_used.load(std::memory_order_relaxed) >= idle_ticks) {
      dropped.push_back(entry);
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  return dropped.size();
}

std::vector<std::shared_ptr<TokenPool::Entry>> TokenPool::entries() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<Entry>> out;
  out.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) out.push_back(entry);
  return out;
}

std::size_t TokenPool::tokens() const {
  std::lock_guard lock(mutex_);
  return entries_.size() - (entries_.count(std::string()) ? 1 : 0);
}

void TokenPool::clear() {
  std::map<std::string, std::shared_ptr<Entry>> dropped;
  std::lock_guard lock(mutex_);
  dropped.swap(entries_);
}

}  // namespace cadence::proxy::detail
