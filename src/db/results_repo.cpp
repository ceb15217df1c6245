#include "db/results_repo.h"

#include <soci/soci.h>

#include "db/prepared.h"

namespace sy::db::results {

namespace {

constexpr const char* kPubCols =
    "id, term_id, class_id, title, visible_at, status, pages_total, pages_done, error, created_by, created_at, "
    "updated_at, withdrawn_at";

std::vector<PublicationRow> fetch_publications(Tx& t, const std::string& tail, long long arg) {
  std::vector<PublicationRow> out;
  PublicationRow r;
  long long id = 0, term = 0, cls = 0, visible = 0, by = 0, created = 0, updated = 0, withdrawn = 0;
  int total = 0, done = 0;
  soci::indicator cls_ind = soci::i_null, by_ind = soci::i_null, w_ind = soci::i_null;
  soci::statement st =
      (t.sql().prepare << std::string("SELECT ") + kPubCols + " FROM result_publications " + tail, soci::use(arg),
       soci::into(id), soci::into(term), soci::into(cls, cls_ind), soci::into(r.title), soci::into(visible),
       soci::into(r.status), soci::into(total), soci::into(done), soci::into(r.error), soci::into(by, by_ind),
       soci::into(created), soci::into(updated), soci::into(withdrawn, w_ind));
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.term_id = term;
    r.class_id = cls_ind == soci::i_ok ? cls : 0;
    r.visible_at = visible;
    r.pages_total = total;
    r.pages_done = done;
    r.created_by = by_ind == soci::i_ok ? by : 0;
    r.created_at = created;
    r.updated_at = updated;
    r.withdrawn_at = w_ind == soci::i_ok ? withdrawn : 0;
    out.push_back(r);
  }
  return out;
}

constexpr const char* kAssessmentCols =
    "a.id, a.class_id, a.subject_id, s.name, a.name, a.max_x100, a.weight_pct, a.grade_scale_id, a.show_rank, "
    "a.status";

// Bound variables of an assessment row; callers prepare the statement with into(*this) fields.
struct AssessmentVars {
  ReportAssessmentRow r;
  long long id = 0, cls = 0, subj = 0, max = 0, scale = 0;
  int weight = 0, rank = 0;
  soci::indicator scale_ind = soci::i_null;
  std::string sql(const std::string& tail) const {
    return std::string("SELECT ") + kAssessmentCols + " FROM assessments a JOIN subjects s ON s.id = a.subject_id " +
           tail;
  }
  std::vector<ReportAssessmentRow> fetch_all(soci::statement& st) {
    std::vector<ReportAssessmentRow> out;
    st.execute();
    while (st.fetch()) {
      r.id = id;
      r.class_id = cls;
      r.subject_id = subj;
      r.max_x100 = max;
      r.weight_pct = weight;
      r.grade_scale_id = scale_ind == soci::i_ok ? scale : 0;
      r.show_rank = rank != 0;
      out.push_back(r);
    }
    return out;
  }
};
#define SY_ASSESSMENT_INTO(v)                                                                             \
  soci::into(v.id), soci::into(v.cls), soci::into(v.subj), soci::into(v.r.subject), soci::into(v.r.name), \
      soci::into(v.max), soci::into(v.weight), soci::into(v.scale, v.scale_ind), soci::into(v.rank),      \
      soci::into(v.r.status)

// The one query of a result page: scope (own page or a linked guardian) and visibility in SQL, so
// the answer is "no row" for every out-of-scope case alike.
struct VisiblePageQuery {
  long long pub = 0, student = 0, viewer = 0, viewer2 = 0, now = 0, size = 0, built = 0;
  ResultPageRow row;
  soci::statement st;
  explicit VisiblePageQuery(soci::session& s)
      : st((s.prepare << "SELECT rp.body, rp.etag, rp.pdf_key, rp.pdf_size, rp.built_at FROM result_pages rp "
                         "JOIN result_publications p ON p.id = rp.publication_id "
                         "WHERE rp.publication_id = :p AND rp.student_id = :s AND p.status = 'ready' "
                         "AND p.visible_at <= :now AND (rp.student_id = :v OR EXISTS (SELECT 1 FROM "
                         "guardian_links g WHERE g.guardian_id = :v2 AND g.student_id = rp.student_id))",
            soci::use(pub), soci::use(student), soci::use(now), soci::use(viewer), soci::use(viewer2),
            soci::into(row.body), soci::into(row.etag), soci::into(row.pdf_key), soci::into(size), soci::into(built))) {
  }
};

}  // namespace

std::vector<ReportAssessmentRow> assessments_in_scope(Tx& t, std::int64_t term_id, std::int64_t class_id) {
  AssessmentVars v;
  long long term = term_id, c1 = class_id, c2 = class_id;
  soci::statement st = (t.sql().prepare << v.sql(
                            "WHERE a.term_id = :t AND (a.class_id = :c OR :c2 = 0) ORDER BY a.class_id, s.name, a.id"),
                        soci::use(term), soci::use(c1), soci::use(c2), SY_ASSESSMENT_INTO(v));
  return v.fetch_all(st);
}

std::vector<ReportAssessmentRow> assessments_of(Tx& t, std::int64_t publication_id) {
  AssessmentVars v;
  long long pub = publication_id;
  soci::statement st = (t.sql().prepare << v.sql("JOIN publication_assessments pa ON pa.assessment_id = a.id WHERE "
                                                 "pa.publication_id = :p ORDER BY a.class_id, s.name, a.id"),
                        soci::use(pub), SY_ASSESSMENT_INTO(v));
  return v.fetch_all(st);
}

std::int64_t insert_publication(Tx& t, const PublicationRow& p, const std::vector<std::int64_t>& assessment_ids) {
  long long term = p.term_id, cls = p.class_id, visible = p.visible_at, by = p.created_by, now = p.created_at;
  soci::indicator cls_ind = p.class_id ? soci::i_ok : soci::i_null, by_ind = p.created_by ? soci::i_ok : soci::i_null;
  t.sql()
      << "INSERT INTO result_publications (term_id, class_id, title, visible_at, status, pages_total, pages_done, "
         "error, created_by, created_at, updated_at) VALUES (:t, :c, :title, :v, 'building', 0, 0, '', :b, :n, :n2)",
      soci::use(term), soci::use(cls, cls_ind), soci::use(p.title), soci::use(visible), soci::use(by, by_ind),
      soci::use(now), soci::use(now);
  const std::int64_t id = t.last_insert_id();
  long long pub = id, a = 0;
  soci::statement st = (t.sql().prepare << "INSERT INTO publication_assessments (publication_id, assessment_id) "
                                           "VALUES (:p, :a)",
                        soci::use(pub), soci::use(a));
  for (auto aid : assessment_ids) {
    a = aid;
    st.execute(true);
  }
  return id;
}

std::optional<PublicationRow> publication(Tx& t, std::int64_t id) {
  auto rows = fetch_publications(t, "WHERE id = :id", id);
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::vector<PublicationRow> publications(Tx& t, int limit) {
  return fetch_publications(t, "ORDER BY id DESC LIMIT :n", limit);
}

void set_total(Tx& t, std::int64_t id, int total, std::int64_t now) {
  long long i = id, n = now;
  t.sql() << "UPDATE result_publications SET pages_total = :t, updated_at = :n WHERE id = :id", soci::use(total),
      soci::use(n), soci::use(i);
}

void set_done(Tx& t, std::int64_t id, int done, std::int64_t now) {
  long long i = id, n = now;
  t.sql() << "UPDATE result_publications SET pages_done = :d, updated_at = :n WHERE id = :id AND status = 'building'",
      soci::use(done), soci::use(n), soci::use(i);
}

bool set_ready(Tx& t, std::int64_t id, std::int64_t now) {
  long long i = id, i2 = id, n = now;
  soci::statement st =
      (t.sql().prepare << "UPDATE result_publications SET status = 'ready', updated_at = :n WHERE id = :id AND "
                          "status = 'building' AND pages_done = pages_total AND pages_total = (SELECT COUNT(*) FROM "
                          "result_pages rp WHERE rp.publication_id = :id2 AND rp.pdf_key <> '')",
       soci::use(n), soci::use(i), soci::use(i2));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

void set_failed(Tx& t, std::int64_t id, const std::string& error, std::int64_t now) {
  long long i = id, n = now;
  t.sql() << "UPDATE result_publications SET status = 'failed', error = :e, updated_at = :n WHERE id = :id AND "
             "status IN ('building','failed')",
      soci::use(error), soci::use(n), soci::use(i);
}

void set_building(Tx& t, std::int64_t id, std::int64_t now) {
  long long i = id, n = now;
  t.sql() << "UPDATE result_publications SET status = 'building', error = '', updated_at = :n WHERE id = :id AND "
             "status = 'failed'",
      soci::use(n), soci::use(i);
}

bool withdraw(Tx& t, std::int64_t id, std::int64_t by, std::int64_t now) {
  long long i = id, b = by, n = now, n2 = now;
  soci::indicator by_ind = by ? soci::i_ok : soci::i_null;
  soci::statement st =
      (t.sql().prepare << "UPDATE result_publications SET status = 'withdrawn', withdrawn_at = :n, "
                          "withdrawn_by = :b, updated_at = :n2 WHERE id = :id AND status <> 'withdrawn'",
       soci::use(n), soci::use(b, by_ind), soci::use(n2), soci::use(i));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

std::vector<ReportStudentRow> students_of(Tx& t, std::int64_t publication_id) {
  std::vector<ReportStudentRow> out;
  ReportStudentRow r;
  long long pub = publication_id, sid = 0, cid = 0;
  int year = 0;
  soci::statement st =
      (t.sql().prepare << "SELECT cs.student_id, cs.class_id, u.full_name, c.name, c.year FROM class_students cs "
                          "JOIN users u ON u.id = cs.student_id JOIN classes c ON c.id = cs.class_id "
                          "WHERE cs.class_id IN (SELECT a.class_id FROM publication_assessments pa JOIN assessments a "
                          "ON a.id = pa.assessment_id WHERE pa.publication_id = :p) ORDER BY cs.class_id, u.full_name, "
                          "cs.student_id",
       soci::use(pub), soci::into(sid), soci::into(cid), soci::into(r.full_name), soci::into(r.class_name),
       soci::into(year));
  st.execute();
  while (st.fetch()) {
    r.student_id = sid;
    r.class_id = cid;
    r.year = year;
    out.push_back(r);
  }
  return out;
}

std::vector<ReportMarkRow> marks_of(Tx& t, std::int64_t publication_id) {
  std::vector<ReportMarkRow> out;
  ReportMarkRow r;
  long long pub = publication_id, aid = 0, sid = 0, score = 0;
  soci::indicator ind = soci::i_null;
  soci::statement st =
      (t.sql().prepare << "SELECT m.assessment_id, m.student_id, m.score_x100, m.code FROM marks m WHERE "
                          "m.assessment_id IN (SELECT pa.assessment_id FROM publication_assessments pa WHERE "
                          "pa.publication_id = :p)",
       soci::use(pub), soci::into(aid), soci::into(sid), soci::into(score, ind), soci::into(r.code));
  st.execute();
  while (st.fetch()) {
    r.assessment_id = aid;
    r.student_id = sid;
    r.score_x100 = ind == soci::i_ok ? std::optional<std::int64_t>(score) : std::nullopt;
    out.push_back(r);
  }
  return out;
}

std::vector<ReportBandRow> bands(Tx& t) {
  std::vector<ReportBandRow> out;
  ReportBandRow r;
  long long scale = 0, min = 0;
  soci::statement st = (t.sql().prepare << "SELECT scale_id, min_percent_x100, label FROM grade_bands "
                                           "ORDER BY scale_id, min_percent_x100 DESC",
                        soci::into(scale), soci::into(min), soci::into(r.label));
  st.execute();
  while (st.fetch()) {
    r.scale_id = scale;
    r.min_percent_x100 = min;
    out.push_back(r);
  }
  return out;
}

std::int64_t default_scale(Tx& t) {
  long long id = 0;
  soci::indicator ind = soci::i_null;
  t.sql() << "SELECT id FROM grade_scales WHERE default_flag = 1", soci::into(id, ind);
  return ind == soci::i_ok ? id : 0;
}

std::vector<std::pair<std::int64_t, std::string>> comments(Tx& t, std::int64_t term_id, std::int64_t student_id) {
  std::vector<std::pair<std::int64_t, std::string>> out;
  long long term = term_id, sid = student_id, subj = 0;
  std::string text;
  soci::statement st = (t.sql().prepare << "SELECT subject_id, comment FROM report_comments WHERE term_id = :t AND "
                                           "student_id = :s ORDER BY subject_id",
                        soci::use(term), soci::use(sid), soci::into(subj), soci::into(text));
  st.execute();
  while (st.fetch()) out.emplace_back(subj, text);
  return out;
}

void put_page(Tx& t, const ResultPageRow& p) {
  long long pub = p.publication_id, sid = p.student_id, size = p.pdf_size, built = p.built_at;
  // A retried job writes the same page again: replace, never duplicate.
  t.sql() << "DELETE FROM result_pages WHERE publication_id = :p AND student_id = :s", soci::use(pub), soci::use(sid);
  t.sql() << "INSERT INTO result_pages (publication_id, student_id, body, etag, pdf_key, pdf_size, built_at) VALUES "
             "(:p, :s, :b, :e, :k, :z, :t)",
      soci::use(pub), soci::use(sid), soci::use(p.body), soci::use(p.etag), soci::use(p.pdf_key), soci::use(size),
      soci::use(built);
}

std::vector<ResultPageRow> pages_meta(Tx& t, std::int64_t publication_id) {
  std::vector<ResultPageRow> out;
  ResultPageRow r;
  long long pub = publication_id, sid = 0, size = 0, built = 0;
  soci::statement st =
      (t.sql().prepare << "SELECT student_id, etag, pdf_key, pdf_size, built_at FROM result_pages "
                          "WHERE publication_id = :p ORDER BY student_id",
       soci::use(pub), soci::into(sid), soci::into(r.etag), soci::into(r.pdf_key), soci::into(size), soci::into(built));
  st.execute();
  while (st.fetch()) {
    r.publication_id = publication_id;
    r.student_id = sid;
    r.pdf_size = size;
    r.built_at = built;
    out.push_back(r);
  }
  return out;
}

std::optional<ResultPageRow> visible_page(Tx& t, std::int64_t publication_id, std::int64_t student_id,
                                          std::int64_t viewer_id, std::int64_t now) {
  auto& q = t.statements().get<VisiblePageQuery>(t.sql());
  q.pub = publication_id;
  q.student = student_id;
  q.viewer = q.viewer2 = viewer_id;
  q.now = now;
  Run run(t, q.st);
  if (!run.row()) return std::nullopt;
  ResultPageRow r = q.row;
  r.publication_id = publication_id;
  r.student_id = student_id;
  r.pdf_size = q.size;
  r.built_at = q.built;
  return r;
}

std::vector<VisibleResultRow> visible_for(Tx& t, std::int64_t viewer_id, std::int64_t now) {
  std::vector<VisibleResultRow> out;
  VisibleResultRow r;
  long long v = viewer_id, v2 = viewer_id, n = now, pub = 0, sid = 0, visible = 0;
  soci::statement st =
      (t.sql().prepare << "SELECT p.id, rp.student_id, p.title, u.full_name, p.visible_at FROM result_pages rp "
                          "JOIN result_publications p ON p.id = rp.publication_id JOIN users u ON u.id = rp.student_id "
                          "WHERE p.status = 'ready' AND p.visible_at <= :n AND (rp.student_id = :v OR rp.student_id IN "
                          "(SELECT g.student_id FROM guardian_links g WHERE g.guardian_id = :v2)) "
                          "ORDER BY p.visible_at DESC, p.id DESC, u.full_name LIMIT 200",
       soci::use(n), soci::use(v), soci::use(v2), soci::into(pub), soci::into(sid), soci::into(r.title),
       soci::into(r.student_name), soci::into(visible));
  st.execute();
  while (st.fetch()) {
    r.publication_id = pub;
    r.student_id = sid;
    r.visible_at = visible;
    out.push_back(r);
  }
  return out;
}

}  // namespace sy::db::results

namespace sy::db::results_testing {

std::int64_t insert_assessment(Tx& t, std::int64_t term_id, std::int64_t class_id, std::int64_t subject_id,
                               const std::string& name, std::int64_t max_x100, int weight_pct, bool show_rank,
                               bool final) {
  long long term = term_id, cls = class_id, subj = subject_id, max = max_x100, now = 1000;
  int rank = show_rank ? 1 : 0;
  std::string status = final ? "final" : "open";
  t.sql() << "INSERT INTO assessments (term_id, class_id, subject_id, name, max_x100, weight_pct, show_rank, status, "
             "created_at, updated_at) VALUES (:t, :c, :s, :n, :m, :w, :r, :st, :a, :u)",
      soci::use(term), soci::use(cls), soci::use(subj), soci::use(name), soci::use(max), soci::use(weight_pct),
      soci::use(rank), soci::use(status), soci::use(now), soci::use(now);
  return t.last_insert_id();
}

void insert_mark(Tx& t, std::int64_t assessment_id, std::int64_t student_id, std::optional<std::int64_t> score_x100,
                 const std::string& code) {
  long long a = assessment_id, s = student_id, score = score_x100.value_or(0), now = 1000;
  soci::indicator ind = score_x100 ? soci::i_ok : soci::i_null;
  t.sql() << "INSERT INTO marks (assessment_id, student_id, score_x100, code, updated_at) VALUES (:a, :s, :x, :c, :u)",
      soci::use(a), soci::use(s), soci::use(score, ind), soci::use(code), soci::use(now);
}

void insert_comment(Tx& t, std::int64_t term_id, std::int64_t student_id, std::int64_t subject_id,
                    const std::string& comment) {
  long long term = term_id, s = student_id, subj = subject_id, now = 1000;
  t.sql() << "INSERT INTO report_comments (term_id, student_id, subject_id, comment, updated_at) VALUES "
             "(:t, :s, :j, :c, :u)",
      soci::use(term), soci::use(s), soci::use(subj), soci::use(comment), soci::use(now);
}

void set_status(Tx& t, std::int64_t publication_id, const std::string& status) {
  long long id = publication_id;
  t.sql() << "UPDATE result_publications SET status = :s, withdrawn_at = NULL, withdrawn_by = NULL WHERE id = :id",
      soci::use(status), soci::use(id);
}

}  // namespace sy::db::results_testing
