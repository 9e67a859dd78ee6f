// Changing the users file: `tern user add/del/passwd`.
//
// Each change is a locked read-modify-write: take an exclusive flock on "<users>.lock",
// read the current file (refusing to touch a corrupt one), apply the change, write
// "<users>.tmp" (mode 0600), fsync, rename over the users file, fsync the directory. Readers
// never lock: rename is atomic, so they see the old or the new file, never half of one.
// The directory is created (mode 0700) when missing.
//
// Deliberately left out: the local-domain check (the CLI does it against the config).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace tern::auth {

// Each returns an error text for the user, empty on success.
std::string add_user(const std::filesystem::path& users_file, std::string_view address,
                     std::string_view password);
std::string delete_user(const std::filesystem::path& users_file, std::string_view address);
std::string set_password(const std::filesystem::path& users_file, std::string_view address,
                         std::string_view password);

}  // namespace tern::auth
