// TrigLab XRT shim: xrt::bo (NOT XRT; see ../README.md). A buffer is host memory shared by its
// copies (XRT's bo is a handle too); sync has nothing to move.
#ifndef TRIGLAB_XRT_BO_H_
#define TRIGLAB_XRT_BO_H_

#include <cstring>

#include "xrt/xrt_device.h"
#include "xrt/xrt_shim.h"

namespace xrt {
using memory_group = uint32_t;

class bo {
  public:
    bo() = default;
    bo(const xrt::device &, size_t size, memory_group)
        : mem_(std::make_shared<std::vector<unsigned char>>(size)) {}

    size_t size() const { return mem_ ? mem_->size() : 0; }

    void write(const void *src, size_t size, size_t seek) {
        check(size, seek, "write");
        std::memcpy(mem_->data() + seek, src, size);
    }
    void write(const void *src) { write(src, this->size(), 0); }

    void read(void *dst, size_t size, size_t skip) {
        check(size, skip, "read");
        std::memcpy(dst, mem_->data() + skip, size);
    }
    void read(void *dst) { read(dst, this->size(), 0); }

    void sync(xclBOSyncDirection, size_t size, size_t offset) { check(size, offset, "sync"); }
    void sync(xclBOSyncDirection dir) { sync(dir, this->size(), 0); }

    template <typename MapType> MapType map() { return reinterpret_cast<MapType>(mem_->data()); }

    void *address() const { return mem_ ? mem_->data() : nullptr; }

  private:
    void check(size_t size, size_t offset, const char *what) const {
        if (!mem_ || offset + size > mem_->size())
            throw std::runtime_error(std::string("xrt::bo::") + what + ": " + std::to_string(size) +
                                     " bytes at offset " + std::to_string(offset) + " exceed the buffer");
    }
    std::shared_ptr<std::vector<unsigned char>> mem_;
};
} // namespace xrt

#endif
