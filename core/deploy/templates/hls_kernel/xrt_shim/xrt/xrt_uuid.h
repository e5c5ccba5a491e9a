// TrigLab XRT shim: xrt::uuid (NOT XRT; see ../README.md).
#ifndef TRIGLAB_XRT_UUID_H_
#define TRIGLAB_XRT_UUID_H_

#include <string>

namespace xrt {
class uuid {
  public:
    uuid() = default;
    explicit uuid(const std::string &text) : text_(text) {}
    std::string to_string() const { return text_; }

  private:
    std::string text_;
};
} // namespace xrt

#endif
