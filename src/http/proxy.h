#pragma once
// Who is the client? X-Forwarded-For / X-Forwarded-Proto count only when the peer is a trusted
// proxy; otherwise anyone could claim any address (and defeat per-IP throttling) or claim HTTPS.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sy::http {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // Entries are addresses ("127.0.0.1", "::1") or CIDR blocks ("10.0.0.0/8", "fd00::/8").
  // An invalid entry throws std::invalid_argument naming it.
  explicit TrustedProxies(const std::vector<std::string>& entries);
  bool contains(std::string_view ip) const;
  bool empty() const { return nets_.empty(); }

 private:
  struct Net {
    std::array<unsigned char, 16> addr{};  // IPv4 as IPv4-mapped IPv6
    int prefix = 128;
  };
  std::vector<Net> nets_;
};

// Textual form of an address with IPv4-mapped IPv6 ("::ffff:1.2.3.4") shown as IPv4; nullopt when
// the text is not an IP address.
std::optional<std::string> normalize_ip(std::string_view ip);

struct ClientInfo {
  std::string ip;
  bool secure = false;
};

// X-Forwarded-For is read right to left, skipping trusted proxies: the first untrusted address is
// the client (the leftmost when every hop is trusted). X-Forwarded-Proto: the nearest proxy's value.
ClientInfo resolve_client(std::string_view peer_ip, bool peer_tls, const std::optional<std::string>& forwarded_for,
                          const std::optional<std::string>& forwarded_proto, const TrustedProxies& trusted);

}  // namespace sy::http
