// A list that threads share by value: the train host publishes its curve and timeline in every
// snapshot, and copying a SharedList copies one pointer, never its elements.
#pragma once
#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

namespace app {

// An immutable-once-published sequence of T in fixed-size chunks. Copies share the storage;
// push_back and set_back make new storage that shares every chunk but the last (they copy the
// chunk index, size / kChunk pointers, and the last chunk, at most kChunk elements), so a copy
// taken earlier never changes and is safe to read on another thread. assign() rebuilds it all:
// for rare whole-list changes (thinning).
template <typename T>
class SharedList {
 public:
  static constexpr std::size_t kChunk = 64;

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;
    const_iterator(const SharedList* list, std::size_t i) : m_list(list), m_i(i) {}
    reference operator*() const { return (*m_list)[m_i]; }
    pointer operator->() const { return &(*m_list)[m_i]; }
    const_iterator& operator++() {
      ++m_i;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator before = *this;
      ++m_i;
      return before;
    }
    bool operator==(const const_iterator& o) const { return m_i == o.m_i && m_list == o.m_list; }
    bool operator!=(const const_iterator& o) const { return !(*this == o); }

   private:
    const SharedList* m_list;
    std::size_t m_i;
  };

  SharedList() = default;
  explicit SharedList(std::vector<T> values) { assign(std::move(values)); }

  std::size_t size() const { return m_storage ? m_storage->size : 0; }
  bool empty() const { return size() == 0; }
  const T& operator[](std::size_t i) const { return (*m_storage->chunks[i / kChunk])[i % kChunk]; }
  const T& front() const { return (*this)[0]; }
  const T& back() const { return (*this)[size() - 1]; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

  void push_back(T value) {
    auto next = std::make_shared<Storage>();
    if (m_storage) next->chunks = m_storage->chunks;
    if (size() % kChunk == 0) {
      auto chunk = std::make_shared<std::vector<T>>();
      chunk->reserve(kChunk);
      chunk->push_back(std::move(value));
      next->chunks.push_back(std::move(chunk));
    } else {
      auto chunk = std::make_shared<std::vector<T>>();
      chunk->reserve(kChunk);
      *chunk = *next->chunks.back();
      chunk->push_back(std::move(value));
      next->chunks.back() = std::move(chunk);
    }
    next->size = size() + 1;
    m_storage = std::move(next);
  }

  // Replaces the newest element (the list must not be empty).
  void set_back(T value) {
    auto next = std::make_shared<Storage>(*m_storage);
    auto chunk = std::make_shared<std::vector<T>>(*next->chunks.back());
    chunk->back() = std::move(value);
    next->chunks.back() = std::move(chunk);
    m_storage = std::move(next);
  }

  void clear() { m_storage.reset(); }

  void assign(std::vector<T> values) {
    if (values.empty()) return clear();
    auto next = std::make_shared<Storage>();
    next->size = values.size();
    for (std::size_t start = 0; start < values.size(); start += kChunk) {
      auto chunk = std::make_shared<std::vector<T>>();
      const std::size_t stop = std::min(values.size(), start + kChunk);
      chunk->reserve(kChunk);
      for (std::size_t i = start; i < stop; ++i) chunk->push_back(std::move(values[i]));
      next->chunks.push_back(std::move(chunk));
    }
    m_storage = std::move(next);
  }

  std::vector<T> to_vector() const { return std::vector<T>(begin(), end()); }

  // Which storage this list reads: equal for two lists means neither changed since they were one.
  const void* storage() const { return m_storage.get(); }

 private:
  struct Storage {
    std::vector<std::shared_ptr<const std::vector<T>>> chunks;  // every chunk but the last holds kChunk
    std::size_t size = 0;
  };
  std::shared_ptr<const Storage> m_storage;  // null: empty
};

}  // namespace app
