// The dry-run sink: see stdout_sink.hpp.
#include "pga/cli/stdout_sink.hpp"

#include <ostream>

namespace pga::cli {

void StdoutSink::accept(collect::Batch batch) {
    out_ << collect::dump_json(collect::make_envelope(batch, info_), 2) << "\n";
    out_.flush();
    ++printed_;
}

nlohmann::json StdoutSink::status() const {
    return {{"sink", "stdout (dry run)"}, {"batches_printed", printed_}};
}

} // namespace pga::cli
