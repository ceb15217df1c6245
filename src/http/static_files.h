#pragma once
// Static assets under a URL prefix (/static/app.css → <dir>/app.css): a strong ETag (SHA-256 of the
// content) with If-None-Match → 304, Cache-Control "public, max-age=N", Content-Type from the
// extension. No directory listing and no way out of the directory: "..", "." and hidden segments,
// backslashes and anything resolving (symlinks included) outside it are 404.
#include <map>
#include <string>
#include <string_view>

#include "http/router.h"

namespace sy::http {

// Files are read on first request and cached; a file changed on disk (size or mtime) is re-read.
void mount_static(Router& router, const std::string& dir, std::string url_prefix = "/static/",
                  int max_age_seconds = 3600);

// The same for files held in memory, name ("css/app.css") → bytes, e.g. assets embedded in the binary.
void mount_static_files(Router& router, const std::map<std::string, std::string>& files,
                        std::string url_prefix = "/static/", int max_age_seconds = 3600);

// Whether an If-None-Match header value ("a", W/"b", *) names this ETag (weak comparison, RFC 9110).
bool etag_matches(const std::string& if_none_match, const std::string& etag);

std::string_view mime_type(std::string_view file_name);  // by extension; application/octet-stream otherwise

}  // namespace sy::http
