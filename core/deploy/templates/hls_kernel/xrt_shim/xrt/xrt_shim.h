// TrigLab XRT shim: common declarations (NOT XRT; see ../README.md). Emulator builds only.
#ifndef TRIGLAB_XRT_SHIM_H_
#define TRIGLAB_XRT_SHIM_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#define TRIGLAB_XRT_SHIM 1

// xrt.h's sync directions and ert.h's command state, same names and values as XRT 2022.1.
enum xclBOSyncDirection { XCL_BO_SYNC_BO_TO_DEVICE = 0, XCL_BO_SYNC_BO_FROM_DEVICE = 1 };
enum ert_cmd_state { ERT_CMD_STATE_NEW = 1, ERT_CMD_STATE_QUEUED = 2, ERT_CMD_STATE_RUNNING = 3,
                     ERT_CMD_STATE_COMPLETED = 4, ERT_CMD_STATE_ERROR = 5 };

namespace xrt_shim {

// One kernel argument: a buffer's memory or a scalar value.
struct arg {
    void *ptr;
    unsigned long long value;
};

using kernel_function = std::function<void(const std::vector<arg> &)>;

inline std::map<std::string, kernel_function> &kernels() {
    static std::map<std::string, kernel_function> table;
    return table;
}

// Called once when a kernel is first opened (the card has its weights in the xclbin already;
// the emulator reads hls4ml's weight files on the network's first call, so it calls it here).
inline std::map<std::string, std::function<void()>> &loaders() {
    static std::map<std::string, std::function<void()>> table;
    return table;
}

// A static instance registers a kernel function under its XRT kernel name.
struct registration {
    registration(const std::string &name, kernel_function fn, std::function<void()> on_load = nullptr) {
        kernels()[name] = std::move(fn);
        if (on_load)
            loaders()[name] = std::move(on_load);
    }
};

} // namespace xrt_shim

#endif
