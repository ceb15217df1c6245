#include "storage/xml.h"

#include <cstdint>

namespace sy::storage {
namespace {

constexpr int kMaxDepth = 32;

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) throw XmlError("invalid character reference");
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool name_char(char c) { return !is_space(c) && c != '>' && c != '/' && c != '=' && c != '<'; }

class Parser {
 public:
  explicit Parser(std::string_view doc) : s_(doc) {}

  XmlElement document() {
    skip_misc();
    if (!at("<")) throw XmlError("no root element");
    XmlElement root = element(0);
    skip_misc();
    if (pos_ != s_.size()) throw XmlError("content after the root element");
    return root;
  }

 private:
  bool at(std::string_view t) const { return s_.substr(pos_, t.size()) == t; }

  void skip_past(std::string_view end) {
    std::size_t e = s_.find(end, pos_);
    if (e == std::string_view::npos) throw XmlError("unterminated markup");
    pos_ = e + end.size();
  }

  // Whitespace, <?...?>, comments and <!DOCTYPE ...> (skipped, never interpreted).
  void skip_misc() {
    for (;;) {
      while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
      if (at("<?"))
        skip_past("?>");
      else if (at("<!--"))
        skip_past("-->");
      else if (at("<!"))
        skip_doctype();
      else
        return;
    }
  }

  // <!DOCTYPE ...> possibly with an internal subset [...]; skipped, its entities never defined.
  void skip_doctype() {
    std::size_t gt = s_.find('>', pos_), bracket = s_.find('[', pos_);
    if (bracket != std::string_view::npos && bracket < gt) {
      pos_ = bracket;
      skip_past("]");
    }
    skip_past(">");
  }

  std::string name() {
    std::size_t b = pos_;
    while (pos_ < s_.size() && name_char(s_[pos_])) ++pos_;
    if (pos_ == b) throw XmlError("missing element name");
    return std::string(s_.substr(b, pos_ - b));
  }

  static std::string local(const std::string& qname) {
    auto colon = qname.find(':');
    return colon == std::string::npos ? qname : qname.substr(colon + 1);
  }

  XmlElement element(int depth) {
    if (depth > kMaxDepth) throw XmlError("nesting too deep");
    ++pos_;  // '<'
    std::string qname = name();
    XmlElement e;
    e.name = local(qname);
    // Attributes are skipped (quoted values may contain '>' or '/').
    for (;;) {
      while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
      if (pos_ >= s_.size()) throw XmlError("unterminated start tag");
      char c = s_[pos_];
      if (c == '/') {
        if (!at("/>")) throw XmlError("bad empty-element tag");
        pos_ += 2;
        return e;
      }
      if (c == '>') {
        ++pos_;
        break;
      }
      if (c == '"' || c == '\'') {
        std::size_t close = s_.find(c, pos_ + 1);
        if (close == std::string_view::npos) throw XmlError("unterminated attribute value");
        pos_ = close + 1;
      } else {
        ++pos_;
      }
    }
    for (;;) {
      std::size_t lt = s_.find('<', pos_);
      if (lt == std::string_view::npos) throw XmlError("unterminated element <" + qname + ">");
      e.text += xml_decode(s_.substr(pos_, lt - pos_));
      pos_ = lt;
      if (at("</")) {
        pos_ += 2;
        std::string end = name();
        while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
        if (end != qname || !at(">")) throw XmlError("mismatched end tag </" + end + ">");
        ++pos_;
        return e;
      }
      if (at("<![CDATA[")) {
        std::size_t b = pos_ + 9;
        skip_past("]]>");
        e.text.append(s_.substr(b, pos_ - 3 - b));
      } else if (at("<!--")) {
        skip_past("-->");
      } else if (at("<?")) {
        skip_past("?>");
      } else if (at("<!")) {
        throw XmlError("unexpected declaration inside an element");
      } else {
        e.children.push_back(element(depth + 1));
      }
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

const XmlElement* XmlElement::child(std::string_view n) const {
  for (const auto& c : children)
    if (c.name == n) return &c;
  return nullptr;
}

std::string XmlElement::child_text(std::string_view n) const {
  const XmlElement* c = child(n);
  return c ? c->text : std::string();
}

std::string xml_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c != '&') {
      out.push_back(c);
      ++i;
      continue;
    }
    std::size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) throw XmlError("unterminated entity reference");
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp")
      out.push_back('&');
    else if (ent == "lt")
      out.push_back('<');
    else if (ent == "gt")
      out.push_back('>');
    else if (ent == "quot")
      out.push_back('"');
    else if (ent == "apos")
      out.push_back('\'');
    else if (ent.size() >= 2 && ent[0] == '#') {
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string_view digits = ent.substr(hex ? 2 : 1);
      if (digits.empty()) throw XmlError("empty character reference");
      std::uint32_t cp = 0;
      for (char d : digits) {
        int v;
        if (d >= '0' && d <= '9')
          v = d - '0';
        else if (hex && d >= 'a' && d <= 'f')
          v = d - 'a' + 10;
        else if (hex && d >= 'A' && d <= 'F')
          v = d - 'A' + 10;
        else
          throw XmlError("bad character reference");
        cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
        if (cp > 0x10FFFF) throw XmlError("character reference out of range");
      }
      append_utf8(out, cp);
    } else {
      throw XmlError("unknown entity &" + std::string(ent) + ";");
    }
    i = semi + 1;
  }
  return out;
}

XmlElement parse_xml(std::string_view doc) { return Parser(doc).document(); }

}  // namespace sy::storage
