// IMAP syntax for the message structure of mime/structure.hpp: the ENVELOPE, BODY and
// BODYSTRUCTURE fetch data items (RFC 9051 7.5.2 and 9 "envelope", "body"; RFC 3501 7.4.2).
//
//   render_envelope: ("date" "subject" (from) (sender) (reply-to) (to) (cc) (bcc)
//                     "in-reply-to" "message-id"), address lists as ((name adl mailbox host)...)
//                     or NIL; sender and reply-to fall back to from when empty (RFC 9051 7.5.2).
//   render_body:     multipart: (part part ... "subtype" [ext]) with no SP between the parts;
//                    single part: ("type" "subtype" (params) id desc "enc" size [lines]
//                    [ext]), message/rfc822 and message/global adding the enclosed envelope,
//                    body and lines, text/* adding lines.
//   extended (BODYSTRUCTURE) adds body-ext-mpart (params dsp lang loc) or body-ext-1part
//   (md5 dsp lang loc), always all four; BODY has none.
//
// The grammar cannot express some structures a parser may produce, so we make them valid
// rather than emit broken syntax: a multipart without parts gets one empty text/plain part
// (body-type-mpart = 1*body); a message/rfc822 without its envelope or body gets an all-NIL
// envelope and an empty text/plain body; parts nested deeper than kMaxBodyDepth are rendered
// as empty text/plain parts, so recursion stays bounded whatever the builder produced.
// Strings follow append_string() (utf8: the client may receive UTF-8 in quoted strings).
#pragma once

#include <cstddef>
#include <string>

#include "mime/structure.hpp"

namespace tern::imap {

inline constexpr std::size_t kMaxBodyDepth = 64;

void render_envelope(std::string& out, const mime::Envelope& envelope, bool utf8 = false);
void render_body(std::string& out, const mime::BodyPart& part, bool extended, bool utf8 = false);

}  // namespace tern::imap
