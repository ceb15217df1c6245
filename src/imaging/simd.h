#pragma once
// Hot loops are built twice on x86-64, for AVX2 and for the baseline (SSE2), and the CPU picks
// at load time (GCC's target_clones; an ifunc). Elsewhere (an arm64 build) they are built once.
#if defined(__x86_64__)
#define SY_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SY_VECTOR_CLONES
#endif
