#include "http/proxy.h"
#include "core/text.h"

#include <arpa/inet.h>

#include <cstring>
#include <stdexcept>

namespace sy::http {
namespace {

// Parses IPv4 or IPv6 into 16 bytes (IPv4 mapped); also reports whether it was IPv4.
bool parse_ip(std::string_view text, std::array<unsigned char, 16>& out, bool& v4) {
  if (text.empty() || text.size() > 45) return false;
  std::string s(text);
  if (s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);  // "[::1]"
  unsigned char buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
    out.fill(0);
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, buf, 4);
    v4 = true;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    std::memcpy(out.data(), buf, 16);
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    v4 = std::memcmp(buf, mapped, 12) == 0;
    return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> normalize_ip(std::string_view ip) {
  std::array<unsigned char, 16> a;
  bool v4 = false;
  if (!parse_ip(ip, a, v4)) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  if (v4)
    inet_ntop(AF_INET, a.data() + 12, buf, sizeof buf);
  else
    inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
  return std::string(buf);
}

TrustedProxies::TrustedProxies(const std::vector<std::string>& entries) {
  for (const auto& e : entries) {
    auto slash = e.find('/');
    Net n;
    bool v4 = false;
    if (!parse_ip(std::string_view(e).substr(0, slash), n.addr, v4))
      throw std::invalid_argument("trusted proxy '" + e + "' is not an IP address or CIDR block");
    int max = v4 ? 32 : 128;
    int prefix = max;
    if (slash != std::string::npos) {
      auto p = e.substr(slash + 1);
      if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string::npos || std::stoi(p) > max)
        throw std::invalid_argument("trusted proxy '" + e + "' has an invalid prefix length");
      prefix = std::stoi(p);
    }
    n.prefix = v4 ? prefix + 96 : prefix;
    nets_.push_back(n);
  }
}

bool TrustedProxies::contains(std::string_view ip) const {
  std::array<unsigned char, 16> a;
  bool v4 = false;
  if (!parse_ip(ip, a, v4)) return false;
  for (const auto& n : nets_) {
    int full = n.prefix / 8, bits = n.prefix % 8;
    if (std::memcmp(a.data(), n.addr.data(), static_cast<std::size_t>(full)) != 0) continue;
    if (bits) {
      unsigned char mask = static_cast<unsigned char>(0xff << (8 - bits));
      if ((a[static_cast<std::size_t>(full)] & mask) != (n.addr[static_cast<std::size_t>(full)] & mask)) continue;
    }
    return true;
  }
  return false;
}

ClientInfo resolve_client(std::string_view peer_ip, bool peer_tls, const std::optional<std::string>& forwarded_for,
                          const std::optional<std::string>& forwarded_proto, const TrustedProxies& trusted) {
  ClientInfo c{normalize_ip(peer_ip).value_or(std::string(peer_ip)), peer_tls};
  if (!trusted.contains(peer_ip)) return c;
  if (forwarded_proto) {
    std::string_view v = *forwarded_proto;
    auto comma = v.rfind(',');
    if (comma != std::string_view::npos) v = v.substr(comma + 1);
    v = text::trim(v, text::kSpaceTab);
    if (v.size() == 5 && (v[0] | 0x20) == 'h' && (v[1] | 0x20) == 't' && (v[2] | 0x20) == 't' && (v[3] | 0x20) == 'p' &&
        (v[4] | 0x20) == 's')
      c.secure = true;
    else if (v.size() == 4)
      c.secure = false;  // "http": the proxy says the client spoke plain HTTP
  }
  if (forwarded_for) {
    std::string_view rest = *forwarded_for;
    std::optional<std::string> leftmost;
    while (!rest.empty()) {
      auto comma = rest.rfind(',');
      auto hop = text::trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1), text::kSpaceTab);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
      auto ip = normalize_ip(hop);
      if (!ip) return c;  // garbage in the chain: keep what we know for sure
      leftmost = ip;
      if (!trusted.contains(*ip)) {
        c.ip = *ip;
        return c;
      }
    }
    if (leftmost) c.ip = *leftmost;
  }
  return c;
}

}  // namespace sy::http
