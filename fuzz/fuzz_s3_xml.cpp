// libFuzzer: the XML reader for S3 answers (storage/xml.cpp): bounded nesting, no entity
// expansion; only XmlError may escape.
#include <cstddef>
#include <cstdint>
#include <string>

#include "storage/xml.h"

namespace {
std::size_t count(const sy::storage::XmlElement& e, int depth) {
  if (depth > 10000) __builtin_trap();
  std::size_t n = 1 + e.text.size();
  for (const auto& c : e.children) n += count(c, depth + 1);
  return n;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string doc(reinterpret_cast<const char*>(data), size);
  try {
    auto root = sy::storage::parse_xml(doc);
    if (count(root, 0) > 2 * doc.size() + 16) __builtin_trap();  // no expansion
    root.child_text("Key");
  } catch (const sy::storage::XmlError&) {}
  try {
    auto d = sy::storage::xml_decode(doc);
    if (d.size() > doc.size() * 4 + 4) __builtin_trap();
  } catch (const sy::storage::XmlError&) {  // a malformed entity reference
  }
  return 0;
}
