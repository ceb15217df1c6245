#include <gtest/gtest.h>

#include "http/proxy.h"

using namespace sy::http;

TEST(HttpProxy, TrustedProxiesMatchAddressesAndBlocks) {
  TrustedProxies t({"127.0.0.1", "10.0.0.0/8", "fd00::/8", "::1", "192.168.1.128/25"});
  EXPECT_TRUE(t.contains("127.0.0.1"));
  EXPECT_TRUE(t.contains("::ffff:127.0.0.1"));  // IPv4-mapped
  EXPECT_TRUE(t.contains("10.200.3.4"));
  EXPECT_TRUE(t.contains("fd12::1"));
  EXPECT_TRUE(t.contains("::1"));
  EXPECT_TRUE(t.contains("192.168.1.200"));
  EXPECT_FALSE(t.contains("192.168.1.100"));
  EXPECT_FALSE(t.contains("127.0.0.2"));
  EXPECT_FALSE(t.contains("11.0.0.1"));
  EXPECT_FALSE(t.contains("fe80::1"));
  EXPECT_FALSE(t.contains("not an ip"));
  EXPECT_THROW(TrustedProxies({"10.0.0.0/33"}), std::invalid_argument);
  EXPECT_THROW(TrustedProxies({"example.com"}), std::invalid_argument);
  EXPECT_THROW(TrustedProxies({"10.0.0.0/"}), std::invalid_argument);
}

TEST(HttpProxy, ForwardedHeadersOnlyFromTrustedPeers) {
  TrustedProxies t({"127.0.0.1", "10.0.0.0/8"});
  // Untrusted peer: headers ignored.
  auto c = resolve_client("203.0.113.9", false, "1.2.3.4", "https", t);
  EXPECT_EQ(c.ip, "203.0.113.9");
  EXPECT_FALSE(c.secure);
  // Trusted peer: rightmost untrusted hop is the client; a spoofed left part is ignored.
  c = resolve_client("127.0.0.1", false, "6.6.6.6, 198.51.100.7, 10.1.2.3", "https", t);
  EXPECT_EQ(c.ip, "198.51.100.7");
  EXPECT_TRUE(c.secure);
  // Every hop trusted: the leftmost.
  c = resolve_client("127.0.0.1", false, "10.9.9.9, 10.1.1.1", std::nullopt, t);
  EXPECT_EQ(c.ip, "10.9.9.9");
  EXPECT_FALSE(c.secure);
  // Garbage in the chain: keep the peer.
  c = resolve_client("127.0.0.1", false, "1.2.3.4, <script>", "HTTPS", t);
  EXPECT_EQ(c.ip, "127.0.0.1");
  EXPECT_TRUE(c.secure);
  // The nearest proxy's proto wins.
  EXPECT_FALSE(resolve_client("127.0.0.1", false, std::nullopt, "https, http", t).secure);
  EXPECT_EQ(resolve_client("::ffff:127.0.0.1", false, std::nullopt, std::nullopt, t).ip, "127.0.0.1");
  EXPECT_EQ(resolve_client("127.0.0.1", false, "[2001:db8::1]", std::nullopt, t).ip, "2001:db8::1");
}
