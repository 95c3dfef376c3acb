#include "discord/shared_gate.hpp"

#include <boost/asio/post.hpp>

#include "discord/bucket.hpp"
#include "discord/permit_access.hpp"

namespace cadence::discord::detail {

namespace asio = boost::asio;

SharedGate::SharedGate(asio::any_io_executor strand, std::shared_ptr<LimitStore> store)
    : strand_(std::move(strand)), store_(std::move(store)) {}

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
  ask(id);
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

void SharedGate::answered(std::uint64_t id, SharedAdmission answer) {
  auto it = waiting_.find(id);
  if (it == waiting_.end()) {
    // Given up while the store decided: if it admitted, the slot it took is given back.
    if (abandoned_.erase(id) != 0 && !answer.error && answer.wait == Clock::duration::zero()) {
      store_->finished(id, nullptr, Clock::duration::zero());
    }
    return;
  }
  auto& w = it->second;
  w.asking = false;
  if (answer.error) {
    end(it, answer.error);
    return;
  }
  if (answer.wait > Clock::duration::zero()) {
    if (!w.timer) w.timer = std::make_unique<asio::steady_timer>(strand_);
    w.timer->expires_after(answer.wait);
    std::weak_ptr<SharedGate> weak = weak_from_this();
    w.timer->async_wait([weak, id](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->ask(id);
    });
    return;
  }
  admitted_.insert(id);
  auto done = std::move(w.done);
  auto permit = std::move(w.permit);
  if (w.ticket != 0) by_ticket_.erase(w.ticket);
  waiting_.erase(it);
  done(nullptr, std::move(permit));
}

void SharedGate::end(std::unordered_map<std::uint64_t, Waiting>::iterator it,
                     std::exception_ptr error) {
  auto& w = it->second;
  if (w.asking) abandoned_.insert(it->first);  // the store may still admit it: see answered()
  auto done = std::move(w.done);
  auto permit = std::move(w.permit);
  if (w.ticket != 0) by_ticket_.erase(w.ticket);
  waiting_.erase(it);
  permit.cancel();  // its local slots come back; finished() skips it (not admitted)
  done(std::move(error), Permit{});
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
  while (!waiting_.empty()) end(waiting_.begin(), error);
}

void SharedGate::finished(std::uint64_t permit, const Outcome* outcome, Clock::duration ago) {
  // Only admitted requests are the store's business; one given up while the store decided is
  // settled when its answer comes.
  if (admitted_.erase(permit) == 0) return;
  store_->finished(permit, outcome, ago);
}

}  // namespace cadence::discord::detail
