// TrigLab XRT shim: xrt::device (NOT XRT; see ../README.md).
#ifndef TRIGLAB_XRT_DEVICE_H_
#define TRIGLAB_XRT_DEVICE_H_

#include "xrt/xrt_shim.h"
#include "xrt/xrt_uuid.h"

namespace xrt {
namespace info {
enum class device : unsigned int { bdf, name };
} // namespace info

class device {
  public:
    device() = default;
    explicit device(unsigned int index) : index_(index) {
        if (index != 0)
            throw std::runtime_error("Could not open device with index '" + std::to_string(index) +
                                     "' (the emulator has one device, index 0)");
    }
    explicit device(int index) : device(static_cast<unsigned int>(index)) {}

    // The kernel is compiled into this executable: the xclbin's name is only recorded.
    uuid load_xclbin(const std::string &xclbin_fnm) {
        xclbin_ = xclbin_fnm;
        return uuid("emulated:" + xclbin_fnm);
    }

    template <info::device param> std::string get_info() const {
        return param == info::device::bdf ? std::string("emulated")
                                          : std::string("TrigLab XRT shim (kernel emulated on CPU)");
    }

  private:
    unsigned int index_ = 0;
    std::string xclbin_;
};
} // namespace xrt

#endif
