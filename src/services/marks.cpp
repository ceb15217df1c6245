#include "services/marks.h"

#include <map>
#include <set>

#include "core/clock.h"
#include "core/error.h"
#include "core/text.h"
#include "db/accounts_repo.h"
#include "db/people_repo.h"
#include "db/school_repo.h"
#include "db/subjects_repo.h"
#include "db/years_repo.h"
#include "services/audit.h"
#include "services/permissions.h"
#include "services/years.h"

namespace sy::services {

namespace {

bool is_admin(const Actor& a) { return can(a, "classes.manage"); }

[[noreturn]] void no_assessment() { fail(ErrorKind::not_found, "no_such_assessment", "no such assessment"); }

// Students and guardians never learn that marks exist here; a teacher of another class or
// subject gets the same answer as for an id that does not exist (no probing across classes).
void staff_or_404(const Actor& a) {
  if (a.role == Role::anonymous) unauthorized();
  if (!is_admin(a) && a.role != Role::teacher) no_assessment();
}

bool may_enter(db::Tx& t, const Actor& a, std::int64_t class_id, std::int64_t subject_id) {
  return is_admin(a) || (a.role == Role::teacher && db::assessments::teaches(t, a.id, class_id, subject_id));
}

db::AssessmentRow assessment_for(db::Tx& t, const Actor& a, std::int64_t id) {
  staff_or_404(a);
  auto row = db::assessments::by_id(t, id);
  if (!row || !may_enter(t, a, row->class_id, row->subject_id)) no_assessment();
  return *row;
}

void require_open(const db::AssessmentRow& a) {
  if (a.status == "final")
    fail(ErrorKind::conflict, "assessment_final",
         "the assessment is final: its marks are locked until an admin reopens it");
}

db::GradeScaleRow scale_of(db::Tx& t, const db::AssessmentRow& a) {
  auto s = a.grade_scale_id ? db::grade_scales::by_id(t, a.grade_scale_id) : db::grade_scales::default_scale(t);
  if (!s) fail(ErrorKind::internal, "no_grade_scale", "the school has no default grade scale");
  return *s;
}

std::vector<grading::Band> bands_of(const db::GradeScaleRow& s) {
  std::vector<grading::Band> out;
  for (const auto& b : s.bands) out.push_back({b.min_percent_x100, b.label, b.descriptor});
  return out;
}

std::string scale_name(const std::string& in) {
  std::string n = text::trim_copy(in);
  if (n.empty() || !text::valid_utf8(n) || text::utf8_length(n) > 100)
    fail(ErrorKind::invalid, "invalid_scale", "a grade scale's name has 1 to 100 characters");
  return n;
}

std::string assessment_name(const std::string& in) {
  std::string n = text::trim_copy(in);
  if (n.empty() || !text::valid_utf8(n) || text::utf8_length(n) > 100)
    fail(ErrorKind::invalid, "invalid_assessment", "an assessment's name has 1 to 100 characters");
  for (unsigned char c : n)
    if (c < 0x20 || c == 0x7f) fail(ErrorKind::invalid, "invalid_assessment", "the name has control characters");
  return n;
}

// Checks what does not need the database; the caller checks the references.
void check_fields(const AssessmentInput& in) {
  if (!in.held_on.empty()) validate_date(in.held_on, "held_on");
  if (in.max_x100 <= 0 || in.max_x100 > 100'000'000)
    fail(ErrorKind::invalid, "invalid_max", "the maximum is above 0 and at most 1000000");
  if (in.weight_pct < 0 || in.weight_pct > 1000)
    fail(ErrorKind::invalid, "invalid_weight", "the weight is from 0 to 1000 (100 = counts once)");
}

void check_scale_ref(db::Tx& t, std::int64_t id) {
  if (id && !db::grade_scales::by_id(t, id)) fail(ErrorKind::invalid, "no_such_scale", "no such grade scale");
}

std::string mark_text(const db::StudentMarkRow& m) {
  if (!m.has_mark) return "";
  if (m.code == "absent") return "abs";
  if (m.code == "exempt") return "ex";
  return grading::format_x100(m.score_x100);
}

MarkSheet build_sheet(db::Tx& t, const Actor& a, const db::AssessmentRow& row) {
  MarkSheet s;
  s.assessment = row;
  s.scale = scale_of(t, row);
  s.can_finalise = is_admin(a);
  auto bands = bands_of(s.scale);
  std::map<std::int64_t, std::string> comments;
  for (auto& c : db::report_comments::for_class(t, row.term_id, row.class_id, row.subject_id))
    comments[c.student_id] = c.comment;
  std::vector<std::optional<int>> pcts;
  for (auto& m : db::marks::grid(t, row.id, row.class_id)) {
    MarkLine l;
    l.mark = m;
    l.text = mark_text(m);
    if (m.has_mark && m.code.empty()) {
      l.percent_x100 = grading::percent_x100(m.score_x100, row.max_x100);
      if (auto b = grading::band_for(bands, l.percent_x100)) l.grade = b->label;
    }
    if (auto it = comments.find(m.student_id); it != comments.end()) l.comment = it->second;
    pcts.push_back(l.percent_x100 >= 0 ? std::optional<int>(l.percent_x100) : std::nullopt);
    s.lines.push_back(std::move(l));
  }
  if (row.show_rank) {
    auto ranks = grading::competition_ranks(pcts);
    for (std::size_t i = 0; i < ranks.size(); ++i) s.lines[i].rank = ranks[i];
  }
  return s;
}

// One mark's row for the import: the student by admission number or username, enrolled in the
// assessment's class; the outcome compared with what is stored.
void import_row(ImportSession& s, const db::AssessmentRow& a, const ImportRow& row, RowReport& rep,
                std::set<std::int64_t>& seen) {
  const auto& adm = row.get("admission_no");
  const auto& user = row.get("username");
  rep.key = adm.empty() ? user : adm;
  std::optional<std::int64_t> sid;
  if (!adm.empty()) {
    auto p = db::people::by_admission_no(s.tx, adm);
    if (!p) fail(ErrorKind::invalid, "no_such_student", "no student has admission number '" + adm + "'");
    sid = p->id;
  } else if (!user.empty()) {
    auto u = db::users::by_username(s.tx, user);
    if (!u || u->role != Role::student) fail(ErrorKind::invalid, "no_such_student", "no student '" + user + "'");
    sid = u->id;
  } else {
    fail(ErrorKind::invalid, "no_student", "the row names no student (admission_no or username)");
  }
  if (!db::classes::is_enrolled(s.tx, a.class_id, *sid))
    fail(ErrorKind::invalid, "not_enrolled", "the student is not in class " + a.class_name);
  if (!seen.insert(*sid).second) fail(ErrorKind::invalid, "duplicate_student", "the student appears twice");
  auto mark = grading::parse_mark(row.get("mark"), a.max_x100);
  std::optional<db::StudentMarkRow> old;
  for (auto& m : db::marks::grid(s.tx, a.id, a.class_id))
    if (m.student_id == *sid && m.has_mark) old = m;
  std::string code(grading::code_text(mark.kind));
  if (mark.kind == grading::MarkKind::none) {
    if (!old) {
      rep.message = "no mark";
      return;
    }
    db::marks::remove(s.tx, a.id, *sid);
    rep.outcome = "updated";
    rep.message = "mark removed";
    return;
  }
  std::string shown = code.empty() ? grading::format_x100(mark.score_x100) : code;
  if (old && old->code == code && (!code.empty() || old->score_x100 == mark.score_x100)) {
    rep.message = shown;
    return;
  }
  std::optional<std::int64_t> score;
  if (mark.kind == grading::MarkKind::score) score = mark.score_x100;
  db::marks::upsert(s.tx, a.id, *sid, score, code, s.actor.id, s.now);
  rep.outcome = old ? "updated" : "created";
  rep.message = old ? mark_text(*old) + " → " + shown : shown;
}

Importer marks_importer_for(std::int64_t fixed_assessment) {
  Importer imp;
  imp.kind = "marks";
  imp.title = "Marks of an assessment";
  if (!fixed_assessment) imp.columns.push_back({"assessment_id", "the assessment's id (shown on its marks page)"});
  imp.columns.push_back({"admission_no", "the student's admission number (or username)"});
  imp.columns.push_back({"username", "the student's username (when there is no admission number)"});
  imp.columns.push_back(
      {"mark", "a number up to the maximum (2 decimals), a/abs (absent), x/ex (exempt), or empty to remove"});
  imp.required = {"mark"};
  if (!fixed_assessment) imp.required.push_back("assessment_id");
  imp.any_of = {"admission_no", "username"};
  // The school-wide kind (CLI, /api/v1/import/marks) is the office's; a teacher imports into one
  // assessment of theirs (the bound importer, checked per assessment).
  if (!fixed_assessment) imp.actions = {"classes.manage"};
  imp.run = [fixed_assessment](ImportSession& s, const std::vector<ImportRow>& rows) {
    std::map<std::int64_t, std::set<std::int64_t>> seen;
    std::set<std::int64_t> audited;
    s.each(rows, [&](const ImportRow& row, RowReport& rep) {
      std::int64_t id = fixed_assessment;
      if (!id) {
        const auto& cell = row.get("assessment_id");
        try {
          id = std::stoll(cell);
        } catch (const std::exception&) {
          fail(ErrorKind::invalid, "invalid_assessment", "assessment_id '" + cell + "' is not a number");
        }
      }
      auto a = assessment_for(s.tx, s.actor, id);
      require_open(a);
      import_row(s, a, row, rep, seen[id]);
      if (!s.planning && audited.insert(id).second)
        s.audit("marks.import", "assessment", std::to_string(id), "class_id=" + std::to_string(a.class_id));
    });
  };
  return imp;
}

}  // namespace

// ---- grade scales

std::vector<db::GradeScaleRow> list_scales(App& app, const Actor& actor) {
  staff_or_404(actor);
  return app.db->read_result<std::vector<db::GradeScaleRow>>([&](db::Tx& t) { return db::grade_scales::list(t); });
}

namespace {
std::vector<db::GradeBandRow> band_rows(const std::vector<grading::Band>& in) {
  std::vector<db::GradeBandRow> out;
  for (const auto& b : grading::validate_bands(in)) out.push_back({b.min_percent_x100, b.label, b.descriptor});
  return out;
}
}  // namespace

db::GradeScaleRow create_scale(App& app, const Actor& actor, const ScaleInput& in) {
  require(actor, "classes.manage");
  std::string name = scale_name(in.name);
  auto bands = band_rows(in.bands);
  return app.db->tx_result<db::GradeScaleRow>([&](db::Tx& t) {
    if (db::grade_scales::id_by_name(t, name)) fail(ErrorKind::conflict, "scale_exists", "a grade scale has that name");
    auto id = db::grade_scales::insert(t, name, now_unix());
    db::grade_scales::replace_bands(t, id, bands);
    if (in.make_default) db::grade_scales::make_default(t, id);
    audit(t, actor, "grade_scale.create", "grade_scale", std::to_string(id), "name=" + name);
    return *db::grade_scales::by_id(t, id);
  });
}

db::GradeScaleRow update_scale(App& app, const Actor& actor, std::int64_t id, const ScaleInput& in) {
  require(actor, "classes.manage");
  std::string name = scale_name(in.name);
  auto bands = band_rows(in.bands);
  return app.db->tx_result<db::GradeScaleRow>([&](db::Tx& t) {
    auto old = db::grade_scales::by_id(t, id);
    if (!old) fail(ErrorKind::not_found, "no_such_scale", "no such grade scale");
    if (auto other = db::grade_scales::id_by_name(t, name); other && *other != id)
      fail(ErrorKind::conflict, "scale_exists", "another grade scale has that name");
    if (old->is_default && !in.make_default)
      fail(ErrorKind::conflict, "default_needed", "this is the default scale: make another scale the default instead");
    db::grade_scales::rename(t, id, name);
    db::grade_scales::replace_bands(t, id, bands);
    if (in.make_default && !old->is_default) db::grade_scales::make_default(t, id);
    audit(t, actor, "grade_scale.update", "grade_scale", std::to_string(id), "name=" + name);
    return *db::grade_scales::by_id(t, id);
  });
}

// ---- assessments

std::vector<db::AssessmentRow> list_assessments(App& app, const Actor& actor, db::assessments::Filter f) {
  staff_or_404(actor);
  f.teacher_id = is_admin(actor) ? 0 : actor.id;
  return app.db->read_result<std::vector<db::AssessmentRow>>([&](db::Tx& t) { return db::assessments::list(t, f); });
}

db::AssessmentRow create_assessment(App& app, const Actor& actor, const AssessmentInput& in) {
  staff_or_404(actor);
  check_fields(in);
  db::AssessmentRow row;
  row.name = assessment_name(in.name);
  row.term_id = in.term_id;
  row.class_id = in.class_id;
  row.subject_id = in.subject_id;
  row.held_on = in.held_on;
  row.max_x100 = in.max_x100;
  row.weight_pct = in.weight_pct;
  row.grade_scale_id = in.grade_scale_id;
  row.show_rank = in.show_rank;
  return app.db->tx_result<db::AssessmentRow>([&](db::Tx& t) {
    // A teacher learns nothing about classes or subjects they do not teach: one 404 for all.
    if (!may_enter(t, actor, in.class_id, in.subject_id))
      fail(ErrorKind::not_found, "no_such_class_subject", "you do not teach that subject in that class");
    auto term = db::terms::by_id(t, in.term_id);
    if (!term) fail(ErrorKind::not_found, "no_such_term", "no such term");
    auto cls = db::classes::by_id(t, in.class_id);
    if (!cls) fail(ErrorKind::not_found, "no_such_class", "no such class");
    if (!db::subjects::by_id(t, in.subject_id)) fail(ErrorKind::not_found, "no_such_subject", "no such subject");
    if (cls->academic_year_id && cls->academic_year_id != term->academic_year_id)
      fail(ErrorKind::invalid, "term_not_in_year", "the term is not in the class's school year");
    check_scale_ref(t, in.grade_scale_id);
    if (db::assessments::name_taken(t, row))
      fail(ErrorKind::conflict, "assessment_exists", "the class already has an assessment of that name this term");
    auto now = now_unix();
    auto id = db::assessments::insert(t, row, actor.id, now);
    audit(t, actor, "assessment.create", "assessment", std::to_string(id),
          "class_id=" + std::to_string(in.class_id) + " subject_id=" + std::to_string(in.subject_id) +
              " name=" + row.name);
    return *db::assessments::by_id(t, id);
  });
}

db::AssessmentRow update_assessment(App& app, const Actor& actor, std::int64_t id, const AssessmentInput& in) {
  check_fields(in);
  std::string name = assessment_name(in.name);
  return app.db->tx_result<db::AssessmentRow>([&](db::Tx& t) {
    auto row = assessment_for(t, actor, id);
    require_open(row);
    check_scale_ref(t, in.grade_scale_id);
    if (in.max_x100 < db::assessments::highest_score(t, id))
      fail(ErrorKind::invalid, "max_below_marks", "a mark already given is above that maximum");
    row.name = name;
    row.held_on = in.held_on;
    row.max_x100 = in.max_x100;
    row.weight_pct = in.weight_pct;
    row.grade_scale_id = in.grade_scale_id;
    row.show_rank = in.show_rank;
    if (db::assessments::name_taken(t, row))
      fail(ErrorKind::conflict, "assessment_exists", "the class already has an assessment of that name this term");
    db::assessments::update(t, row, now_unix());
    audit(t, actor, "assessment.update", "assessment", std::to_string(id), "name=" + name);
    return *db::assessments::by_id(t, id);
  });
}

MarkSheet mark_sheet(App& app, const Actor& actor, std::int64_t id) {
  return app.db->read_result<MarkSheet>([&](db::Tx& t) { return build_sheet(t, actor, assessment_for(t, actor, id)); });
}

db::AssessmentRow finalise_assessment(App& app, const Actor& actor, std::int64_t id) {
  return app.db->tx_result<db::AssessmentRow>([&](db::Tx& t) {
    auto row = assessment_for(t, actor, id);
    if (!is_admin(actor)) deny(actor, "assessment.finalise", "assessment " + std::to_string(id));
    if (row.status == "final") return row;
    db::assessments::set_status(t, id, "final", actor.id, now_unix());
    audit(t, actor, "assessment.finalise", "assessment", std::to_string(id), "name=" + row.name);
    return *db::assessments::by_id(t, id);
  });
}

db::AssessmentRow reopen_assessment(App& app, const Actor& actor, std::int64_t id) {
  return app.db->tx_result<db::AssessmentRow>([&](db::Tx& t) {
    auto row = assessment_for(t, actor, id);
    if (!is_admin(actor)) deny(actor, "assessment.reopen", "assessment " + std::to_string(id));
    if (row.status != "final") return row;
    if (db::assessments::in_live_publication(t, id))
      fail(ErrorKind::conflict, "assessment_published",
           "the assessment is in a publication; withdraw the publication before reopening it");
    db::assessments::set_status(t, id, "open", 0, now_unix());
    audit(t, actor, "assessment.reopen", "assessment", std::to_string(id), "name=" + row.name);
    return *db::assessments::by_id(t, id);
  });
}

// ---- marks

MarkSheet save_marks(App& app, const Actor& actor, std::int64_t id, const std::vector<MarkEntry>& marks) {
  if (marks.size() > 2000) fail(ErrorKind::too_large, "too_many_marks", "at most 2000 marks in one request");
  return app.db->tx_result<MarkSheet>([&](db::Tx& t) {
    auto row = assessment_for(t, actor, id);
    require_open(row);
    std::set<std::int64_t> enrolled, seen;
    for (auto& m : db::marks::grid(t, id, row.class_id)) enrolled.insert(m.student_id);
    // Everything is checked before anything is written (the transaction would roll back
    // anyway; checking first keeps the error about the first bad entry, not a half-run).
    std::vector<std::pair<std::int64_t, grading::Mark>> parsed;
    for (const auto& m : marks) {
      if (!enrolled.count(m.student_id))
        fail(ErrorKind::invalid, "not_enrolled", "student " + std::to_string(m.student_id) + " is not in this class");
      if (!seen.insert(m.student_id).second)
        fail(ErrorKind::invalid, "duplicate_student", "student " + std::to_string(m.student_id) + " appears twice");
      try {
        parsed.emplace_back(m.student_id, grading::parse_mark(m.text, row.max_x100));
      } catch (const AppError& e) {
        fail(e.kind, e.code, "student " + std::to_string(m.student_id) + ": " + e.what());
      }
    }
    auto now = now_unix();
    for (const auto& [sid, mark] : parsed) {
      if (mark.kind == grading::MarkKind::none) {
        db::marks::remove(t, id, sid);
        continue;
      }
      std::optional<std::int64_t> score;
      if (mark.kind == grading::MarkKind::score) score = mark.score_x100;
      db::marks::upsert(t, id, sid, score, std::string(grading::code_text(mark.kind)), actor.id, now);
    }
    return build_sheet(t, actor, row);
  });
}

ImportReport import_marks(App& app, const Actor& actor, std::int64_t assessment_id, std::string_view csv,
                          bool dry_run) {
  // The assessment itself first: a 404 or a lock is an answer, not a report of errors per row.
  app.db->read([&](db::Tx& t) { require_open(assessment_for(t, actor, assessment_id)); });
  return run_import(app, actor, marks_importer_for(assessment_id), csv, dry_run);
}

Importer marks_importer() { return marks_importer_for(0); }

// ---- comments

namespace {

// The classes of the student in which the actor may comment on the subject (0 = general).
bool may_comment(db::Tx& t, const Actor& a, std::int64_t student_id, std::int64_t subject_id) {
  if (is_admin(a)) return true;
  if (a.role != Role::teacher) return false;
  for (auto& c : db::classes::for_student(t, student_id))
    if (db::assessments::teaches(t, a.id, c.id, subject_id)) return true;
  return false;
}

}  // namespace

db::CommentRow set_comment(App& app, const Actor& actor, const CommentInput& in) {
  staff_or_404(actor);
  std::string text = text::trim_copy(in.comment);
  if (!text::valid_utf8(text) || text::utf8_length(text) > 2000)
    fail(ErrorKind::invalid, "invalid_comment", "a comment has at most 2000 characters");
  return app.db->tx_result<db::CommentRow>([&](db::Tx& t) {
    auto student = db::users::by_id(t, in.student_id);
    if (!student || student->role != Role::student || !may_comment(t, actor, in.student_id, in.subject_id))
      fail(ErrorKind::not_found, "no_such_student", "no such student among yours");
    if (!db::terms::by_id(t, in.term_id)) fail(ErrorKind::not_found, "no_such_term", "no such term");
    if (in.subject_id && !db::subjects::by_id(t, in.subject_id))
      fail(ErrorKind::not_found, "no_such_subject", "no such subject");
    db::CommentRow row{in.term_id, in.student_id, in.subject_id, text, actor.id, now_unix()};
    if (text.empty())
      db::report_comments::remove(t, in.term_id, in.student_id, in.subject_id);
    else
      db::report_comments::upsert(t, row);
    return row;
  });
}

std::vector<db::CommentRow> class_comments(App& app, const Actor& actor, std::int64_t term_id, std::int64_t class_id,
                                           std::int64_t subject_id) {
  staff_or_404(actor);
  return app.db->read_result<std::vector<db::CommentRow>>([&](db::Tx& t) {
    if (!is_admin(actor) && !db::assessments::teaches(t, actor.id, class_id, subject_id))
      fail(ErrorKind::not_found, "no_such_class_subject", "you do not teach that subject in that class");
    return db::report_comments::for_class(t, term_id, class_id, subject_id);
  });
}

std::vector<GeneralComment> general_comments(App& app, const Actor& actor, std::int64_t term_id,
                                             std::int64_t class_id) {
  staff_or_404(actor);
  return app.db->read_result<std::vector<GeneralComment>>([&](db::Tx& t) {
    if (!is_admin(actor) && !db::assessments::teaches(t, actor.id, class_id, 0))
      fail(ErrorKind::not_found, "no_such_class", "no such class among yours");
    if (!db::classes::by_id(t, class_id)) fail(ErrorKind::not_found, "no_such_class", "no such class");
    if (!db::terms::by_id(t, term_id)) fail(ErrorKind::not_found, "no_such_term", "no such term");
    std::map<std::int64_t, std::string> by_student;
    for (auto& c : db::report_comments::for_class(t, term_id, class_id, 0)) by_student[c.student_id] = c.comment;
    std::vector<GeneralComment> out;
    for (auto& p : db::classes::students(t, class_id)) out.push_back({p.id, p.full_name, by_student[p.id]});
    return out;
  });
}

std::vector<db::ClassRow> tutor_classes(App& app, const Actor& actor) {
  staff_or_404(actor);
  return app.db->read_result<std::vector<db::ClassRow>>([&](db::Tx& t) {
    if (is_admin(actor)) return db::classes::list_all(t);
    std::vector<db::ClassRow> out;
    for (auto& c : db::classes::for_teacher(t, actor.id))
      if (db::assessments::teaches(t, actor.id, c.id, 0)) out.push_back(c);
    return out;
  });
}

}  // namespace sy::services
