#include <iostream>
#include <iterator>

#include "cli/commands.h"
#include "cli/open_app.h"
#include "core/error.h"
#include "services/users.h"

namespace sy::cli {

namespace {

std::string read_password_stdin() {
  std::string pw((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r')) pw.pop_back();
  return pw;
}

std::int64_t user_id_by_name(services::App& app, const std::string& username) {
  auto u =
      app.db->read_result<std::optional<db::UserRow>>([&](db::Tx& t) { return db::users::by_username(t, username); });
  if (!u) throw AppError(ErrorKind::not_found, "not_found", "no user named '" + username + "'");
  return u->id;
}

int guarded(const std::function<int()>& f) {
  try {
    return f();
  } catch (const AppError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

void add_admin(CLI::App& app, Common& common, Action& action) {
  auto* admin = app.add_subcommand("admin", "Administration tasks");
  admin->require_subcommand(1);
  const auto system = services::Actor::system("cli");

  auto* create = admin->add_subcommand("create-user", "Create an account; prints its id");
  auto nu = std::make_shared<services::NewUser>();
  auto pw_stdin = std::make_shared<bool>(false);
  create->add_option("--username", nu->username, "login name ([a-z0-9._-], 3–64)")->required();
  create->add_option("--role", nu->role, "admin|teacher|student|guardian")
      ->required()
      ->check(CLI::IsMember({"admin", "teacher", "student", "guardian"}));
  create->add_option("--full-name", nu->full_name, "display name");
  create->add_flag("--password-stdin", *pw_stdin, "read the password from standard input");
  create->callback([&common, &action, nu, pw_stdin, system] {
    action = [&common, nu, pw_stdin, system] {
      auto app = open_app(load_config(common), true);
      if (*pw_stdin) nu->password = read_password_stdin();
      return guarded([&] {
        auto c = services::create_user(*app, system, *nu);
        std::cout << c.user.id << "\n";
        if (!c.generated_password.empty()) std::cout << "password: " << c.generated_password << "\n";
        return 0;
      });
    };
  });

  auto* reset = admin->add_subcommand("reset-password", "Set a new password (generated unless --password-stdin)");
  auto rname = std::make_shared<std::string>();
  auto rstdin = std::make_shared<bool>(false);
  reset->add_option("--username", *rname)->required();
  reset->add_flag("--password-stdin", *rstdin);
  reset->callback([&common, &action, rname, rstdin, system] {
    action = [&common, rname, rstdin, system] {
      auto app = open_app(load_config(common), true);
      std::string pw = *rstdin ? read_password_stdin() : "";
      return guarded([&] {
        auto generated = services::reset_password(*app, system, user_id_by_name(*app, *rname), pw);
        if (!generated.empty()) std::cout << "password: " << generated << "\n";
        return 0;
      });
    };
  });

  for (const char* verb : {"deactivate", "activate"}) {
    auto* c = admin->add_subcommand(verb, std::string(verb) + " an account");
    auto name = std::make_shared<std::string>();
    bool active = std::string(verb) == "activate";
    c->add_option("--username", *name)->required();
    c->callback([&common, &action, name, active, system] {
      action = [&common, name, active, system] {
        auto app = open_app(load_config(common), true);
        return guarded([&] {
          services::set_user_active(*app, system, user_id_by_name(*app, *name), active);
          return 0;
        });
      };
    });
  }

  auto* list = admin->add_subcommand("list-users", "List accounts (tab-separated)");
  auto role = std::make_shared<std::string>();
  list->add_option("--role", *role);
  list->callback([&common, &action, role] {
    action = [&common, role] {
      auto app = open_app(load_config(common), true);
      return guarded([&] {
        for (auto& u : services::list_users(*app, services::Actor::system("cli"), *role, 500, 0))
          std::cout << u.id << "\t" << u.username << "\t" << to_string(u.role) << "\t"
                    << (u.active ? "active" : "inactive") << "\t" << u.full_name << "\n";
        return 0;
      });
    };
  });
}

}  // namespace sy::cli
