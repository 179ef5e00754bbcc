// PersistentMap: an immutable sorted map whose "modifications" return a new
// map sharing every untouched node with the old one (path copying). Setting
// or erasing one key costs O(log n) time and allocations; copying a map is a
// pointer copy. This is what lets MetadataDelta publish a new MetadataImage
// without copying all topics when one partition changes.
//
// The tree is a treap whose node priorities are a hash of the key, so its
// shape depends only on the set of keys (no rebalancing state, expected
// depth O(log n)).
//
// Thread-safety: a PersistentMap value is immutable once built; any number of
// threads may read it (and maps sharing nodes with it) concurrently. The
// non-const convenience mutators (Put, Remove) replace the value of this
// object and need external synchronization like any assignment.
//
// Iterators point into nodes owned by the map they came from: keep that map
// alive while iterating.
#ifndef GREGOR_COMMON_METADATA_PERSISTENT_MAP_H_
#define GREGOR_COMMON_METADATA_PERSISTENT_MAP_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

#include "absl/hash/hash.h"

namespace gregor::metadata {

template <typename K, typename V, typename Compare = std::less<>>
class PersistentMap {
  struct Node;
  using NodePtr = std::shared_ptr<const Node>;

 public:
  using key_type = K;
  using mapped_type = V;
  using value_type = std::pair<const K, V>;

  PersistentMap() = default;

  size_t size() const { return root_ ? root_->size : 0; }
  bool empty() const { return root_ == nullptr; }

  // Returns the value for `key`, or nullptr. The pointer stays valid while
  // this map (or any map sharing the node) is alive.
  template <typename Q>
  const V* Find(const Q& key) const {
    const Node* n = root_.get();
    Compare less;
    while (n != nullptr) {
      if (less(key, n->kv.first)) {
        n = n->left.get();
      } else if (less(n->kv.first, key)) {
        n = n->right.get();
      } else {
        return &n->kv.second;
      }
    }
    return nullptr;
  }
  template <typename Q>
  bool Contains(const Q& key) const {
    return Find(key) != nullptr;
  }

  // Returns a map with `key` set to `value`.
  [[nodiscard]] PersistentMap Set(K key, V value) const {
    if (Find(key) != nullptr) return PersistentMap(Replace(root_, key, std::move(value)));
    const uint64_t prio = Priority(key);
    auto node = std::make_shared<const Node>(std::move(key), std::move(value), prio, nullptr, nullptr);
    return PersistentMap(Insert(root_, std::move(node)));
  }

  // Returns a map without `key` (this map's contents if it is absent).
  template <typename Q>
  [[nodiscard]] PersistentMap Erase(const Q& key) const {
    if (Find(key) == nullptr) return *this;
    return PersistentMap(EraseFrom(root_, key));
  }

  // In-place forms: *this = Set(...) / Erase(...).
  void Put(K key, V value) { *this = Set(std::move(key), std::move(value)); }
  template <typename Q>
  void Remove(const Q& key) {
    *this = Erase(key);
  }

  // True when both maps are the same tree (cheap identity check; equal
  // contents built separately are not "same").
  bool SameTreeAs(const PersistentMap& other) const { return root_ == other.root_; }

  // In-order (ascending key) forward iterator.
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::pair<const K, V>;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;

    Iterator() = default;
    reference operator*() const { return stack_.back()->kv; }
    pointer operator->() const { return &stack_.back()->kv; }
    Iterator& operator++() {
      const Node* n = stack_.back();
      stack_.pop_back();
      PushLeft(n->right.get());
      return *this;
    }
    Iterator operator++(int) {
      Iterator copy = *this;
      ++*this;
      return copy;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) {
      if (a.stack_.empty() || b.stack_.empty()) return a.stack_.empty() == b.stack_.empty();
      return a.stack_.back() == b.stack_.back();
    }

   private:
    friend class PersistentMap;
    explicit Iterator(const Node* root) { PushLeft(root); }
    void PushLeft(const Node* n) {
      for (; n != nullptr; n = n->left.get()) stack_.push_back(n);
    }
    std::vector<const Node*> stack_;
  };
  using const_iterator = Iterator;

  Iterator begin() const { return Iterator(root_.get()); }
  Iterator end() const { return Iterator(); }

 private:
  struct Node {
    Node(K k, V v, uint64_t p, NodePtr l, NodePtr r)
        : kv(std::move(k), std::move(v)), priority(p), size(1 + Size(l) + Size(r)),
          left(std::move(l)), right(std::move(r)) {}
    value_type kv;
    uint64_t priority;
    size_t size;
    NodePtr left;
    NodePtr right;
  };

  explicit PersistentMap(NodePtr root) : root_(std::move(root)) {}

  static size_t Size(const NodePtr& n) { return n ? n->size : 0; }
  static uint64_t Priority(const K& key) {
    // Mix so that keys with similar hashes still spread over the priority space.
    uint64_t h = absl::Hash<K>()(key);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
  }
  static NodePtr With(const Node& n, NodePtr left, NodePtr right) {
    return std::make_shared<const Node>(n.kv.first, n.kv.second, n.priority, std::move(left),
                                        std::move(right));
  }

  static NodePtr Replace(const NodePtr& t, const K& key, V value) {
    Compare less;
    if (less(key, t->kv.first)) return With(*t, Replace(t->left, key, std::move(value)), t->right);
    if (less(t->kv.first, key)) return With(*t, t->left, Replace(t->right, key, std::move(value)));
    return std::make_shared<const Node>(t->kv.first, std::move(value), t->priority, t->left,
                                        t->right);
  }

  // Splits `t` (which does not contain `key`) into keys < key and keys > key.
  static std::pair<NodePtr, NodePtr> Split(const NodePtr& t, const K& key) {
    if (!t) return {nullptr, nullptr};
    Compare less;
    if (less(t->kv.first, key)) {
      auto [l, r] = Split(t->right, key);
      return {With(*t, t->left, std::move(l)), std::move(r)};
    }
    auto [l, r] = Split(t->left, key);
    return {std::move(l), With(*t, std::move(r), t->right)};
  }

  static NodePtr Insert(const NodePtr& t, NodePtr n) {
    if (!t) return n;
    if (n->priority > t->priority) {
      auto [l, r] = Split(t, n->kv.first);
      return With(*n, std::move(l), std::move(r));
    }
    Compare less;
    if (less(n->kv.first, t->kv.first)) return With(*t, Insert(t->left, std::move(n)), t->right);
    return With(*t, t->left, Insert(t->right, std::move(n)));
  }

  // Joins two treaps where every key of `a` is below every key of `b`.
  static NodePtr Merge(const NodePtr& a, const NodePtr& b) {
    if (!a) return b;
    if (!b) return a;
    if (a->priority > b->priority) return With(*a, a->left, Merge(a->right, b));
    return With(*b, Merge(a, b->left), b->right);
  }

  template <typename Q>
  static NodePtr EraseFrom(const NodePtr& t, const Q& key) {
    Compare less;
    if (less(key, t->kv.first)) return With(*t, EraseFrom(t->left, key), t->right);
    if (less(t->kv.first, key)) return With(*t, t->left, EraseFrom(t->right, key));
    return Merge(t->left, t->right);
  }

  NodePtr root_;
};

}  // namespace gregor::metadata

#endif  // GREGOR_COMMON_METADATA_PERSISTENT_MAP_H_
