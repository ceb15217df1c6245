#include "db/yearbook_pdf_repo.h"

#include <soci/soci.h>

#include "db/states_soci.h"

namespace sy::db::yearbook_pdfs {

namespace {

constexpr const char* kCols =
    "p.id, p.class_id, p.layout, p.content_key, p.status, p.pages_done, p.pages_total, p.object_key, p.size, p.error, "
    "p.created_at, p.updated_at";

// Rows from "SELECT <kCols> FROM yearbook_pdfs p … WHERE … = :arg".
std::vector<YearbookPdfRow> fetch(Tx& t, const std::string& tail, long long arg) {
  std::vector<YearbookPdfRow> out;
  YearbookPdfRow r;
  long long id = 0, cls = 0, size = 0, created = 0, updated = 0;
  int done = 0, total = 0;
  soci::statement st =
      (t.sql().prepare << std::string("SELECT ") + kCols + " FROM yearbook_pdfs p " + tail, soci::use(arg),
       soci::into(id), soci::into(cls), soci::into(r.layout), soci::into(r.content_key), soci::into(r.status),
       soci::into(done), soci::into(total), soci::into(r.object_key), soci::into(size), soci::into(r.error),
       soci::into(created), soci::into(updated));
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.class_id = cls;
    r.pages_done = done;
    r.pages_total = total;
    r.size = size;
    r.created_at = created;
    r.updated_at = updated;
    out.push_back(r);
  }
  return out;
}

}  // namespace

std::int64_t insert(Tx& t, const YearbookPdfRow& r, const std::vector<YearbookPdfPerson>& people,
                    std::optional<std::int64_t> requested_by) {
  long long cls = r.class_id, created = r.created_at, by = requested_by.value_or(0);
  soci::indicator by_ind = requested_by ? soci::i_ok : soci::i_null;
  int total = r.pages_total;
  t.sql() << "INSERT INTO yearbook_pdfs (class_id, layout, content_key, status, pages_done, pages_total, object_key, "
             "requested_by, created_at, updated_at) VALUES (:c, :l, :k, :s, 0, :t, :o, :b, :at, :at2)",
      soci::use(cls), soci::use(r.layout), soci::use(r.content_key), soci::use(r.status), soci::use(total),
      soci::use(r.object_key), soci::use(by, by_ind), soci::use(created), soci::use(created);
  const std::int64_t id = t.last_insert_id();
  set_people(t, id, people);
  return id;
}

void set_people(Tx& t, std::int64_t id, const std::vector<YearbookPdfPerson>& people) {
  long long pdf = id, student = 0, photo = 0;
  t.sql() << "DELETE FROM yearbook_pdf_people WHERE pdf_id = :p", soci::use(pdf);
  soci::statement st = (t.sql().prepare << "INSERT INTO yearbook_pdf_people (pdf_id, student_id, photo_id) "
                                           "VALUES (:p, :s, :ph)",
                        soci::use(pdf), soci::use(student), soci::use(photo));
  for (const auto& p : people) {
    student = p.student_id;
    photo = p.photo_id;
    st.execute(true);
  }
}

std::optional<YearbookPdfRow> by_id(Tx& t, std::int64_t id) {
  auto rows = fetch(t, "WHERE p.id = :id", id);
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::optional<YearbookPdfRow> by_content(Tx& t, std::int64_t class_id, const std::string& layout,
                                         const std::string& content_key) {
  long long cls = class_id, id = 0;
  soci::indicator ind = soci::i_null;
  t.sql() << "SELECT id FROM yearbook_pdfs WHERE class_id = :c AND layout = :l AND content_key = :k", soci::use(cls),
      soci::use(layout), soci::use(content_key), soci::into(id, ind);
  if (ind != soci::i_ok) return std::nullopt;
  return by_id(t, id);
}

void set_progress(Tx& t, std::int64_t id, ExportStatus status, int done, int total, std::int64_t now) {
  long long i = id, n = now;
  t.sql() << "UPDATE yearbook_pdfs SET status = :s, pages_done = :d, pages_total = :t, updated_at = :n WHERE id = :i",
      soci::use(status), soci::use(done), soci::use(total), soci::use(n), soci::use(i);
}

void set_ready(Tx& t, std::int64_t id, std::int64_t size, std::int64_t now) {
  long long i = id, n = now, s = size;
  t.sql() << "UPDATE yearbook_pdfs SET status = 'ready', pages_done = pages_total, size = :s, error = '', "
             "updated_at = :n WHERE id = :i",
      soci::use(s), soci::use(n), soci::use(i);
}

void set_failed(Tx& t, std::int64_t id, const std::string& error, std::int64_t now) {
  long long i = id, n = now;
  t.sql() << "UPDATE yearbook_pdfs SET status = 'failed', error = :e, updated_at = :n WHERE id = :i", soci::use(error),
      soci::use(n), soci::use(i);
}

std::vector<YearbookPdfRow> containing_student(Tx& t, std::int64_t student_id) {
  return fetch(t, "WHERE p.id IN (SELECT pdf_id FROM yearbook_pdf_people WHERE student_id = :s) ORDER BY p.id",
               student_id);
}

std::vector<YearbookPdfRow> containing_photo(Tx& t, std::int64_t photo_id) {
  return fetch(t, "WHERE p.id IN (SELECT pdf_id FROM yearbook_pdf_people WHERE photo_id = :ph) ORDER BY p.id",
               photo_id);
}

std::vector<YearbookPdfRow> for_class(Tx& t, std::int64_t class_id) {
  return fetch(t, "WHERE p.class_id = :c ORDER BY p.id", class_id);
}

void remove(Tx& t, std::int64_t id) {
  long long i = id;
  t.sql() << "DELETE FROM yearbook_pdf_people WHERE pdf_id = :i", soci::use(i);
  t.sql() << "DELETE FROM yearbook_pdfs WHERE id = :i", soci::use(i);
}

}  // namespace sy::db::yearbook_pdfs
