#pragma once
// The little XML S3 answers with (ListObjectsV2 results, <Error> bodies): elements, attributes
// skipped, character data with entities decoded, CDATA kept. No DTDs or external entities are
// ever processed, and nesting is bounded, so hostile input cannot expand or recurse without limit.
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sy::storage {

struct XmlError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct XmlElement {
  std::string name;  // local name: a namespace prefix ("s3:Key") is dropped
  std::string text;  // decoded character data directly inside this element
  std::vector<XmlElement> children;

  const XmlElement* child(std::string_view name) const;  // first child with that name
  std::string child_text(std::string_view name) const;   // its text, "" when absent
};

XmlElement parse_xml(std::string_view doc);  // the root element; throws XmlError
std::string xml_decode(std::string_view s);  // &amp; &lt; &gt; &quot; &apos; &#NN; &#xHH;

}  // namespace sy::storage
