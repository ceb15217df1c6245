# Debian 12 packages only; nothing is downloaded at build time.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)          # before restinio: it expects fmt::fmt
find_package(spdlog REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(CLI11 REQUIRED)
find_package(GTest REQUIRED)
find_package(restinio REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
pkg_check_modules(VIPS REQUIRED IMPORTED_TARGET vips-cpp)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(TURBOJPEG REQUIRED IMPORTED_TARGET libturbojpeg)
pkg_check_modules(MARIADB REQUIRED IMPORTED_TARGET libmariadb)

# SOCI 4.0 ships no CMake config on Debian: find it by hand.
find_path(SOCI_INCLUDE_DIR soci/soci.h REQUIRED)
find_library(SOCI_CORE soci_core REQUIRED)
find_library(SOCI_SQLITE soci_sqlite3 REQUIRED)
find_library(SOCI_MYSQL soci_mysql REQUIRED)
add_library(soci INTERFACE)
target_include_directories(soci INTERFACE ${SOCI_INCLUDE_DIR} ${SOCI_INCLUDE_DIR}/soci /usr/include/mariadb)
target_link_libraries(soci INTERFACE ${SOCI_SQLITE} ${SOCI_MYSQL} ${SOCI_CORE} SQLite::SQLite3 PkgConfig::MARIADB ${CMAKE_DL_LIBS})

# kainjow mustache is header-only (/usr/include/kainjow/mustache.hpp).
find_path(MUSTACHE_INCLUDE_DIR kainjow/mustache.hpp REQUIRED)
# toml++ is header-only too.
find_path(TOMLPP_INCLUDE_DIR toml++/toml.h REQUIRED)
