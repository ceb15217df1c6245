#include "jobs/sandbox_wire.h"

#include <vector>

namespace sy::jobs::sandbox::wire {
namespace {

void put_u64(std::string& o, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) o.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void put_str(std::string& o, const std::string& s) {
  put_u64(o, s.size());
  o += s;
}

class Reader {
 public:
  explicit Reader(const std::string& s) : s_(s) {}
  bool magic(const char* m) {
    if (left() < 4 || s_.compare(pos_, 4, m) != 0) return fail();
    pos_ += 4;
    return true;
  }
  bool u8(std::uint8_t& v) {
    if (left() < 1) return fail();
    v = static_cast<std::uint8_t>(s_[pos_++]);
    return true;
  }
  bool u64(std::uint64_t& v) {
    if (left() < 8) return fail();
    v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(s_[pos_ + i])) << (8 * i);
    pos_ += 8;
    return true;
  }
  bool i64(std::int64_t& v) {
    std::uint64_t u = 0;
    if (!u64(u)) return false;
    v = static_cast<std::int64_t>(u);
    return true;
  }
  bool int32(int& v) {
    std::int64_t w = 0;
    if (!i64(w) || w < INT32_MIN || w > INT32_MAX) return fail();
    v = static_cast<int>(w);
    return true;
  }
  bool str(std::string& v) {
    std::uint64_t n = 0;
    if (!u64(n) || n > left()) return fail();
    v.assign(s_, pos_, n);
    pos_ += n;
    return true;
  }
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == s_.size(); }

 private:
  std::size_t left() const { return s_.size() - pos_; }
  bool fail() {
    ok_ = false;
    return false;
  }
  const std::string& s_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

std::vector<std::int64_t> settings_fields(const imaging::Settings& s) {
  return {s.max_edge,
          s.quality,
          s.progressive ? 1 : 0,
          s.webp_quality,
          s.thumb_edge,
          s.thumb_quality,
          s.max_pixels,
          s.timeout_ms,
          s.max_decode_bytes,
          s.avif_quality,
          s.make_webp ? 1 : 0,
          s.make_thumb ? 1 : 0,
          static_cast<std::int64_t>(s.main_format)};
}

}  // namespace

std::string request_header(const imaging::Settings& s, std::size_t input_size) {
  std::string o = "SYQ1";
  auto f = settings_fields(s);
  put_u64(o, f.size());
  for (auto v : f) put_u64(o, static_cast<std::uint64_t>(v));
  put_u64(o, input_size);
  return o;
}

bool decode_request(const std::string& msg, imaging::Settings& s, std::string& input) {
  Reader r(msg);
  std::uint64_t n = 0;
  if (!r.magic("SYQ1") || !r.u64(n) || n != settings_fields(s).size()) return false;
  std::int64_t v[13];
  for (auto& x : v)
    if (!r.i64(x)) return false;
  auto small = [](std::int64_t x) { return x >= INT32_MIN && x <= INT32_MAX; };
  for (int i : {0, 1, 3, 4, 5, 7, 9})
    if (!small(v[i])) return false;
  if (v[12] < 0 || v[12] > static_cast<std::int64_t>(imaging::Format::avif)) return false;
  s.max_edge = static_cast<int>(v[0]);
  s.quality = static_cast<int>(v[1]);
  s.progressive = v[2] != 0;
  s.webp_quality = static_cast<int>(v[3]);
  s.thumb_edge = static_cast<int>(v[4]);
  s.thumb_quality = static_cast<int>(v[5]);
  s.max_pixels = v[6];
  s.timeout_ms = static_cast<int>(v[7]);
  s.max_decode_bytes = v[8];
  s.avif_quality = static_cast<int>(v[9]);
  s.make_webp = v[10] != 0;
  s.make_thumb = v[11] != 0;
  s.main_format = static_cast<imaging::Format>(v[12]);
  return r.str(input) && r.at_end();
}

std::string encode_response(const imaging::Result& r) {
  std::string o = "SYR1";
  o.push_back(r.ok ? 1 : 0);
  put_str(o, r.reason);
  put_str(o, r.detail);
  put_str(o, r.source_type);
  put_u64(o, static_cast<std::uint64_t>(static_cast<std::int64_t>(r.source_width)));
  put_u64(o, static_cast<std::uint64_t>(static_cast<std::int64_t>(r.source_height)));
  put_u64(o, r.derivatives.size());
  for (const auto& d : r.derivatives) {
    put_str(o, d.name);
    put_str(o, d.content_type);
    put_str(o, d.bytes);
    put_u64(o, static_cast<std::uint64_t>(static_cast<std::int64_t>(d.width)));
    put_u64(o, static_cast<std::uint64_t>(static_cast<std::int64_t>(d.height)));
  }
  o += "END1";
  return o;
}

std::optional<imaging::Result> decode_response(const std::string& msg) {
  Reader t(msg);
  imaging::Result r;
  std::uint8_t ok = 0;
  std::uint64_t n = 0;
  if (!t.magic("SYR1") || !t.u8(ok) || ok > 1 || !t.str(r.reason) || !t.str(r.detail) || !t.str(r.source_type) ||
      !t.int32(r.source_width) || !t.int32(r.source_height) || !t.u64(n) || n > 16)
    return std::nullopt;
  r.ok = ok == 1;
  for (std::uint64_t i = 0; i < n; ++i) {
    imaging::Derivative d;
    if (!t.str(d.name) || !t.str(d.content_type) || !t.str(d.bytes) || !t.int32(d.width) || !t.int32(d.height))
      return std::nullopt;
    r.derivatives.push_back(std::move(d));
  }
  if (!t.magic("END1") || !t.at_end()) return std::nullopt;
  return r;
}

}  // namespace sy::jobs::sandbox::wire
