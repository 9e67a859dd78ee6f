#include "dkim/key_record.hpp"
#include "core/address.hpp"

#include "core/base64.hpp"
#include "dkim/canonical.hpp"
#include "dkim/tag_list.hpp"

namespace tern::dkim {

std::optional<KeyRecord> parse_key_record(std::string_view txt, std::string* error) {
    auto fail = [&](std::string why) -> std::optional<KeyRecord> {
        if (error) *error = std::move(why);
        return std::nullopt;
    };
    std::string why;
    auto tags = TagList::parse(txt, &why);
    if (!tags) return fail("bad key record: " + why);
    KeyRecord r;
    if (auto v = tags->get("v")) {
        if (*v != "DKIM1" || tags->tags().front().first != "v") return fail("bad key record version");
    }
    if (auto k = tags->get("k")) {
        auto alg = parse_key_type(*k);
        if (!alg) return fail("unknown key type " + std::string(k->substr(0, 20)));
        r.algorithm = *alg;
    }
    if (auto h = tags->get("h")) {
        bool sha256 = false;
        for (auto& alg : split_colon_list(*h)) sha256 |= ascii_lower(alg) == "sha256";
        if (!sha256) return fail("key does not allow sha256");
    }
    if (auto s = tags->get("s")) {
        bool email = false;
        for (auto& svc : split_colon_list(*s)) email |= svc == "*" || ascii_lower(svc) == "email";
        if (!email) return fail("key is not for email");
    }
    if (auto t = tags->get("t")) {
        for (auto& flag : split_colon_list(*t)) {
            if (flag == "y") r.testing = true;
            if (flag == "s") r.strict = true;
        }
    }
    auto p = tags->get("p");
    if (!p) return fail("key record without p=");
    std::string p64 = strip_whitespace(*p);
    if (!p64.empty()) {
        auto der = base64_decode(p64);
        if (!der) return fail("bad p= value");
        r.key = std::move(*der);
    }
    return r;
}

}  // namespace tern::dkim
