#include "discord/shared_gate.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>

#include "discord/bucket.hpp"
#include "discord/permit_access.hpp"

namespace cadence::discord::detail {

namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;

SharedGate::SharedGate(asio::any_io_executor strand, std::shared_ptr<LimitStore> store)
    : strand_(std::move(strand)), store_(std::move(store)), line_timer_(strand_) {}

void SharedGate::admit(TicketId ticket, Permit permit, Lane lane, Done done) {
  const auto id = PermitAccess::id(permit);
  const auto& route = PermitAccess::route(permit);
  SharedRequest request;
  request.id = id;
  request.bucket_route = route->bucket_route;
  request.major = route->major;
  if (route->bucket) request.hash = route->bucket->hash;
  request.global = lane == Lane::bot;
  auto& w = waiting_[id];
  w.ticket = ticket;
  w.permit = std::move(permit);
  w.request = std::move(request);
  w.done = std::move(done);
  if (ticket != 0) by_ticket_[ticket] = id;
  if (!w.request.global) {
    ask(id);
    return;
  }
  line_.push_back(id);
  pump_line();
}

void SharedGate::pump_line() {
  const auto now = Steady::now();
  if (now < line_blocked_until_) {
    if (!line_timer_armed_ && !line_.empty()) {
      line_timer_armed_ = true;
      line_timer_.expires_at(line_blocked_until_);
      line_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        if (ec) return;
        if (auto self = weak.lock()) {
          self->line_timer_armed_ = false;
          self->pump_line();
        }
      });
    }
    return;
  }
  // After a full window, the head alone asks whether it opened; the others follow once it did.
  const std::size_t width = line_probing_ ? 1 : kLineWidth;
  while (line_asking_ < width && !line_.empty()) {
    const auto id = line_.front();
    line_.pop_front();
    if (!waiting_.contains(id)) continue;  // cancelled meanwhile
    ++line_asking_;
    ask(id);
  }
}

void SharedGate::ask(std::uint64_t id) {
  auto it = waiting_.find(id);
  if (it == waiting_.end()) return;
  it->second.asking = true;
  std::weak_ptr<SharedGate> weak = weak_from_this();
  store_->admit(it->second.request, [weak, strand = strand_, id](SharedAdmission answer) {
    asio::post(strand, [weak, id, answer = std::move(answer)]() mutable {
      if (auto self = weak.lock()) self->answered(id, std::move(answer));
    });
  });
}

void SharedGate::wait_alone(Waiting& w, std::uint64_t id, Clock::duration wait) {
  if (!w.timer) w.timer = std::make_unique<asio::steady_timer>(strand_);
  w.timer->expires_after(wait);
  w.timer->async_wait([weak = weak_from_this(), id](const boost::system::error_code& ec) {
    if (ec) return;
    auto self = weak.lock();
    if (!self) return;
    const auto it = self->waiting_.find(id);
    if (it == self->waiting_.end()) return;
    if (it->second.request.global) {
      // Back in its place: permits are numbered in the order the limiter granted them, which
      // is its order of need (critical buckets first), not behind everything granted since.
      self->line_.insert(std::upper_bound(self->line_.begin(), self->line_.end(), id), id);
      self->pump_line();
    } else {
      self->ask(id);
    }
  });
}

void SharedGate::answered(std::uint64_t id, SharedAdmission answer) {
  auto it = waiting_.find(id);
  if (it == waiting_.end()) {
    // Given up while the store decided: if it admitted, the slot it took is given back.
    if (abandoned_.erase(id) != 0 && !answer.error && answer.wait == Clock::duration::zero()) {
      store_->finished(id, nullptr, Clock::duration::zero());
    }
    // Its place in the line was freed when it was given up (end()).
    return;
  }
  auto& w = it->second;
  w.asking = false;
  const bool in_line = w.request.global;
  if (in_line) --line_asking_;
  if (answer.error) {
    end(it, answer.error);
  } else if (answer.wait > Clock::duration::zero()) {
    if (in_line && answer.global) {
      // The window is full for everyone: this one keeps its place.
      line_.insert(std::upper_bound(line_.begin(), line_.end(), id), id);
      line_blocked_until_ = std::max(line_blocked_until_, Steady::now() + answer.wait);
      line_probing_ = true;
    } else {
      wait_alone(w, id, answer.wait);
    }
  } else {
    if (in_line) line_probing_ = false;
    admitted_.insert(id);
    auto done = std::move(w.done);
    auto permit = std::move(w.permit);
    if (w.ticket != 0) by_ticket_.erase(w.ticket);
    waiting_.erase(it);
    done(nullptr, std::move(permit));
  }
  if (in_line) pump_line();
}

void SharedGate::end(Iterator it, std::exception_ptr error) {
  auto& w = it->second;
  if (w.asking) {
    abandoned_.insert(it->first);  // the store may still admit it: see answered()
    if (w.request.global) --line_asking_;
  }
  auto done = std::move(w.done);
  auto permit = std::move(w.permit);
  if (w.ticket != 0) by_ticket_.erase(w.ticket);
  waiting_.erase(it);
  permit.cancel();  // its local slots come back; finished() skips it (not admitted)
  done(std::move(error), Permit{});
  pump_line();
}

bool SharedGate::cancel(TicketId ticket, std::exception_ptr error) {
  const auto t = by_ticket_.find(ticket);
  if (t == by_ticket_.end()) return false;
  auto it = waiting_.find(t->second);
  if (it == waiting_.end()) return false;
  end(it, std::move(error));
  return true;
}

void SharedGate::cancel_all(const std::exception_ptr& error) {
  line_.clear();
  line_timer_.cancel();
  while (!waiting_.empty()) end(waiting_.begin(), error);
}

void SharedGate::finished(std::uint64_t permit, const Outcome* outcome, Clock::duration ago) {
  // Only admitted requests are the store's business; one given up while the store decided is
  // settled when its answer comes.
  if (admitted_.erase(permit) == 0) return;
  store_->finished(permit, outcome, ago);
}

}  // namespace cadence::discord::detail
