#ifndef PROVENANCE_CSHA256_H
#define PROVENANCE_CSHA256_H
#include <stddef.h>
#include <stdint.h>

// SHA-256 with the x86 SHA extensions (SHA-NI), one stream or two interleaved on one core. SHA-NI rounds
// are latency-bound (each depends on the last), so a second, independent message fills the unit's idle
// issue slots: two streams cost little more than one. OpenSSL stays the reference and the fallback: these
// functions are only called when pv_sha256_available() says the CPU has the instructions.

/// A streaming SHA-256: the chaining state, the bytes so far, and a partial block.
typedef struct {
    uint32_t h[8];
    uint64_t length;
    uint8_t buffer[64];
    uint32_t buffered;
} pv_sha256;

/// 1 when the CPU reports SHA-NI, SSSE3 and SSE4.1 (CPUID), else 0 (and on other architectures).
int pv_sha256_available(void);

void pv_sha256_init(pv_sha256 *ctx);
void pv_sha256_update(pv_sha256 *ctx, const void *data, size_t length);
/// Two messages' next `length` bytes each (the same data may be given for both), interleaved. `a` and `b`
/// must be two different contexts (the same one traps).
void pv_sha256_update2(pv_sha256 *a, const void *data_a, pv_sha256 *b, const void *data_b, size_t length);
/// Writes the digest and resets the context for the next message.
void pv_sha256_final(pv_sha256 *ctx, uint8_t out[32]);

/// The compression function alone, for the tests: `blocks` 64-byte blocks into `state`.
void pv_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);
void pv_sha256_blocks2(uint32_t state_a[8], const uint8_t *data_a, uint32_t state_b[8], const uint8_t *data_b,
                       size_t blocks);

#endif
