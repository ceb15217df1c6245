#include "db/photos_repo.h"

#include <soci/soci.h>

#include "db/content_versions_repo.h"
#include "db/row_mapping.h"
#include "db/sql_text.h"

#include <initializer_list>
#include <string_view>

namespace sy::db {

namespace {

const char* kPhotoCols =
    "id, student_id, status, moderation, moderation_reason, moderated_by, moderated_at, quote, original_key, "
    "original_sha256, original_size, source_type, error_code, error, bytes_out, is_current, purged_at, created_at, "
    "updated_at, ready_at";

template <class Bind>
std::vector<PhotoRow> fetch_photos(Tx& t, const std::string& where, Bind&& bind) {
  return rows::fetch<PhotoRow>(t, cat({"SELECT ", kPhotoCols, " FROM photos ", where}), bind);
}

template <class Bind>
std::vector<PhotoVariantRow> fetch_variants(Tx& t, const std::string& where, Bind&& bind) {
  return rows::fetch<PhotoVariantRow>(t,
                                      cat({"SELECT photo_id, variant, object_key, sha256, size, width, height, "
                                           "content_type FROM photo_variants ",
                                           where}),
                                      bind);
}

using rows::first;

int affected(soci::statement& st) { return static_cast<int>(st.get_affected_rows()); }

// A change to a photo changes the yearbook and roster of every class its student is in.
void bump_owner_pages(Tx& t, std::int64_t photo_id) {
  long long i = photo_id, s = 0;
  t.sql() << "SELECT student_id FROM photos WHERE id = :id", soci::use(i), soci::into(s);
  if (t.sql().got_data()) content_versions::bump_user_classes(t, s);
}

}  // namespace

namespace photos {

std::int64_t insert(Tx& t, const PhotoRow& p) {
  long long student = p.student_id, osize = p.original_size, bytes_out = p.bytes_out, c = p.created_at,
            u = p.updated_at;
  int current = p.is_current ? 1 : 0;
  t.sql() << "INSERT INTO photos (student_id, status, moderation, moderation_reason, quote, original_key, "
             "original_sha256, original_size, source_type, error_code, error, bytes_out, is_current, created_at, "
             "updated_at) VALUES (:s, :st, :m, :mr, :q, :k, :sha, :os, :src, :ec, :e, :bo, :cur, :c, :u)",
      soci::use(student), soci::use(p.status), soci::use(p.moderation), soci::use(p.moderation_reason),
      soci::use(p.quote), soci::use(p.original_key), soci::use(p.original_sha256), soci::use(osize),
      soci::use(p.source_type), soci::use(p.error_code), soci::use(p.error), soci::use(bytes_out), soci::use(current),
      soci::use(c), soci::use(u);
  const std::int64_t id = t.last_insert_id();  // before the bump: that is an INSERT too
  content_versions::bump_personal(t);          // a row inserted ready and pending counts for review at once
  return id;
}

std::optional<PhotoRow> by_id(Tx& t, std::int64_t id) {
  long long i = id;
  return first(fetch_photos(t, "WHERE id = :id", [&](auto& p) { p, soci::use(i); }));
}

std::optional<PhotoRow> by_original_key(Tx& t, const std::string& key) {
  return first(fetch_photos(t, "WHERE original_key = :k", [&](auto& p) { p, soci::use(key); }));
}

std::optional<PhotoRow> current_photo(Tx& t, std::int64_t student_id) {
  long long s = student_id;
  return first(fetch_photos(t, "WHERE student_id = :s AND is_current = 1 ORDER BY id DESC LIMIT 1",
                            [&](auto& p) { p, soci::use(s); }));
}

std::vector<PhotoRow> current_photos(Tx& t, const std::vector<std::int64_t>& student_ids) {
  std::vector<PhotoRow> out;
  for (auto id : student_ids)
    if (auto p = current_photo(t, id)) out.push_back(std::move(*p));
  return out;
}

std::vector<PhotoVariantRow> variants(Tx& t, std::int64_t photo_id) {
  long long i = photo_id;
  return fetch_variants(t, "WHERE photo_id = :id ORDER BY variant", [&](auto& p) { p, soci::use(i); });
}

std::optional<PhotoVariantRow> variant(Tx& t, std::int64_t photo_id, const std::string& variant) {
  long long i = photo_id;
  return first(fetch_variants(t, "WHERE photo_id = :id AND variant = :v",
                              [&](auto& p) { p, soci::use(i), soci::use(variant); }));
}

std::vector<PhotoRow> history(Tx& t, std::int64_t student_id, int limit) {
  long long s = student_id;
  return fetch_photos(t, "WHERE student_id = :s ORDER BY id DESC LIMIT :l",
                      [&](auto& p) { p, soci::use(s), soci::use(limit); });
}

void lock_student(Tx& t, std::int64_t student_id) {
  if (t.dialect() != Dialect::mysql) return;
  long long s = student_id, got = 0;
  t.sql() << "SELECT id FROM users WHERE id = :s FOR UPDATE", soci::use(s), soci::into(got);
}

void clear_current(Tx& t, std::int64_t student_id, std::int64_t now) {
  long long s = student_id, n = now;
  t.sql() << "UPDATE photos SET is_current = 0, updated_at = :n WHERE student_id = :s AND is_current = 1", soci::use(n),
      soci::use(s);
  content_versions::bump_user_classes(t, student_id);
}

std::int64_t count_created_since(Tx& t, std::int64_t student_id, std::int64_t since) {
  long long s = student_id, from = since, n = 0;
  t.sql() << "SELECT COUNT(*) FROM photos WHERE student_id = :s AND created_at >= :f", soci::use(s), soci::use(from),
      soci::into(n);
  return n;
}

bool mark_ready(Tx& t, std::int64_t id, const std::string& source_type, std::int64_t bytes_out, std::int64_t now) {
  long long i = id, b = bytes_out, n = now;
  soci::statement st = (t.sql().prepare << "UPDATE photos SET status = 'ready', error_code = '', error = '', "
                                           "source_type = :src, bytes_out = :b, ready_at = :n1, updated_at = :n2 "
                                           "WHERE id = :id AND status = 'processing'",
                        soci::use(source_type), soci::use(b), soci::use(n), soci::use(n), soci::use(i));
  st.execute(true);
  bool changed = affected(st) == 1;
  if (changed) bump_owner_pages(t, id);
  return changed;
}

bool mark_failed(Tx& t, std::int64_t id, const std::string& error_code, const std::string& error, std::int64_t now) {
  long long i = id, n = now;
  soci::statement st = (t.sql().prepare << "UPDATE photos SET status = 'failed', error_code = :c, error = :e, "
                                           "updated_at = :n WHERE id = :id AND NOT (status = 'failed' AND "
                                           "error_code = :c2)",
                        soci::use(error_code), soci::use(error), soci::use(n), soci::use(i), soci::use(error_code));
  st.execute(true);
  bool changed = affected(st) == 1;
  if (changed) bump_owner_pages(t, id);
  return changed;
}

void mark_processing(Tx& t, std::int64_t id, bool reset_moderation, std::int64_t now) {
  long long i = id, n = now;
  int reset = reset_moderation ? 1 : 0;
  t.sql() << "UPDATE photos SET status = 'processing', error_code = '', error = '', ready_at = NULL, "
             "moderation = CASE WHEN :r1 = 1 THEN 'pending' ELSE moderation END, "
             "moderation_reason = CASE WHEN :r2 = 1 THEN '' ELSE moderation_reason END, "
             "moderated_by = CASE WHEN :r3 = 1 THEN NULL ELSE moderated_by END, "
             "moderated_at = CASE WHEN :r4 = 1 THEN NULL ELSE moderated_at END, updated_at = :n WHERE id = :id",
      soci::use(reset), soci::use(reset), soci::use(reset), soci::use(reset), soci::use(n), soci::use(i);
  bump_owner_pages(t, id);
}

void set_original(Tx& t, std::int64_t id, const std::string& sha256, std::int64_t size, std::int64_t now) {
  long long i = id, s = size, n = now;
  t.sql() << "UPDATE photos SET original_sha256 = :h, original_size = :s, updated_at = :n WHERE id = :id",
      soci::use(sha256), soci::use(s), soci::use(n), soci::use(i);
}

void replace_variants(Tx& t, std::int64_t photo_id, const std::vector<PhotoVariantRow>& rows) {
  long long pid = photo_id;
  t.sql() << "DELETE FROM photo_variants WHERE photo_id = :p", soci::use(pid);
  for (const auto& r : rows) {
    long long size = r.size;
    int w = r.width, h = r.height;
    t.sql() << "INSERT INTO photo_variants (photo_id, variant, object_key, sha256, size, width, height, "
               "content_type) VALUES (:p, :v, :k, :h, :s, :w, :ht, :ct)",
        soci::use(pid), soci::use(r.variant), soci::use(r.object_key), soci::use(r.sha256), soci::use(size),
        soci::use(w), soci::use(h), soci::use(r.content_type);
  }
}

bool moderate(Tx& t, std::int64_t id, Moderation moderation, const std::string& reason, std::int64_t moderator_id,
              std::int64_t now) {
  long long i = id, m = moderator_id, n = now;
  soci::statement st =
      (t.sql().prepare << "UPDATE photos SET moderation = :m, moderation_reason = :r, "
                          "moderated_by = :by, moderated_at = :n1, updated_at = :n2 WHERE id = :id",
       soci::use(moderation), soci::use(reason), soci::use(m), soci::use(n), soci::use(n), soci::use(i));
  st.execute(true);
  bool changed = affected(st) == 1;
  if (changed) bump_owner_pages(t, id);
  return changed;
}

std::vector<PhotoRow> purgeable(Tx& t, std::int64_t student_id) {
  long long s = student_id;
  return fetch_photos(t,
                      "WHERE student_id = :s AND is_current = 0 AND purged_at IS NULL AND status <> 'processing' "
                      "ORDER BY id",
                      [&](auto& p) { p, soci::use(s); });
}

void mark_purged(Tx& t, std::int64_t id, std::int64_t now) {
  long long i = id, n = now;
  t.sql() << "DELETE FROM photo_variants WHERE photo_id = :id", soci::use(i);
  t.sql() << "UPDATE photos SET purged_at = :n1, updated_at = :n2 WHERE id = :id", soci::use(n), soci::use(n),
      soci::use(i);
  bump_owner_pages(t, id);
}

}  // namespace photos

}  // namespace sy::db
