// host.cpp -- TrigLab's host program for the hls4ml XRT kernel 'triglab_kernel'.
//
// Written once against XRT's native C++ API (xrt::device, xrt::kernel, xrt::bo, xrt::run):
//   * compiled against the real XRT (-I$XILINX_XRT/include -lxrt_coreutil) it drives the card;
//   * compiled against TrigLab's shim (-Ixrt_shim, kernel and firmware linked in) it drives the
//     kernel C++ in-process: the emulator. Same code path, same timings, no card.
//
// Usage:
//   host --xclbin FILE --input IN.bin --output OUT.bin --timings T.json --events N --batch B
//        [--device INDEX]
// IN.bin holds N x TRIGLAB_N_IN float32, OUT.bin receives N x TRIGLAB_N_OUT float32 (native
// little-endian). Every batch is timed from the host's point of view, transfers included:
// write + sync to device + run + wait + sync from device + read.
#include <xrt/xrt_bo.h>
#include <xrt/xrt_device.h>
#include <xrt/xrt_kernel.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "triglab_kernel.h"

namespace {

struct Options {
    std::string xclbin, input, output, timings;
    unsigned long events = 0, batch = 0;
    unsigned int device = 0;
};

unsigned long parse_count(const std::string &flag, const char *text) {
    char *end = nullptr;
    unsigned long v = std::strtoul(text, &end, 10);
    if (end == text || *end != '\0' || v == 0)
        throw std::runtime_error(flag + " needs a positive integer, got '" + text + "'");
    return v;
}

Options parse(int argc, char **argv) {
    Options o;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (i + 1 >= argc)
            throw std::runtime_error("option " + a + " needs a value");
        const char *v = argv[++i];
        if (a == "--xclbin") o.xclbin = v;
        else if (a == "--input") o.input = v;
        else if (a == "--output") o.output = v;
        else if (a == "--timings") o.timings = v;
        else if (a == "--events") o.events = parse_count(a, v);
        else if (a == "--batch") o.batch = parse_count(a, v);
        else if (a == "--device") o.device = static_cast<unsigned int>(std::strtoul(v, nullptr, 10));
        else throw std::runtime_error("unknown option " + a);
    }
    if (o.xclbin.empty() || o.input.empty() || o.output.empty() || o.timings.empty() || !o.events || !o.batch)
        throw std::runtime_error("usage: host --xclbin FILE --input IN.bin --output OUT.bin --timings T.json "
                                 "--events N --batch B [--device INDEX]");
    return o;
}

std::vector<float> read_events(const Options &o) {
    std::ifstream f(o.input, std::ios::binary | std::ios::ate);
    if (!f) throw std::runtime_error("cannot open the input file " + o.input);
    const std::streamoff bytes = f.tellg();
    const std::streamoff want = static_cast<std::streamoff>(o.events * TRIGLAB_N_IN * sizeof(float));
    if (bytes != want)
        throw std::runtime_error("the input file " + o.input + " has " + std::to_string(bytes) + " bytes; " +
                                 std::to_string(o.events) + " events of " + std::to_string(TRIGLAB_N_IN) +
                                 " float32 need " + std::to_string(want));
    std::vector<float> x(o.events * TRIGLAB_N_IN);
    f.seekg(0);
    f.read(reinterpret_cast<char *>(x.data()), want);
    if (!f) throw std::runtime_error("cannot read the input file " + o.input);
    return x;
}

std::string json_string(const std::string &s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') { out += '\\'; out += c; }
        else if (static_cast<unsigned char>(c) < 0x20) out += ' ';
        else out += c;
    }
    return out + "\"";
}

} // namespace

int main(int argc, char **argv) {
    try {
        const Options o = parse(argc, argv);
        std::vector<float> x = read_events(o);
        std::vector<float> y(o.events * TRIGLAB_N_OUT);

        const auto t_open = std::chrono::steady_clock::now();
        xrt::device device(o.device);
        const std::string device_name = device.get_info<xrt::info::device::name>();
        const std::string device_bdf = device.get_info<xrt::info::device::bdf>();
        const xrt::uuid uuid = device.load_xclbin(o.xclbin);
        xrt::kernel kernel(device, uuid, TRIGLAB_KERNEL_NAME);
        // Buffers for one batch (no larger than the whole run).
        const unsigned long per_call = o.batch < o.events ? o.batch : o.events;
        const size_t in_bytes = per_call * TRIGLAB_N_IN * sizeof(float);
        const size_t out_bytes = per_call * TRIGLAB_N_OUT * sizeof(float);
        // One buffer each, in the memory bank the kernel's AXI port is connected to.
        xrt::bo in_bo(device, in_bytes, kernel.group_id(0));
        xrt::bo out_bo(device, out_bytes, kernel.group_id(1));
        const double open_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t_open).count();
        std::cout << "device " << device_bdf << " " << device_name << std::endl;

        const unsigned long n_batches = (o.events + o.batch - 1) / o.batch;
        const unsigned long report_every = n_batches > 100 ? n_batches / 100 : 1;
        std::vector<double> seconds;
        seconds.reserve(n_batches);
        const auto t_all = std::chrono::steady_clock::now();
        for (unsigned long b = 0; b < n_batches; b++) {
            const unsigned long first = b * o.batch;
            const unsigned long n = (o.events - first < o.batch) ? o.events - first : o.batch;
            const size_t nin = n * TRIGLAB_N_IN * sizeof(float), nout = n * TRIGLAB_N_OUT * sizeof(float);
            const auto t0 = std::chrono::steady_clock::now();
            in_bo.write(x.data() + first * TRIGLAB_N_IN, nin, 0);
            in_bo.sync(XCL_BO_SYNC_BO_TO_DEVICE, nin, 0);
            xrt::run run = kernel(in_bo, out_bo, static_cast<unsigned int>(n));
            const auto state = run.wait();
            if (state != ERT_CMD_STATE_COMPLETED)
                throw std::runtime_error("the kernel run of batch " + std::to_string(b) +
                                         " ended in state " + std::to_string(static_cast<int>(state)));
            out_bo.sync(XCL_BO_SYNC_BO_FROM_DEVICE, nout, 0);
            out_bo.read(y.data() + first * TRIGLAB_N_OUT, nout, 0);
            seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            if ((b + 1) % report_every == 0 || b + 1 == n_batches)
                std::cout << "TRIGLAB-PROGRESS " << first + n << " " << o.events << std::endl;
        }
        const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_all).count();

        std::ofstream out(o.output, std::ios::binary);
        out.write(reinterpret_cast<const char *>(y.data()), static_cast<std::streamsize>(y.size() * sizeof(float)));
        if (!out) throw std::runtime_error("cannot write the output file " + o.output);
        out.close();

        std::ofstream t(o.timings);
        t.precision(9);
        t << "{\"schema\": \"triglab-hls-host-timings/1\", \"device\": " << json_string(device_name)
          << ", \"bdf\": " << json_string(device_bdf) << ", \"xclbin_uuid\": " << json_string(uuid.to_string())
          << ", \"events\": " << o.events << ", \"batch_size\": " << o.batch << ", \"n_in\": " << TRIGLAB_N_IN
          << ", \"n_out\": " << TRIGLAB_N_OUT << ", \"open_seconds\": " << open_seconds
          << ", \"total_seconds\": " << total << ", \"batch_seconds\": [";
        for (size_t i = 0; i < seconds.size(); i++) t << (i ? ", " : "") << seconds[i];
        t << "]}\n";
        if (!t) throw std::runtime_error("cannot write the timings file " + o.timings);
        return 0;
    } catch (const std::exception &e) {
        std::cerr << "ERROR: " << e.what() << std::endl;
        return 1;
    }
}
