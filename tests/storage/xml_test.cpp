#include <gtest/gtest.h>

#include "storage/xml.h"

namespace sy::storage {
namespace {

TEST(Xml, ListObjectsV2Page) {
  auto root = parse_xml(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>sy-test</Name><Prefix>a&amp;b/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents><Key>a&amp;b/x&lt;1&gt;&quot;&apos;</Key><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>3</Size></Contents>
  <Contents><Key>a&amp;b/caf&#233;&#x1F600;</Key><Size>0</Size><ETag>"e"</ETag></Contents>
  <NextContinuationToken>1/ab+c==</NextContinuationToken>
</ListBucketResult>)");
  EXPECT_EQ(root.name, "ListBucketResult");
  EXPECT_EQ(root.child_text("Prefix"), "a&b/");
  EXPECT_EQ(root.child_text("IsTruncated"), "true");
  EXPECT_EQ(root.child_text("NextContinuationToken"), "1/ab+c==");
  std::vector<const XmlElement*> contents;
  for (const auto& c : root.children)
    if (c.name == "Contents") contents.push_back(&c);
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(contents[0]->child_text("Key"), "a&b/x<1>\"'");
  EXPECT_EQ(contents[0]->child_text("ETag"), "\"9b2cf535f27731c974343645a3985328\"");
  EXPECT_EQ(contents[1]->child_text("Key"), "a&b/caf\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(contents[1]->child_text("Size"), "0");
  EXPECT_EQ(root.child("Missing"), nullptr);
}

TEST(Xml, EmptyElementsAttributesCdataCommentsAndPrefixes) {
  auto root = parse_xml(
      "<!-- c --><s3:Root a=\"x>/\" b='y'><Empty/><E2 k=\"v\" /><T><![CDATA[<raw & stuff>]]>tail</T>"
      "<!-- inner --><s3:Key>k</s3:Key></s3:Root>\n");
  EXPECT_EQ(root.name, "Root");
  ASSERT_EQ(root.children.size(), 4u);
  EXPECT_EQ(root.children[0].name, "Empty");
  EXPECT_EQ(root.children[1].name, "E2");
  EXPECT_EQ(root.child_text("T"), "<raw & stuff>tail");
  EXPECT_EQ(root.child_text("Key"), "k");
}

TEST(Xml, ErrorBody) {
  auto root = parse_xml("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>");
  EXPECT_EQ(root.child_text("Code"), "SlowDown");
}

TEST(Xml, MalformedInputThrows) {
  for (const char* bad : {"", "plain text", "<a>", "<a></b>", "<a><b></a></b>", "<a>&bogus;</a>", "<a>&#0;</a>",
                          "<a>&#xD800;</a>", "<a>&#x110000;</a>", "<a>&amp</a>", "<a/><b/>", "<a b=\"unterminated/>",
                          "<a><!DOCTYPE x></a>", "<a><![CDATA[x</a>"})
    EXPECT_THROW(parse_xml(bad), XmlError) << bad;
}

TEST(Xml, DeepNestingIsBounded) {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "<a>";
  EXPECT_THROW(parse_xml(deep), XmlError);
}

TEST(Xml, DoctypeIsNeverExpanded) {
  auto root = parse_xml("<!DOCTYPE r [<!ENTITY x \"boom\">]><r>&amp;</r>");
  EXPECT_EQ(root.text, "&");
  EXPECT_THROW(parse_xml("<!DOCTYPE r [<!ENTITY x \"boom\">]><r>&x;</r>"), XmlError);
}

}  // namespace
}  // namespace sy::storage
