#include "message/from_addresses.hpp"

#include <gmime/gmime.h>

#include "core/address.hpp"
#include "message/header_fields.hpp"
#include "mime/gmime_init.hpp"

namespace tern::message {
namespace {

// One initialisation for the whole process, shared with mime/ (two once-flags could race).
using mime::detail::ensure_gmime;

void collect(InternetAddressList* list, std::vector<std::string>& out, int depth) {
    if (!list || depth > 4) return;
    int n = internet_address_list_length(list);
    for (int i = 0; i < n; ++i) {
        InternetAddress* ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
            const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
            if (addr && *addr) out.emplace_back(addr);
        } else if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            collect(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), out, depth + 1);
        }
    }
}

}  // namespace

std::vector<std::string> from_addresses(std::string_view message) {
    ensure_gmime();
    std::vector<std::string> out;
    for (const auto& f : header_fields(message)) {
        if (!iequals(f.name, "From")) continue;
        auto value = unfold(f.value);
        InternetAddressList* list = internet_address_list_parse(nullptr, value.c_str());
        collect(list, out, 0);
        if (list) g_object_unref(list);
    }
    return out;
}

}  // namespace tern::message
