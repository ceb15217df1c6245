#include "http/multipart.h"

#include <algorithm>
#include <functional>

#include "core/error.h"
#include "core/text.h"

namespace sy::http {
namespace {

using text::to_lower;

[[noreturn]] void malformed(const std::string& why) { bad_request("malformed multipart body: " + why); }

// Parses `type; a=b; c="d \"e\""` into the lower-cased type and lower-cased parameter names.
struct HeaderValue {
  std::string type;
  std::vector<std::pair<std::string, std::string>> params;
  std::optional<std::string> param(std::string_view name) const {
    for (const auto& [k, v] : params)
      if (k == name) return v;
    return std::nullopt;
  }
};

std::optional<HeaderValue> parse_header_value(std::string_view s) {
  HeaderValue hv;
  auto semi = s.find(';');
  hv.type = to_lower(text::trim(s.substr(0, semi), text::kSpaceTab));
  if (semi == std::string_view::npos) return hv;
  s.remove_prefix(semi + 1);
  while (true) {
    s = text::trim(s, text::kSpaceTab);
    if (s.empty()) break;
    auto eq = s.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string name = to_lower(text::trim(s.substr(0, eq), text::kSpaceTab));
    s.remove_prefix(eq + 1);
    s = text::trim(s, text::kSpaceTab);
    std::string value;
    if (!s.empty() && s.front() == '"') {
      std::size_t i = 1;
      bool closed = false;
      for (; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size())
          value.push_back(s[++i]);
        else if (s[i] == '"') {
          closed = true;
          ++i;
          break;
        } else
          value.push_back(s[i]);
      }
      if (!closed) return std::nullopt;
      s.remove_prefix(i);
      s = text::trim(s, text::kSpaceTab);
      if (!s.empty() && s.front() != ';') return std::nullopt;
    } else {
      auto end = s.find(';');
      value = std::string(text::trim(s.substr(0, end), text::kSpaceTab));
      s = end == std::string_view::npos ? std::string_view{} : s.substr(end);
    }
    if (name.empty()) return std::nullopt;
    hv.params.emplace_back(std::move(name), std::move(value));
    if (s.empty()) break;
    s.remove_prefix(1);  // ';'
  }
  return hv;
}

bool valid_boundary(std::string_view b) {
  // RFC 2046: 1-70 of bchars, not ending in a space.
  static const std::string_view extra = "'()+_,-./:=? ";
  if (b.empty() || b.size() > 70 || b.back() == ' ') return false;
  return std::all_of(b.begin(), b.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string_view::npos;
  });
}

}  // namespace

std::string multipart_boundary(std::string_view content_type) {
  auto hv = parse_header_value(content_type);
  if (!hv &&
      to_lower(text::trim(content_type.substr(0, content_type.find(';')), text::kSpaceTab)) == "multipart/form-data")
    bad_request("multipart/form-data with malformed parameters");
  if (!hv || hv->type != "multipart/form-data")
    fail(ErrorKind::unsupported_type, "unsupported_type", "expected Content-Type multipart/form-data");
  auto b = hv->param("boundary");
  if (!b || !valid_boundary(*b)) bad_request("multipart/form-data without a valid boundary");
  return *b;
}

std::vector<Part> parse_multipart(std::string_view content_type, std::string_view body, const MultipartLimits& limits) {
  const std::string boundary = multipart_boundary(content_type);
  const std::string first = "--" + boundary;
  const std::string delim = "\r\n--" + boundary;
  std::boyer_moore_horspool_searcher search(delim.begin(), delim.end());

  if (body.substr(0, first.size()) != first) malformed("does not start with the boundary");
  std::size_t pos = first.size();
  std::vector<Part> parts;
  std::size_t fields = 0;
  while (true) {
    // After a delimiter: "--" ends the body; otherwise optional padding, then CRLF and a part.
    if (body.substr(pos, 2) == "--") break;
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != "\r\n") malformed("bad delimiter line");
    pos += 2;
    if (parts.size() == limits.max_parts)
      fail(ErrorKind::too_large, "too_many_parts",
           "more than " + std::to_string(limits.max_parts) + " parts in the multipart body");

    // Searched only as far as the limit, so a body without a blank line costs no more than that.
    auto window = body.substr(pos, limits.max_header_bytes + 4);
    auto header_end = window.find("\r\n\r\n");
    if (header_end == std::string_view::npos) {
      if (window.size() == limits.max_header_bytes + 4)
        fail(ErrorKind::too_large, "part_headers_too_large",
             "multipart part headers are longer than " + std::to_string(limits.max_header_bytes) + " bytes");
      malformed("part headers missing");
    }
    header_end += pos;
    Part part;
    part.content_type = "text/plain";
    bool disposition = false;
    std::string_view headers = body.substr(pos, header_end - pos);
    while (!headers.empty()) {
      auto eol = headers.find("\r\n");
      auto line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
      auto colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0 || line.front() == ' ' || line.front() == '\t')
        malformed("bad part header");
      std::string name = to_lower(line.substr(0, colon));
      auto value = text::trim(line.substr(colon + 1), text::kSpaceTab);
      if (name == "content-disposition") {
        auto hv = parse_header_value(value);
        if (!hv || hv->type != "form-data") malformed("Content-Disposition must be form-data");
        auto n = hv->param("name");
        if (!n || n->empty()) malformed("part without a name");
        if (n->size() > limits.max_name)
          fail(ErrorKind::too_large, "field_name_too_long",
               "a multipart field name is longer than " + std::to_string(limits.max_name) + " bytes");
        part.name = *n;
        part.filename = hv->param("filename");
        disposition = true;
      } else if (name == "content-type") {
        part.content_type = std::string(value);
      }
    }
    if (!disposition) malformed("part without Content-Disposition");
    pos = header_end + 4;

    auto it = std::search(body.begin() + static_cast<std::ptrdiff_t>(pos), body.end(), search);
    if (it == body.end()) malformed("missing closing boundary");
    auto data_end = static_cast<std::size_t>(it - body.begin());
    if (!part.filename) {
      if (++fields > limits.max_fields)
        fail(ErrorKind::too_large, "too_many_fields",
             "more than " + std::to_string(limits.max_fields) + " multipart fields");
      if (data_end - pos > limits.max_field_value)
        fail(ErrorKind::too_large, "field_value_too_long",
             "a multipart field value is longer than " + std::to_string(limits.max_field_value) + " bytes");
    }
    part.data = std::string(body.substr(pos, data_end - pos));
    parts.push_back(std::move(part));
    pos = data_end + delim.size();
  }
  if (parts.empty()) malformed("no parts");
  return parts;
}

std::vector<Part> parse_multipart(const Request& req, const MultipartLimits& limits) {
  auto ct = req.header("content-type");
  if (!ct) fail(ErrorKind::unsupported_type, "unsupported_type", "expected Content-Type multipart/form-data");
  return parse_multipart(*ct, req.body, limits);
}

const Part* find_part(const std::vector<Part>& parts, std::string_view name) {
  for (const auto& p : parts)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace sy::http
