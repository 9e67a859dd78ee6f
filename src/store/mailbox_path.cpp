// Mailbox paths: see mailbox_path.hpp.
#include "store/mailbox_path.hpp"

namespace tern::store {

bool is_safe_mailbox_component(std::string_view part) {
    // is_safe_path_component rejects empty, > 255 bytes, '/', '\\', control bytes and a leading
    // '.' (hence "." and ".."). Valid UTF-8 is required on top so that no byte sequence can be
    // read differently by another tool (an overlong '/' or '.', say).
    return is_safe_path_component(part) && is_valid_utf8(part);
}

std::optional<std::filesystem::path> mailbox_path(const std::filesystem::path& root,
                                                  const Address& address) {
    auto local = ascii_lower(address.local);
    auto domain = ascii_lower(address.domain);
    if (!is_safe_mailbox_component(local) || !is_safe_mailbox_component(domain))
        return std::nullopt;
    return root / domain / local;
}

std::optional<std::filesystem::path> mailbox_path(const std::filesystem::path& root,
                                                  std::string_view key) {
    auto at = key.rfind('@');
    if (at == std::string_view::npos) return std::nullopt;
    return mailbox_path(root, Address{std::string(key.substr(0, at)), std::string(key.substr(at + 1))});
}

}  // namespace tern::store
