#include "core/outcome.hpp"

namespace tern {

Outcome Outcome::ok(std::string text, std::string enhanced, int code) {
    return {OutcomeKind::Ok, code, std::move(enhanced), std::move(text)};
}
Outcome Outcome::temporary(std::string enhanced, std::string text, int code) {
    return {OutcomeKind::Temporary, code, std::move(enhanced), std::move(text)};
}
Outcome Outcome::permanent(std::string enhanced, std::string text, int code) {
    return {OutcomeKind::Permanent, code, std::move(enhanced), std::move(text)};
}
std::string Outcome::str() const {
    return std::to_string(code) + " " + enhanced + " " + text;
}

}  // namespace tern
