// TrigLab XRT shim: xrt::kernel and xrt::run (NOT XRT; see ../README.md). Calling a kernel runs
// the registered C++ function at once on this CPU; wait() then reports it completed.
#ifndef TRIGLAB_XRT_KERNEL_H_
#define TRIGLAB_XRT_KERNEL_H_

#include <chrono>
#include <type_traits>

#include "xrt/xrt_bo.h"
#include "xrt/xrt_device.h"
#include "xrt/xrt_shim.h"
#include "xrt/xrt_uuid.h"

namespace xrt {

class run {
  public:
    run() = default;
    explicit run(ert_cmd_state state) : state_(state) {}
    ert_cmd_state wait(const std::chrono::milliseconds & = std::chrono::milliseconds{0}) const { return state_; }
    ert_cmd_state state() const { return state_; }

  private:
    ert_cmd_state state_ = ERT_CMD_STATE_NEW;
};

class kernel {
  public:
    kernel() = default;
    kernel(const xrt::device &, const xrt::uuid &, const std::string &name) : name_(name) {
        auto it = xrt_shim::kernels().find(name);
        if (it == xrt_shim::kernels().end())
            throw std::runtime_error("No such kernel '" + name + "' in the emulator executable");
        fn_ = it->second;
        auto load = xrt_shim::loaders().find(name);
        if (load != xrt_shim::loaders().end()) {
            load->second();
            xrt_shim::loaders().erase(load);
        }
    }

    // Each argument gets its own memory bank (the card's linker decides; here it does not matter).
    int group_id(int argno) const { return argno; }

    template <typename... Args> xrt::run operator()(Args &&...args) {
        std::vector<xrt_shim::arg> packed;
        pack(packed, std::forward<Args>(args)...);
        fn_(packed);
        return xrt::run(ERT_CMD_STATE_COMPLETED);
    }

  private:
    static void pack(std::vector<xrt_shim::arg> &) {}
    template <typename T, typename... Rest> static void pack(std::vector<xrt_shim::arg> &out, T &&first, Rest &&...rest) {
        out.push_back(to_arg(std::forward<T>(first)));
        pack(out, std::forward<Rest>(rest)...);
    }
    static xrt_shim::arg to_arg(const xrt::bo &b) { return xrt_shim::arg{b.address(), 0}; }
    template <typename T, typename = typename std::enable_if<std::is_integral<typename std::decay<T>::type>::value>::type>
    static xrt_shim::arg to_arg(T v) { return xrt_shim::arg{nullptr, static_cast<unsigned long long>(v)}; }

    std::string name_;
    xrt_shim::kernel_function fn_;
};

} // namespace xrt

#endif
