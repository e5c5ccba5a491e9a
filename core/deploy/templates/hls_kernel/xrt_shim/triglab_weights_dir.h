// Forced into every emulator translation unit (g++ -include): WEIGHTS_DIR is defined as
// triglab_weights_dir(), so hls4ml's firmware finds its weight files at run time.
#ifndef TRIGLAB_WEIGHTS_DIR_H_
#define TRIGLAB_WEIGHTS_DIR_H_
const char *triglab_weights_dir();
#endif
