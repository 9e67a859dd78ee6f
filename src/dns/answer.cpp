#include "dns/answer.hpp"

namespace tern::dns {

std::string_view to_string(Status status) {
    switch (status) {
        case Status::Ok: return "ok";
        case Status::NotFound: return "not found";
        case Status::TempFail: return "temporary failure";
    }
    return "?";
}

}  // namespace tern::dns
