#include "mime/gmime_init.hpp"

#include <gmime/gmime.h>

#include <mutex>

namespace tern::mime::detail {

void ensure_gmime() {
    // Never paired with g_mime_shutdown(): other threads may still be decoding when the
    // process exits, and the tables GMime builds stay reachable (LeakSanitizer is content).
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

}  // namespace tern::mime::detail
