// emulator_glue.cpp -- what the emulator executable adds around host.cpp and the kernel:
//   * registers triglab_kernel with the XRT shim, so that xrt::kernel(device, uuid,
//     "triglab_kernel") finds it (and runs it once on a zero event: see triglab_load) and
//     calling it runs the kernel C++ on this CPU;
//   * defines the trace switches hls4ml's firmware refers to outside synthesis (off: no tracing);
//   * tells the firmware where its weight files are: $TRIGLAB_HLS_WEIGHTS, else the folder
//     'weights' next to this executable (hls4ml's C simulation reads them at run time, and
//     WEIGHTS_DIR is defined as triglab_weights_dir() when the firmware is compiled).
#include <climits>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

#include "triglab_kernel.h"
#include "triglab_weights_dir.h"
#include "xrt/xrt_shim.h"

namespace nnet {
bool trace_enabled = false;
std::map<std::string, void *> *trace_outputs = nullptr;
size_t trace_type_size = sizeof(double);
} // namespace nnet

const char *triglab_weights_dir() {
    static std::string dir;
    if (dir.empty()) {
        const char *env = std::getenv("TRIGLAB_HLS_WEIGHTS");
        if (env && *env) {
            dir = env;
        } else {
            char exe[PATH_MAX];
            ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
            std::string path = n > 0 ? std::string(exe, static_cast<size_t>(n)) : std::string(".");
            size_t slash = path.find_last_of('/');
            dir = (slash == std::string::npos ? std::string(".") : path.substr(0, slash)) + "/weights";
        }
    }
    return dir.c_str();
}

static void triglab_call(const std::vector<xrt_shim::arg> &a) {
    if (a.size() != 3)
        throw std::runtime_error("triglab_kernel takes 3 arguments (in, out, n_events)");
    triglab_kernel(static_cast<const float *>(a[0].ptr), static_cast<float *>(a[1].ptr),
                   static_cast<unsigned int>(a[2].value));
}

// Opening the kernel runs it once on a zero event, so that hls4ml reads its weight files then
// (on the card the weights come with the xclbin) and not inside the first timed batch.
static void triglab_load() {
    std::vector<float> in(TRIGLAB_N_IN, 0.0f), out(TRIGLAB_N_OUT, 0.0f);
    triglab_kernel(in.data(), out.data(), 1);
}

static xrt_shim::registration triglab_kernel_registration(TRIGLAB_KERNEL_NAME, triglab_call, triglab_load);
