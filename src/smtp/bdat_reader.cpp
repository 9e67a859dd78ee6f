// BDAT chunk reading: see bdat_reader.hpp.
#include "smtp/bdat_reader.hpp"

namespace tern::smtp {

std::size_t BdatReader::consume(std::string_view input, MessageSink* sink) {
    std::size_t n = input.size();
    if (static_cast<std::uint64_t>(n) > remaining_) n = static_cast<std::size_t>(remaining_);
    if (sink != nullptr) sink->append(input.substr(0, n));
    remaining_ -= n;
    return n;
}

}  // namespace tern::smtp
