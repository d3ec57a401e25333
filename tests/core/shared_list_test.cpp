// SharedList: copies share storage, changes make new storage and never alter a copy taken before.
#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "core/shared_list.hpp"

namespace {

std::vector<int> upto(int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(i);
  return v;
}

}  // namespace

TEST_CASE("a shared list reads like the vector it was built from, across chunk boundaries", "[shared-list]") {
  app::SharedList<int> list;
  CHECK(list.empty());
  CHECK(list.begin() == list.end());
  const int n = 3 * static_cast<int>(app::SharedList<int>::kChunk) + 5;
  for (int i = 0; i < n; ++i) list.push_back(i);
  CHECK(list.size() == static_cast<std::size_t>(n));
  CHECK(list.to_vector() == upto(n));
  CHECK(list.front() == 0);
  CHECK(list.back() == n - 1);
  CHECK(list[app::SharedList<int>::kChunk] == static_cast<int>(app::SharedList<int>::kChunk));
  int sum = 0, count = 0;
  for (int v : list) {
    sum += v;
    ++count;
  }
  CHECK(count == n);
  CHECK(sum == n * (n - 1) / 2);
  list.set_back(-1);
  CHECK(list.back() == -1);
  CHECK(list.size() == static_cast<std::size_t>(n));
  list.assign(upto(70));
  CHECK(list.to_vector() == upto(70));
  list.assign({});
  CHECK(list.empty());
  list.push_back(7);
  list.clear();
  CHECK(list.empty());
  CHECK(list.storage() == nullptr);
}

TEST_CASE("a shared list's copy shares its storage and keeps its elements when the original grows", "[shared-list]") {
  const std::size_t chunk = app::SharedList<int>::kChunk;
  app::SharedList<int> list(upto(static_cast<int>(2 * chunk + 3)));
  const app::SharedList<int> before = list;
  CHECK(before.storage() == list.storage());  // a copy is one pointer, not the elements
  CHECK(&before[0] == &list[0]);

  list.push_back(1000);
  CHECK(before.storage() != list.storage());
  CHECK(before.size() == 2 * chunk + 3);  // the copy never changes
  CHECK(before.to_vector() == upto(static_cast<int>(2 * chunk + 3)));
  CHECK(list.size() == 2 * chunk + 4);
  CHECK(list.back() == 1000);
  // Only the last chunk was copied: the full ones are the same memory in both.
  CHECK(&before[0] == &list[0]);
  CHECK(&before[chunk] == &list[chunk]);
  CHECK(&before[2 * chunk] != &list[2 * chunk]);

  const app::SharedList<int> grown = list;
  list.set_back(2000);
  CHECK(grown.back() == 1000);
  CHECK(list.back() == 2000);
  CHECK(&grown[chunk - 1] == &list[chunk - 1]);
}
