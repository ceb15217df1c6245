#include "db/marks_repo.h"

#include <soci/soci.h>

namespace sy::db {

namespace {

std::vector<GradeBandRow> bands_of(Tx& t, long long scale_id) {
  std::vector<GradeBandRow> out;
  GradeBandRow b;
  int min = 0;
  soci::statement st = (t.sql().prepare << "SELECT min_percent_x100, label, descriptor FROM grade_bands "
                                           "WHERE scale_id = :s ORDER BY min_percent_x100 DESC",
                        soci::use(scale_id), soci::into(min), soci::into(b.label), soci::into(b.descriptor));
  st.execute();
  while (st.fetch()) {
    b.min_percent_x100 = min;
    out.push_back(b);
  }
  return out;
}

std::vector<GradeScaleRow> fetch_scales(Tx& t, const std::string& where, long long arg) {
  std::vector<GradeScaleRow> out;
  GradeScaleRow r;
  long long id = 0, created = 0;
  int def = 0;
  soci::indicator def_ind = soci::i_null;
  soci::statement st =
      (t.sql().prepare << "SELECT id, name, default_flag, created_at FROM grade_scales " + where +
                              " ORDER BY default_flag DESC, name",
       soci::use(arg), soci::into(id), soci::into(r.name), soci::into(def, def_ind), soci::into(created));
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.is_default = def_ind == soci::i_ok && def == 1;
    r.created_at = created;
    out.push_back(r);
  }
  for (auto& s : out) s.bands = bands_of(t, s.id);
  return out;
}

const char* kAssessmentSelect =
    "SELECT a.id, a.term_id, a.class_id, a.subject_id, a.name, a.held_on, a.max_x100, a.weight_pct, "
    "a.grade_scale_id, a.show_rank, a.status, a.finalised_at, a.created_at, a.updated_at, tm.name, c.name, s.name "
    "FROM assessments a JOIN terms tm ON tm.id = a.term_id JOIN classes c ON c.id = a.class_id "
    "JOIN subjects s ON s.id = a.subject_id ";

std::vector<AssessmentRow> fetch_assessments(Tx& t, const std::string& where, const std::vector<long long>& args) {
  std::vector<AssessmentRow> out;
  AssessmentRow r;
  long long id = 0, term = 0, cls = 0, subj = 0, max = 0, scale = 0, fin = 0, created = 0, updated = 0;
  int weight = 0, rank = 0;
  soci::indicator scale_ind = soci::i_null, fin_ind = soci::i_null;
  auto prep = (t.sql().prepare << std::string(kAssessmentSelect) + where);
  // Bound in order; the WHERE text names them :a0, :a1, …
  std::vector<long long> bound(args);
  for (auto& a : bound) prep, soci::use(a);
  prep, soci::into(id), soci::into(term), soci::into(cls), soci::into(subj), soci::into(r.name), soci::into(r.held_on),
      soci::into(max), soci::into(weight), soci::into(scale, scale_ind), soci::into(rank), soci::into(r.status),
      soci::into(fin, fin_ind), soci::into(created), soci::into(updated), soci::into(r.term_name),
      soci::into(r.class_name), soci::into(r.subject_name);
  soci::statement st(prep);
  st.execute();
  while (st.fetch()) {
    r.id = id;
    r.term_id = term;
    r.class_id = cls;
    r.subject_id = subj;
    r.max_x100 = max;
    r.weight_pct = weight;
    r.grade_scale_id = scale_ind == soci::i_ok ? scale : 0;
    r.show_rank = rank != 0;
    r.finalised_at = fin_ind == soci::i_ok ? fin : 0;
    r.created_at = created;
    r.updated_at = updated;
    out.push_back(r);
  }
  return out;
}

}  // namespace

namespace grade_scales {

std::vector<GradeScaleRow> list(Tx& t) { return fetch_scales(t, "WHERE id > :x", 0); }

std::optional<GradeScaleRow> by_id(Tx& t, std::int64_t id) {
  auto v = fetch_scales(t, "WHERE id = :x", id);
  if (v.empty()) return std::nullopt;
  return v[0];
}

std::optional<GradeScaleRow> default_scale(Tx& t) {
  auto v = fetch_scales(t, "WHERE default_flag = :x", 1);
  if (v.empty()) return std::nullopt;
  return v[0];
}

std::optional<std::int64_t> id_by_name(Tx& t, const std::string& name) {
  long long id = 0;
  soci::indicator ind = soci::i_null;
  t.sql() << "SELECT id FROM grade_scales WHERE LOWER(name) = LOWER(:n)", soci::use(name), soci::into(id, ind);
  if (ind != soci::i_ok) return std::nullopt;
  return id;
}

std::int64_t insert(Tx& t, const std::string& name, std::int64_t now) {
  long long n = now;
  t.sql() << "INSERT INTO grade_scales (name, default_flag, created_at) VALUES (:n, NULL, :c)", soci::use(name),
      soci::use(n);
  return t.last_insert_id();
}

void rename(Tx& t, std::int64_t id, const std::string& name) {
  long long i = id;
  t.sql() << "UPDATE grade_scales SET name = :n WHERE id = :i", soci::use(name), soci::use(i);
}

void make_default(Tx& t, std::int64_t id) {
  long long i = id;
  // Clear first: the UNIQUE default_flag would refuse a second 1 for a moment.
  t.sql() << "UPDATE grade_scales SET default_flag = NULL WHERE id <> :i", soci::use(i);
  t.sql() << "UPDATE grade_scales SET default_flag = 1 WHERE id = :i", soci::use(i);
}

void replace_bands(Tx& t, std::int64_t id, const std::vector<GradeBandRow>& bands) {
  long long i = id;
  t.sql() << "DELETE FROM grade_bands WHERE scale_id = :i", soci::use(i);
  for (const auto& b : bands) {
    int min = b.min_percent_x100;
    t.sql() << "INSERT INTO grade_bands (scale_id, min_percent_x100, label, descriptor) VALUES (:s, :m, :l, :d)",
        soci::use(i), soci::use(min), soci::use(b.label), soci::use(b.descriptor);
  }
}

}  // namespace grade_scales

namespace assessments {

std::vector<AssessmentRow> list(Tx& t, const Filter& f) {
  std::string where = "WHERE 1 = 1";
  std::vector<long long> args;
  auto add = [&](const std::string& cond, std::int64_t v) {
    where += " AND " + cond + " :a" + std::to_string(args.size());
    args.push_back(v);
  };
  if (f.class_id) add("a.class_id =", f.class_id);
  if (f.term_id) add("a.term_id =", f.term_id);
  if (f.subject_id) add("a.subject_id =", f.subject_id);
  if (f.teacher_id) {
    where +=
        " AND EXISTS (SELECT 1 FROM class_teachers ct WHERE ct.class_id = a.class_id AND ct.subject_id = "
        "a.subject_id AND ct.teacher_id = :a" +
        std::to_string(args.size()) + ")";
    args.push_back(f.teacher_id);
  }
  return fetch_assessments(t, where + " ORDER BY tm.start_date DESC, c.name, s.name, a.held_on, a.name", args);
}

std::optional<AssessmentRow> by_id(Tx& t, std::int64_t id) {
  auto v = fetch_assessments(t, "WHERE a.id = :a0", {id});
  if (v.empty()) return std::nullopt;
  return v[0];
}

bool name_taken(Tx& t, const AssessmentRow& a) {
  long long term = a.term_id, cls = a.class_id, subj = a.subject_id, id = a.id, n = 0;
  t.sql() << "SELECT COUNT(*) FROM assessments WHERE term_id = :t AND class_id = :c AND subject_id = :s "
             "AND LOWER(name) = LOWER(:n) AND id <> :i",
      soci::use(term), soci::use(cls), soci::use(subj), soci::use(a.name), soci::use(id), soci::into(n);
  return n > 0;
}

std::int64_t insert(Tx& t, const AssessmentRow& a, std::int64_t created_by, std::int64_t now) {
  long long term = a.term_id, cls = a.class_id, subj = a.subject_id, max = a.max_x100, scale = a.grade_scale_id,
            by = created_by, n = now;
  int weight = a.weight_pct, rank = a.show_rank ? 1 : 0;
  soci::indicator scale_ind = a.grade_scale_id ? soci::i_ok : soci::i_null;
  soci::indicator by_ind = created_by ? soci::i_ok : soci::i_null;
  t.sql() << "INSERT INTO assessments (term_id, class_id, subject_id, name, held_on, max_x100, weight_pct, "
             "grade_scale_id, show_rank, status, created_by, created_at, updated_at) "
             "VALUES (:t, :c, :s, :n, :h, :m, :w, :g, :r, 'open', :b, :ca, :ua)",
      soci::use(term), soci::use(cls), soci::use(subj), soci::use(a.name), soci::use(a.held_on), soci::use(max),
      soci::use(weight), soci::use(scale, scale_ind), soci::use(rank), soci::use(by, by_ind), soci::use(n),
      soci::use(n);
  return t.last_insert_id();
}

void update(Tx& t, const AssessmentRow& a, std::int64_t now) {
  long long id = a.id, max = a.max_x100, scale = a.grade_scale_id, n = now;
  int weight = a.weight_pct, rank = a.show_rank ? 1 : 0;
  soci::indicator scale_ind = a.grade_scale_id ? soci::i_ok : soci::i_null;
  t.sql() << "UPDATE assessments SET name = :n, held_on = :h, max_x100 = :m, weight_pct = :w, grade_scale_id = :g, "
             "show_rank = :r, updated_at = :u WHERE id = :i",
      soci::use(a.name), soci::use(a.held_on), soci::use(max), soci::use(weight), soci::use(scale, scale_ind),
      soci::use(rank), soci::use(n), soci::use(id);
}

void set_status(Tx& t, std::int64_t id, const std::string& status, std::int64_t by, std::int64_t now) {
  long long i = id, b = by, n = now;
  bool final = status == "final";
  soci::indicator fin_ind = final ? soci::i_ok : soci::i_null;
  soci::indicator by_ind = final && by ? soci::i_ok : soci::i_null;
  t.sql() << "UPDATE assessments SET status = :s, finalised_at = :f, finalised_by = :b, updated_at = :u WHERE id = :i",
      soci::use(status), soci::use(n, fin_ind), soci::use(b, by_ind), soci::use(n), soci::use(i);
}

bool in_live_publication(Tx& t, std::int64_t id) {
  long long i = id, n = 0;
  t.sql() << "SELECT COUNT(*) FROM publication_assessments pa JOIN result_publications p ON p.id = pa.publication_id "
             "WHERE pa.assessment_id = :i AND p.status <> 'withdrawn'",
      soci::use(i), soci::into(n);
  return n > 0;
}

bool teaches(Tx& t, std::int64_t teacher_id, std::int64_t class_id, std::int64_t subject_id) {
  long long te = teacher_id, c = class_id, s = subject_id, n = 0;
  if (subject_id == 0)
    t.sql() << "SELECT COUNT(*) FROM class_teachers WHERE teacher_id = :t AND class_id = :c AND subject_id IS NULL",
        soci::use(te), soci::use(c), soci::into(n);
  else
    t.sql() << "SELECT COUNT(*) FROM class_teachers WHERE teacher_id = :t AND class_id = :c AND subject_id = :s",
        soci::use(te), soci::use(c), soci::use(s), soci::into(n);
  return n > 0;
}

std::int64_t highest_score(Tx& t, std::int64_t id) {
  long long i = id, m = 0;
  soci::indicator ind = soci::i_null;
  t.sql() << "SELECT MAX(score_x100) FROM marks WHERE assessment_id = :i", soci::use(i), soci::into(m, ind);
  return ind == soci::i_ok ? m : 0;
}

}  // namespace assessments

namespace marks {

std::vector<StudentMarkRow> grid(Tx& t, std::int64_t assessment_id, std::int64_t class_id) {
  std::vector<StudentMarkRow> out;
  StudentMarkRow r;
  long long a = assessment_id, c = class_id, sid = 0, score = 0, has = 0;
  std::string adm, code;
  soci::indicator adm_ind = soci::i_null, score_ind = soci::i_null, code_ind = soci::i_null;
  soci::statement st =
      (t.sql().prepare << "SELECT u.id, u.username, u.full_name, u.admission_no, m.score_x100, m.code, "
                          "CASE WHEN m.student_id IS NULL THEN 0 ELSE 1 END "
                          "FROM class_students cs JOIN users u ON u.id = cs.student_id "
                          "LEFT JOIN marks m ON m.assessment_id = :a AND m.student_id = u.id "
                          "WHERE cs.class_id = :c ORDER BY u.full_name, u.id",
       soci::use(a), soci::use(c), soci::into(sid), soci::into(r.username), soci::into(r.full_name),
       soci::into(adm, adm_ind), soci::into(score, score_ind), soci::into(code, code_ind), soci::into(has));
  st.execute();
  while (st.fetch()) {
    r.student_id = sid;
    r.admission_no = adm_ind == soci::i_ok ? adm : "";
    r.has_mark = has != 0;
    r.score_x100 = score_ind == soci::i_ok ? score : 0;
    r.code = code_ind == soci::i_ok ? code : "";
    out.push_back(r);
  }
  return out;
}

void upsert(Tx& t, std::int64_t assessment_id, std::int64_t student_id, std::optional<std::int64_t> score_x100,
            const std::string& code, std::int64_t entered_by, std::int64_t now) {
  // Delete + insert inside the caller's transaction: the same statements on both dialects, and
  // no affected-rows ambiguity of MySQL's ON DUPLICATE KEY for an unchanged row.
  remove(t, assessment_id, student_id);
  long long a = assessment_id, s = student_id, sc = score_x100.value_or(0), by = entered_by, n = now;
  soci::indicator sc_ind = score_x100 ? soci::i_ok : soci::i_null;
  soci::indicator by_ind = entered_by ? soci::i_ok : soci::i_null;
  t.sql() << "INSERT INTO marks (assessment_id, student_id, score_x100, code, entered_by, updated_at) "
             "VALUES (:a, :s, :sc, :c, :b, :n)",
      soci::use(a), soci::use(s), soci::use(sc, sc_ind), soci::use(code), soci::use(by, by_ind), soci::use(n);
}

void remove(Tx& t, std::int64_t assessment_id, std::int64_t student_id) {
  long long a = assessment_id, s = student_id;
  t.sql() << "DELETE FROM marks WHERE assessment_id = :a AND student_id = :s", soci::use(a), soci::use(s);
}

}  // namespace marks

namespace report_comments {

std::vector<CommentRow> for_class(Tx& t, std::int64_t term_id, std::int64_t class_id, std::int64_t subject_id) {
  std::vector<CommentRow> out;
  CommentRow r;
  long long term = term_id, cls = class_id, subj = subject_id, sid = 0, author = 0, updated = 0;
  soci::indicator author_ind = soci::i_null;
  soci::statement st = (t.sql().prepare << "SELECT rc.student_id, rc.comment, rc.author_id, rc.updated_at "
                                           "FROM report_comments rc JOIN class_students cs ON cs.student_id = "
                                           "rc.student_id AND cs.class_id = :c "
                                           "WHERE rc.term_id = :t AND rc.subject_id = :s ORDER BY rc.student_id",
                        soci::use(cls), soci::use(term), soci::use(subj), soci::into(sid), soci::into(r.comment),
                        soci::into(author, author_ind), soci::into(updated));
  st.execute();
  while (st.fetch()) {
    r.term_id = term_id;
    r.subject_id = subject_id;
    r.student_id = sid;
    r.author_id = author_ind == soci::i_ok ? author : 0;
    r.updated_at = updated;
    out.push_back(r);
  }
  return out;
}

std::optional<CommentRow> get(Tx& t, std::int64_t term_id, std::int64_t student_id, std::int64_t subject_id) {
  CommentRow r;
  long long term = term_id, sid = student_id, subj = subject_id, author = 0, updated = 0;
  soci::indicator author_ind = soci::i_null, c_ind = soci::i_null;
  t.sql() << "SELECT comment, author_id, updated_at FROM report_comments WHERE term_id = :t AND student_id = :s "
             "AND subject_id = :j",
      soci::use(term), soci::use(sid), soci::use(subj), soci::into(r.comment, c_ind), soci::into(author, author_ind),
      soci::into(updated);
  if (c_ind != soci::i_ok) return std::nullopt;
  r.term_id = term_id;
  r.student_id = student_id;
  r.subject_id = subject_id;
  r.author_id = author_ind == soci::i_ok ? author : 0;
  r.updated_at = updated;
  return r;
}

void upsert(Tx& t, const CommentRow& c) {
  remove(t, c.term_id, c.student_id, c.subject_id);
  long long term = c.term_id, sid = c.student_id, subj = c.subject_id, author = c.author_id, n = c.updated_at;
  soci::indicator author_ind = c.author_id ? soci::i_ok : soci::i_null;
  t.sql() << "INSERT INTO report_comments (term_id, student_id, subject_id, comment, author_id, updated_at) "
             "VALUES (:t, :s, :j, :c, :a, :n)",
      soci::use(term), soci::use(sid), soci::use(subj), soci::use(c.comment), soci::use(author, author_ind),
      soci::use(n);
}

void remove(Tx& t, std::int64_t term_id, std::int64_t student_id, std::int64_t subject_id) {
  long long term = term_id, sid = student_id, subj = subject_id;
  t.sql() << "DELETE FROM report_comments WHERE term_id = :t AND student_id = :s AND subject_id = :j", soci::use(term),
      soci::use(sid), soci::use(subj);
}

}  // namespace report_comments

namespace marks_testing {

std::int64_t insert_publication(Tx& t, std::int64_t term_id, std::int64_t assessment_id, const std::string& status) {
  long long term = term_id, a = assessment_id;
  t.sql() << "INSERT INTO result_publications (term_id, class_id, title, visible_at, status, created_at, updated_at) "
             "VALUES (:t, NULL, 'test', 0, :s, 0, 0)",
      soci::use(term), soci::use(status);
  long long id = t.last_insert_id();
  t.sql() << "INSERT INTO publication_assessments (publication_id, assessment_id) VALUES (:p, :a)", soci::use(id),
      soci::use(a);
  return id;
}

void set_publication_status(Tx& t, std::int64_t publication_id, const std::string& status) {
  long long id = publication_id;
  t.sql() << "UPDATE result_publications SET status = :s WHERE id = :i", soci::use(status), soci::use(id);
}

}  // namespace marks_testing

}  // namespace sy::db
