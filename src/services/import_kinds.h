#pragma once
// The built-in import kinds (services/import_people.cpp, services/import_school.cpp). Internal to
// services: other code goes through run_import / register_importer (services/school_import.h).
#include "services/school_import.h"

namespace sy::services {

Importer students_importer();    // students with classes, guardians and contacts
Importer staff_importer();       // teachers and admins
Importer classes_importer();     // classes (with their own teacher)
Importer enrolments_importer();  // students into classes
Importer subjects_importer();    // subjects (and who teaches them where)
Importer timetable_importer();   // weekly lessons (services/import_timetable.cpp)

// Shared by the kinds: "" or a valid value, else AppError 422 with a message for the row.
void check_username(const std::string& username, const std::string& column);
int parse_year(const std::string& year);  // 1–9999

}  // namespace sy::services
