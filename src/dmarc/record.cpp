#include "dmarc/record.hpp"
#include "core/address.hpp"

#include <charconv>

#include "dkim/canonical.hpp"
#include "dkim/tag_list.hpp"

namespace tern::dmarc {
namespace {

std::optional<Policy> parse_policy(std::string_view v) {
    std::string p = ascii_lower(v);
    if (p == "none") return Policy::None;
    if (p == "quarantine") return Policy::Quarantine;
    if (p == "reject") return Policy::Reject;
    return std::nullopt;
}

std::vector<std::string> parse_uris(std::string_view v) {
    std::vector<std::string> out;
    while (!v.empty()) {
        std::size_t comma = v.find(',');
        std::string uri = dkim::strip_whitespace(v.substr(0, comma));
        if (uri.size() > 7 && ascii_lower(uri.substr(0, 7)) == "mailto:") out.push_back(uri);
        if (comma == std::string_view::npos) break;
        v.remove_prefix(comma + 1);
    }
    return out;
}

bool starts_as_dmarc(std::string_view txt) {
    std::size_t i = txt.find_first_not_of(" \t");
    if (i == std::string_view::npos) return false;
    txt.remove_prefix(i);
    if (txt.size() < 2 || txt[0] != 'v') return false;
    txt.remove_prefix(1);
    txt.remove_prefix(std::min(txt.find_first_not_of(" \t"), txt.size()));
    if (txt.empty() || txt[0] != '=') return false;
    txt.remove_prefix(1);
    txt.remove_prefix(std::min(txt.find_first_not_of(" \t"), txt.size()));
    return txt.substr(0, 6) == "DMARC1" && (txt.size() == 6 || txt[6] == ';' || txt[6] == ' ' || txt[6] == '\t');
}

}  // namespace

std::string_view policy_name(Policy p) {
    switch (p) {
        case Policy::None: return "none";
        case Policy::Quarantine: return "quarantine";
        case Policy::Reject: return "reject";
    }
    return "none";
}

std::optional<Record> parse_record(std::string_view txt, std::string* error) {
    auto fail = [&](std::string why) -> std::optional<Record> {
        if (error) *error = std::move(why);
        return std::nullopt;
    };
    std::string why;
    auto tags = dkim::TagList::parse(txt, &why);
    if (!tags) return fail("bad DMARC record: " + why);
    if (tags->tags().empty() || tags->tags().front().first != "v" || tags->tags().front().second != "DMARC1")
        return fail("not a DMARC record");
    Record r;
    if (auto rua = tags->get("rua")) r.aggregate_report = parse_uris(*rua);
    if (auto ruf = tags->get("ruf")) r.failure_report = parse_uris(*ruf);
    auto p = tags->get("p");
    std::optional<Policy> policy = p ? parse_policy(*p) : std::nullopt;
    if (!policy) {
        if (r.aggregate_report.empty()) return fail(p ? "bad p= value" : "no p= tag");
        policy = Policy::None;
    }
    r.policy = *policy;
    if (auto sp = tags->get("sp")) r.subdomain_policy = parse_policy(*sp);
    if (auto a = tags->get("adkim")) r.strict_dkim = ascii_lower(*a) == "s";
    if (auto a = tags->get("aspf")) r.strict_spf = ascii_lower(*a) == "s";
    if (auto pct = tags->get("pct")) {
        int v = 0;
        auto [ptr, ec] = std::from_chars(pct->data(), pct->data() + pct->size(), v);
        if (ec == std::errc{} && ptr == pct->data() + pct->size() && v >= 0 && v <= 100) r.percent = v;
    }
    return r;
}

std::optional<Record> select_record(const std::vector<std::string>& txt_records) {
    const std::string* found = nullptr;
    for (const auto& t : txt_records) {
        if (!starts_as_dmarc(t)) continue;
        if (found) return std::nullopt;
        found = &t;
    }
    if (!found) return std::nullopt;
    return parse_record(*found, nullptr);
}

}  // namespace tern::dmarc
