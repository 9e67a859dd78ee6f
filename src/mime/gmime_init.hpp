// GMime is initialised once per process, on first use, from whichever thread gets there
// first (g_mime_init is not itself thread-safe). Every library that calls GMime (mime/,
// message/) goes through this one function, so there is a single once-flag.
#pragma once

namespace tern::mime::detail {

void ensure_gmime();

}  // namespace tern::mime::detail
