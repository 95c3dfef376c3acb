#include "discord/bucket_directory.hpp"

#include <algorithm>
#include <utility>

namespace cadence::discord::detail {
namespace {

constexpr std::uint32_t kNameTopicLimit = 2;
constexpr auto kNameTopicPeriod = std::chrono::minutes(10);

std::string hash_bucket_id(const std::string& hash, const std::string& major) {
  return major.empty() ? hash : hash + " " + major;
}

std::string gate_key(const std::string& route_key, const std::string& request_class) {
  return route_key + "#" + request_class;
}

}  // namespace

std::shared_ptr<Bucket> BucketDirectory::bucket_for(const std::string& bucket_route,
                                                    const std::string& major,
                                                    const std::string& route_key) {
  std::string id = route_key;
  std::optional<std::string> hash;
  if (auto it = route_hash_.find(bucket_route); it != route_hash_.end()) {
    id = hash_bucket_id(it->second.hash, major);
    hash = it->second.hash;
  }
  auto& slot = buckets_[id];
  if (!slot) {
    slot = std::make_shared<Bucket>();
    slot->id = id;
    slot->hash = std::move(hash);
  }
  return slot;
}

std::shared_ptr<RouteEntry> BucketDirectory::entry_for(const Route& route, TimePoint now) {
  auto& slot = routes_[route.key()];
  if (!slot) {
    slot = std::make_shared<RouteEntry>();
    slot->key = route.key();
    slot->bucket_route = route.bucket_route();
    slot->major = route.major();
    slot->route_template = route.route_template();
    slot->major_kind = route.major_kind();
    slot->emoji = route.sublimit() == Sublimit::emoji;
    slot->path_token = route.has_path_token();
    slot->interaction = route.is_interaction();
  }
  if (!slot->bucket || buckets_.find(slot->bucket->id) == buckets_.end()) {
    slot->bucket = bucket_for(slot->bucket_route, slot->major, slot->key);
  }
  if (slot->emoji) slot->bucket->max_in_flight = 1;
  slot->last_used = now;
  slot->bucket->last_used = now;
  if (auto it = route_hash_.find(slot->bucket_route); it != route_hash_.end()) {
    it->second.last_used = now;
  }
  return slot;
}

std::shared_ptr<Gate> BucketDirectory::learned_gate(const std::string& route_key,
                                                    const std::string& request_class) {
  const auto key = gate_key(route_key, request_class);
  auto& slot = gates_[key];
  if (!slot) {
    slot = std::make_shared<Gate>();
    slot->key = key;
  }
  return slot;
}

std::shared_ptr<Gate> BucketDirectory::gate_for(const Route& route, bool create_known) {
  if (route.sublimit() == Sublimit::channel_name_topic) {
    if (auto it = gates_.find(gate_key(route.key(), "name/topic")); it != gates_.end()) {
      return it->second;
    }
    if (!create_known) return nullptr;
    auto g = learned_gate(route.key(), "name/topic");
    g->limit = kNameTopicLimit;
    g->period = kNameTopicPeriod + options_.bucket_margin;
    return g;
  }
  if (gates_.empty()) return nullptr;
  if (auto it = gates_.find(gate_key(route.key(), route.request_class())); it != gates_.end()) {
    return it->second;
  }
  return nullptr;
}

BucketDirectory::Learned BucketDirectory::learn_hash(const std::shared_ptr<RouteEntry>& owner,
                                                     const std::string& hash, TimePoint now) {
  RouteEntry& entry = *owner;
  auto& he = route_hash_[entry.bucket_route];
  const bool news = he.hash != hash;
  if (news) {
    if (options_.observer) options_.observer->on_hash_changed(entry.bucket_route, he.hash, hash);
    he.hash = hash;
  }
  he.last_used = now;
  auto learned = rekey(owner, hash, now);
  if (news) {
    // The same route on other major parameters has no hash of its own yet (its first requests
    // waited for this one): it is in the same hash's bucket on its major parameter, which may
    // already be known and spent.
    for (auto& [key, e] : routes_) {
      if (e == owner || e->bucket_route != entry.bucket_route || !route_keyed(*e)) continue;
      auto moved = rekey(e, hash, now);
      learned.siblings.push_back(std::move(moved.target));
    }
  }
  return learned;
}

bool BucketDirectory::wait_for_probe(const RouteEntry& entry, const std::shared_ptr<Bucket>& b) {
  if (b->known || b->hash || entry.major.empty()) return false;
  if (route_hash_.contains(entry.bucket_route) || !known_majors_.contains(entry.major)) {
    return false;
  }
  auto& p = probes_[entry.bucket_route];
  if (p.no_hash) return false;
  const auto current = p.current.lock();
  const bool busy = current && current != b && !current->hash && !current->known &&
                    current->in_flight + current->reserved > 0;
  if (busy) {
    if (!b->awaiting_probe) {
      b->awaiting_probe = true;
      p.waiting.push_back(b);
    }
    return true;
  }
  p.current = b;
  b->probe_of = entry.bucket_route;
  return false;
}

void BucketDirectory::note_known(const std::string& major, TimePoint now) {
  if (!major.empty()) known_majors_[major] = now;
}

std::vector<std::shared_ptr<Bucket>> BucketDirectory::probe_idle(Bucket& b) {
  std::vector<std::shared_ptr<Bucket>> woken;
  auto it = probes_.find(b.probe_of);
  b.probe_of.clear();
  if (it == probes_.end()) return woken;
  auto& p = it->second;
  if (p.current.lock().get() == &b) p.current.reset();
  for (auto& w : p.waiting) {
    if (auto waiting = w.lock()) {
      waiting->awaiting_probe = false;
      woken.push_back(std::move(waiting));
    }
  }
  p.waiting.clear();
  if (!p.no_hash) probes_.erase(it);
  return woken;
}

void BucketDirectory::route_gives_no_hash(const std::string& bucket_route) {
  if (auto it = probes_.find(bucket_route); it != probes_.end()) it->second.no_hash = true;
}

std::size_t BucketDirectory::waiting_work(const std::string& bucket_route) const {
  auto it = probes_.find(bucket_route);
  if (it == probes_.end()) return 0;
  std::size_t n = 0;
  for (const auto& w : it->second.waiting) {
    if (const auto b = w.lock(); b && b->queue.size() > 1)
      n += std::min<std::size_t>(b->queue.size(), 5);
  }
  return n;
}

bool BucketDirectory::probe_busy(const std::string& bucket_route) const {
  auto it = probes_.find(bucket_route);
  if (it == probes_.end()) return false;
  const auto current = it->second.current.lock();
  return current && current->in_flight + current->reserved > 0;
}

BucketDirectory::Learned BucketDirectory::rekey(const std::shared_ptr<RouteEntry>& owner,
                                                const std::string& hash, TimePoint now) {
  RouteEntry& entry = *owner;
  const auto target_id = hash_bucket_id(hash, entry.major);
  auto current = entry.bucket;
  if (current->id == target_id) {
    if (!current->hash) current->hash = hash;
    return {current, nullptr};
  }
  auto it = buckets_.find(target_id);
  const bool keyed_by_route = route_keyed(entry);
  if (it == buckets_.end() && keyed_by_route) {
    // The route's own bucket simply becomes the hash's bucket.
    buckets_.erase(current->id);
    current->id = target_id;
    current->hash = hash;
    buckets_.emplace(target_id, current);
    return {current, nullptr};
  }
  std::shared_ptr<Bucket> target;
  if (it == buckets_.end()) {
    target = std::make_shared<Bucket>();
    target->id = target_id;
    target->hash = hash;
    buckets_.emplace(target_id, target);
  } else {
    target = it->second;
  }
  target->last_used = now;
  for (Ticket* t = current->queue.front(); t;) {
    Ticket* next = t->next;
    if (t->route == owner) {
      current->queue.remove(t);
      target->queue.push_back(t);
    }
    t = next;
  }
  entry.bucket = target;
  if (entry.emoji) target->max_in_flight = 1;
  if (keyed_by_route) {
    if (auto cur = buckets_.find(current->id); cur != buckets_.end() && cur->second == current) {
      buckets_.erase(cur);
    }
  }
  return {target, current};
}

std::size_t BucketDirectory::sweep(TimePoint now) {
  const auto cutoff = now - options_.bucket_idle;
  std::size_t removed = 0;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const Bucket& b = *it->second;
    const bool idle = b.queue.empty() && b.in_flight == 0 && b.reserved == 0 &&
                      b.last_used <= cutoff && (!b.reset_at || *b.reset_at <= now) &&
                      b.parked_until <= now;
    if (idle) {
      it = buckets_.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  for (auto it = routes_.begin(); it != routes_.end();) {
    const auto& e = it->second;
    const bool orphan = buckets_.find(e->bucket->id) == buckets_.end();
    if (e.use_count() == 1 && (orphan || e->last_used <= cutoff)) {
      it = routes_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = gates_.begin(); it != gates_.end();) {
    const Gate& g = *it->second;
    const bool idle = g.queue.empty() && g.in_flight == 0 && g.last_used <= cutoff &&
                      g.parked_until <= now && (!g.period || g.last_used + *g.period <= now);
    it = idle ? gates_.erase(it) : std::next(it);
  }
  for (auto it = probes_.begin(); it != probes_.end();) {
    const auto& p = it->second;
    const bool idle = p.current.expired() &&
                      std::none_of(p.waiting.begin(), p.waiting.end(),
                                   [](const std::weak_ptr<Bucket>& w) { return !w.expired(); });
    it = idle ? probes_.erase(it) : std::next(it);
  }
  std::erase_if(known_majors_,
                [&](const auto& kv) { return kv.second + options_.hash_lifetime <= now; });
  for (auto it = route_hash_.begin(); it != route_hash_.end();) {
    it = it->second.last_used + options_.hash_lifetime <= now ? route_hash_.erase(it)
                                                              : std::next(it);
  }
  return removed;
}

std::pair<std::string, std::optional<std::string>> BucketDirectory::bucket_id(
    const Route& route) const {
  if (auto it = route_hash_.find(route.bucket_route()); it != route_hash_.end()) {
    return {hash_bucket_id(it->second.hash, route.major()), it->second.hash};
  }
  return {route.key(), std::nullopt};
}

std::shared_ptr<Bucket> BucketDirectory::find_bucket(const Route& route) const {
  if (auto it = routes_.find(route.key()); it != routes_.end() && it->second->bucket) {
    if (auto bit = buckets_.find(it->second->bucket->id);
        bit != buckets_.end() && bit->second == it->second->bucket) {
      return bit->second;
    }
  }
  if (auto bit = buckets_.find(bucket_id(route).first); bit != buckets_.end()) return bit->second;
  return nullptr;
}

}  // namespace cadence::discord::detail
