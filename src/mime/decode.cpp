// Transfer decoding and charset conversion with GMime: see decode.hpp.
#include "mime/decode.hpp"

#include <gmime/gmime.h>

#include <cerrno>

#include "mime/gmime_init.hpp"
#include "mime/header.hpp"

namespace tern::mime {
namespace {

std::string decode_8bit(std::string_view text) {
    char* s = g_mime_utils_decode_8bit(nullptr, text.data(), text.size());
    std::string out = s ? s : "";
    g_free(s);
    return out;
}

}  // namespace

TransferEncoding classify_transfer_encoding(std::string_view t) {
    if (t.empty() || iequal(t, "7bit") || iequal(t, "8bit") || iequal(t, "binary"))
        return TransferEncoding::Identity;
    if (iequal(t, "base64")) return TransferEncoding::Base64;
    if (iequal(t, "quoted-printable")) return TransferEncoding::QuotedPrintable;
    return TransferEncoding::Unknown;
}

std::string decode_transfer(std::string_view body, TransferEncoding encoding) {
    GMimeContentEncoding e;
    switch (encoding) {
    case TransferEncoding::Base64: e = GMIME_CONTENT_ENCODING_BASE64; break;
    case TransferEncoding::QuotedPrintable: e = GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE; break;
    default: return std::string(body);
    }
    detail::ensure_gmime();
    GMimeEncoding state;
    g_mime_encoding_init_decode(&state, e);
    std::string out(g_mime_encoding_outlen(&state, body.size()), '\0');
    std::size_t n = g_mime_encoding_flush(&state, body.data(), body.size(), out.data());
    out.resize(n);
    return out;
}

bool valid_utf8(std::string_view s) {
    const gchar* end = nullptr;
    return g_utf8_validate(s.data(), static_cast<gssize>(s.size()), &end) &&
           end == s.data() + s.size();
}

std::string charset_to_utf8(std::string_view text, std::string_view charset) {
    detail::ensure_gmime();
    bool declared_ascii = charset.empty() || iequal(charset, "us-ascii") || iequal(charset, "ascii");
    if (declared_ascii || iequal(charset, "utf-8") || iequal(charset, "utf8")) {
        if (valid_utf8(text)) return std::string(text);
        if (declared_ascii) return decode_8bit(text);
    }
    std::string name(charset);
    iconv_t cd = g_mime_iconv_open("UTF-8", name.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) return valid_utf8(text) ? std::string(text) : decode_8bit(text);
    std::string out;
    out.reserve(text.size() + text.size() / 2);
    char buf[4096];
    char* in = const_cast<char*>(text.data());
    std::size_t in_left = text.size();
    while (in_left > 0) {
        char* o = buf;
        std::size_t o_left = sizeof buf;
        std::size_t r = iconv(cd, &in, &in_left, &o, &o_left);
        out.append(buf, static_cast<std::size_t>(o - buf));
        if (r != static_cast<std::size_t>(-1)) break;
        if (errno == E2BIG) continue;
        // EILSEQ: an invalid sequence; EINVAL: a truncated one at the end. Either way one
        // replacement character, skip one octet, go on.
        out += "\xEF\xBF\xBD";
        ++in;
        --in_left;
    }
    // Flush any shift state.
    char* o = buf;
    std::size_t o_left = sizeof buf;
    iconv(cd, nullptr, nullptr, &o, &o_left);
    out.append(buf, static_cast<std::size_t>(o - buf));
    g_mime_iconv_close(cd);
    return valid_utf8(out) ? out : decode_8bit(out);
}

}  // namespace tern::mime
