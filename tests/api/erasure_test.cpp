// Erasure: deleting a photo or a student removes the original, every derivative and every stored
// yearbook PDF showing them, from the object store and the database, and audits it. The store is
// listed before and after (a file store on SQLite runs, a bucket of its own on s3rver on MariaDB
// runs); exactly the erased keys go, nothing else. A store that fails erases nothing.
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <utility>

#include "db/accounts_repo.h"
#include "db/yearbook_pdf_repo.h"
#include "jobs/pipeline_fixture.h"
#include "jobs/worker_pool.h"
#include "services/erasure.h"
#include "services/photos.h"
#include "services/school.h"
#include "services/yearbook_export.h"
#include "storage/object_store.h"

using namespace sy;

namespace {

using Keys = std::set<std::string>;

class Erasure : public test::PipelineFixture {
 protected:
  std::int64_t admin = 0, teacher = 0, ann = 0, ben = 0, guardian = 0, c = 0;
  std::unique_ptr<jobs::Processor> photos;  // compression
  std::unique_ptr<jobs::WorkerPool> pool;   // its processor runs yearbook.pdf jobs

  void SetUp() override {
    std::string url;
    if (test::db_kind() == "mariadb") {
      SY_REQUIRE_ENV(s3, "SY_TEST_S3_URL");
      url = test::fresh_s3_url("sy-erase-");
    }
    open_app(url);
    spread_photo_ids();
    photos = std::make_unique<jobs::Processor>(*app->db, *app->store, fast_options(), "erasure-test");
    pool = services::make_workers(*app, 0);
    admin = add_user("boss", Role::admin);
    teacher = add_user("teacher", Role::teacher);
    ann = add_user("ann", Role::student);
    ben = add_user("ben", Role::student);
    guardian = add_user("parent", Role::guardian);
    app->db->tx([&](db::Tx& t) {
      db::users::set_full_name(t, ann, "Анна 山田", 1000);
      c = db::classes::insert(t, "7A", 2025, 1000);
      db::classes::enrol(t, c, ann, 1000);
      db::classes::enrol(t, c, ben, 1000);
      db::classes::assign_teacher(t, c, teacher, "Maths", 1000);
      db::guardians::link(t, guardian, ann, 1000);
      db::consent::set(t, ann, "print", 0, 1000);
      db::consent::set(t, ben, "print", 0, 1000);
    });
  }

  Keys keys() {
    Keys out;
    for (auto& o : app->store->list("")) out.insert(o.key);
    return out;
  }
  // Uploads, compresses and approves a photo; returns its id.
  std::int64_t ready_photo(std::int64_t student, int seed) {
    auto id = upload(student, test::make_png(64 + seed, 48));
    EXPECT_GE(drain(*photos), 1);
    services::moderate_photo(*app, actor(admin, Role::admin), id, true, "");
    return id;
  }
  // A ready yearbook PDF of the class; returns its object key.
  std::string yearbook_pdf(const std::string& paper = "a4") {
    auto layout = services::pdf_layout(paper, "", "");
    services::request_yearbook_pdf(*app, actor(admin, Role::admin), c, layout);
    while (auto j = pool->processor().claim_next()) pool->processor().run(*j);
    auto e = services::request_yearbook_pdf(*app, actor(admin, Role::admin), c, layout);
    EXPECT_EQ(e.status, ExportStatus::ready);
    auto row = app->db->read_result<std::optional<db::YearbookPdfRow>>(
        [&](db::Tx& t) { return db::yearbook_pdfs::by_id(t, e.id); });
    return row ? row->object_key : "";
  }
  Keys photo_keys(std::int64_t id) {
    Keys out{photo(id).original_key};
    for (auto& v : variants(id)) out.insert(v.object_key);
    return out;
  }
  int audits(const std::string& action) {
    return app->db->read_result<int>(
        [&](db::Tx& t) { return static_cast<int>(db::audit::list(t, action, "", 100, 0).size()); });
  }
  bool photo_row(std::int64_t id) {
    return app->db->read_result<bool>([&](db::Tx& t) { return db::photos::by_id(t, id).has_value(); });
  }
};

Keys minus(const Keys& a, const Keys& b) {
  Keys out;
  for (auto& k : a)
    if (!b.count(k)) out.insert(k);
  return out;
}

TEST_F(Erasure, PhotoWithItsDerivativesAndEveryPdfShowingIt) {
  auto pa = ready_photo(ann, 1);
  auto pb = ready_photo(ben, 2);
  auto pdf_a4 = yearbook_pdf("a4");
  auto pdf_letter = yearbook_pdf("letter");
  auto erased = photo_keys(pa);
  ASSERT_EQ(erased.size(), 4u);  // original, jpeg, webp, thumb
  erased.insert(pdf_a4);
  erased.insert(pdf_letter);
  Keys before = keys();
  for (auto& k : erased) ASSERT_TRUE(before.count(k)) << k;

  // Not hers to erase: refused, nothing touched.
  for (auto [who, role] : {std::pair{ben, Role::student}, std::pair{teacher, Role::teacher}}) {
    try {
      services::erase_photo(*app, actor(who, role), pa);
      ADD_FAILURE() << sy::to_string(role) << " erased a photo";
    } catch (const AppError& e) {
      EXPECT_EQ(e.kind, ErrorKind::forbidden);
    }
  }
  EXPECT_EQ(keys(), before);

  auto r = services::erase_photo(*app, actor(guardian, Role::guardian), pa);
  EXPECT_EQ(r.photos, 1);
  EXPECT_EQ(r.pdfs, 2);
  EXPECT_EQ(r.objects, 6);
  Keys after = keys();
  EXPECT_EQ(minus(before, after), erased) << "exactly the photo's objects and the PDFs showing it";
  EXPECT_TRUE(minus(after, before).empty());
  for (auto& k : photo_keys(pb)) EXPECT_TRUE(after.count(k)) << "ben's photo stays: " << k;
  EXPECT_FALSE(photo_row(pa));
  EXPECT_TRUE(variants(pa).empty());
  EXPECT_TRUE(
      app->db->read_result<bool>([&](db::Tx& t) { return db::yearbook_pdfs::containing_photo(t, pa).empty(); }));
  EXPECT_EQ(audits("photo.erase"), 1);
  try {
    services::erase_photo(*app, actor(admin, Role::admin), pa);
    ADD_FAILURE() << "erased twice";
  } catch (const AppError& e) {
    EXPECT_EQ(e.kind, ErrorKind::not_found);
  }

  // The next PDF is made without her photo (she keeps her name: consent is still print).
  auto again = yearbook_pdf();
  EXPECT_FALSE(again.empty());
}

TEST_F(Erasure, StudentWithEveryPhotoAndPdf) {
  auto first = ready_photo(ann, 1);
  auto first_keys = photo_keys(first);
  auto current = ready_photo(ann, 2);  // the first is superseded and purged by the processor
  auto pb = ready_photo(ben, 3);
  auto pdf = yearbook_pdf();
  Keys before = keys();
  for (auto& k : first_keys) EXPECT_FALSE(before.count(k)) << "purged when superseded: " << k;
  Keys erased = photo_keys(current);
  erased.insert(pdf);

  try {
    services::erase_student(*app, actor(teacher, Role::teacher), ann);
    ADD_FAILURE() << "a teacher erased a student";
  } catch (const AppError& e) {
    EXPECT_EQ(e.kind, ErrorKind::forbidden);
  }
  try {
    services::erase_student(*app, actor(admin, Role::admin), teacher);
    ADD_FAILURE() << "erased a teacher";
  } catch (const AppError& e) {
    EXPECT_EQ(e.kind, ErrorKind::not_found);
  }
  EXPECT_EQ(keys(), before);

  auto r = services::erase_student(*app, actor(admin, Role::admin), ann);
  EXPECT_EQ(r.photos, 2);  // the purged history row goes too
  EXPECT_EQ(r.pdfs, 1);
  Keys after = keys();
  EXPECT_EQ(minus(before, after), erased);
  EXPECT_TRUE(minus(after, before).empty());
  for (auto& k : photo_keys(pb)) EXPECT_TRUE(after.count(k));
  EXPECT_FALSE(photo_row(first));
  EXPECT_FALSE(photo_row(current));
  EXPECT_FALSE(app->db->read_result<bool>([&](db::Tx& t) { return db::users::by_id(t, ann).has_value(); }));
  EXPECT_EQ(audits("student.erase"), 1);
  EXPECT_TRUE(
      app->db->read_result<bool>([&](db::Tx& t) { return db::yearbook_pdfs::containing_student(t, ann).empty(); }));
}

TEST_F(Erasure, AStoreThatFailsErasesNothing) {
  auto pa = ready_photo(ann, 1);
  Keys before = keys();
  auto flaky = std::make_unique<test::FlakyStore>(std::move(app->store));
  auto* f = flaky.get();
  app->store = std::move(flaky);
  f->down = true;
  try {
    services::erase_photo(*app, actor(ann, Role::student), pa);
    ADD_FAILURE() << "erased with the store down";
  } catch (const AppError& e) {
    EXPECT_EQ(e.kind, ErrorKind::unavailable);
  }
  f->down = false;
  EXPECT_EQ(keys(), before);
  EXPECT_TRUE(photo_row(pa)) << "the row stays, so asking again finishes the erasure";
  EXPECT_EQ(audits("photo.erase"), 0);
  services::erase_photo(*app, actor(ann, Role::student), pa);
  EXPECT_FALSE(photo_row(pa));
  for (auto& k : before) EXPECT_FALSE(keys().count(k)) << k;
}

// Calls `hook` once, before the first put under `prefix`; otherwise passes everything through.
class HookStore : public storage::ObjectStore {
 public:
  HookStore(std::unique_ptr<storage::ObjectStore> inner, std::string prefix, std::function<void()> hook)
      : inner_(std::move(inner)), prefix_(std::move(prefix)), hook_(std::move(hook)) {}
  storage::ObjectInfo put(const std::string& k, const std::string& b, const std::string& ct) override {
    if (hook_ && k.rfind(prefix_, 0) == 0) std::exchange(hook_, nullptr)();
    return inner_->put(k, b, ct);
  }
  std::optional<std::string> get(const std::string& k) override { return inner_->get(k); }
  std::optional<storage::ObjectInfo> head(const std::string& k) override { return inner_->head(k); }
  void remove(const std::string& k) override { inner_->remove(k); }
  std::vector<storage::ObjectInfo> list(const std::string& p) override { return inner_->list(p); }
  std::string bucket() const override { return inner_->bucket(); }
  bool ping() override { return inner_->ping(); }

 private:
  std::unique_ptr<storage::ObjectStore> inner_;
  std::string prefix_;
  std::function<void()> hook_;
};

// The photo is erased while the worker compresses it (between reading the original and recording
// the result): what the worker writes afterwards must not outlive the erasure.
TEST_F(Erasure, ErasedWhileCompressingLeavesNoFiles) {
  Keys before = keys();
  auto id = upload(ann, test::make_png(80, 60));
  auto hooked = std::make_unique<HookStore>(std::move(app->store), "compressed/",
                                            [&] { services::erase_photo(*app, actor(ann, Role::student), id); });
  app->store = std::move(hooked);
  jobs::Processor p(*app->db, *app->store, fast_options(), "erasure-race");
  drain(p);
  EXPECT_FALSE(photo_row(id));
  EXPECT_EQ(keys(), before) << "nothing of the erased photo is left in the store";
  EXPECT_EQ(audits("photo.erase"), 1);
}

}  // namespace
