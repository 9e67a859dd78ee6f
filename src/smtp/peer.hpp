// Facts about the connection that the network driver hands to the SMTP session: who the peer
// is and what TLS was negotiated. Plain data; the session and the Received header use them.
#pragma once

#include <cstdint>
#include <string>

namespace tern::smtp {

struct PeerInfo {
    std::string address;     // textual IP address, "192.0.2.1" or "2001:db8::1"
    std::uint16_t port = 0;
};

struct TlsInfo {
    std::string version;     // e.g. "TLSv1.3"
    std::string cipher;      // e.g. "TLS_AES_256_GCM_SHA384"
};

}  // namespace tern::smtp
