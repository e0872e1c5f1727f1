// The file seam of the host collectors: /proc and mount tables are read through a FileReader so
// unit tests can feed fixture text instead of the real files.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace pga::collectors {

// Returns the whole content of path, or nullopt when it cannot be read.
using FileReader = std::function<std::optional<std::string>(const std::string& path)>;

// Returns a reader of the real filesystem.
FileReader real_file_reader();

} // namespace pga::collectors
