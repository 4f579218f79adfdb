// SHA-256 (FIPS 180-4) on the x86 SHA extensions, one stream or two interleaved. Written for this project
// from the instruction definitions (Intel SDM: SHA256RNDS2, SHA256MSG1, SHA256MSG2); tested against the
// NIST CAVP vectors and differentially against OpenSSL (Tests/ProvenanceTests/SHA256KernelTests.swift).
#include "csha256.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define PV_X86 1
#endif

#ifdef PV_X86
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};
#endif

static const uint32_t H0[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

int pv_sha256_available(void) {
#ifdef PV_X86
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    int sha = (b >> 29) & 1;
    return ssse3 && sse41 && sha;
#else
    return 0;
#endif
}

#ifdef PV_X86
#define PV_TARGET __attribute__((target("sha,sse4.1,ssse3")))

// The state lives in two registers as the instructions want it: ABEF and CDGH (high lane first).
PV_TARGET static inline void load_state(const uint32_t s[8], __m128i *abef, __m128i *cdgh) {
    __m128i dcba = _mm_loadu_si128((const __m128i *)&s[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&s[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    *abef = _mm_alignr_epi8(cdab, efgh, 8);
    *cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
}

PV_TARGET static inline void store_state(uint32_t s[8], __m128i abef, __m128i cdgh) {
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&s[0], _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)&s[4], _mm_alignr_epi8(dchg, feba, 8));
}

// One quad of rounds (4 of 64): the schedule word for quad q >= 4 from the four before it, then two
// SHA256RNDS2 of two rounds each. w[q & 3] holds quad q's words once computed.
#define PV_SCHEDULE(w, q)                                                                                   \
    do {                                                                                                    \
        if ((q) >= 4) {                                                                                     \
            __m128i t = _mm_add_epi32(_mm_sha256msg1_epu32(w[(q) & 3], w[((q) + 1) & 3]),                 \
                                      _mm_alignr_epi8(w[((q) + 3) & 3], w[((q) + 2) & 3], 4));              \
            w[(q) & 3] = _mm_sha256msg2_epu32(t, w[((q) + 3) & 3]);                                         \
        }                                                                                                   \
    } while (0)

#define PV_ROUNDS(w, q, abef, cdgh)                                                                         \
    do {                                                                                                    \
        __m128i m = _mm_add_epi32(w[(q) & 3], _mm_loadu_si128((const __m128i *)&K[4 * (q)]));            \
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, m);                                                        \
        abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(m, 0x0E));                               \
    } while (0)

PV_TARGET static inline void load_block(__m128i w[4], const uint8_t *p) {
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    for (int i = 0; i < 4; i++) w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), swap);
}

PV_TARGET void pv_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks) {
    __m128i abef, cdgh;
    load_state(state, &abef, &cdgh);
    for (; blocks > 0; blocks--, data += 64) {
        __m128i w[4], abef0 = abef, cdgh0 = cdgh;
        load_block(w, data);
#pragma GCC unroll 16
        for (int q = 0; q < 16; q++) {
            PV_SCHEDULE(w, q);
            PV_ROUNDS(w, q, abef, cdgh);
        }
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
    }
    store_state(state, abef, cdgh);
}

// Two independent messages, their instructions interleaved so that one's rounds run while the other's
// wait on their latency.
PV_TARGET void pv_sha256_blocks2(uint32_t state_a[8], const uint8_t *a, uint32_t state_b[8], const uint8_t *b,
                                 size_t blocks) {
    __m128i abef_a, cdgh_a, abef_b, cdgh_b;
    load_state(state_a, &abef_a, &cdgh_a);
    load_state(state_b, &abef_b, &cdgh_b);
    for (; blocks > 0; blocks--, a += 64, b += 64) {
        __m128i wa[4], wb[4], abef_a0 = abef_a, cdgh_a0 = cdgh_a, abef_b0 = abef_b, cdgh_b0 = cdgh_b;
        load_block(wa, a);
        load_block(wb, b);
#pragma GCC unroll 16
        for (int q = 0; q < 16; q++) {
            PV_SCHEDULE(wa, q);
            PV_SCHEDULE(wb, q);
            PV_ROUNDS(wa, q, abef_a, cdgh_a);
            PV_ROUNDS(wb, q, abef_b, cdgh_b);
        }
        abef_a = _mm_add_epi32(abef_a, abef_a0);
        cdgh_a = _mm_add_epi32(cdgh_a, cdgh_a0);
        abef_b = _mm_add_epi32(abef_b, abef_b0);
        cdgh_b = _mm_add_epi32(cdgh_b, cdgh_b0);
    }
    store_state(state_a, abef_a, cdgh_a);
    store_state(state_b, abef_b, cdgh_b);
}
#else
// Never called: pv_sha256_available() is 0 here and callers use OpenSSL.
void pv_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks) {
    (void)state, (void)data, (void)blocks;
    __builtin_trap();
}
void pv_sha256_blocks2(uint32_t state_a[8], const uint8_t *a, uint32_t state_b[8], const uint8_t *b,
                       size_t blocks) {
    (void)state_a, (void)a, (void)state_b, (void)b, (void)blocks;
    __builtin_trap();
}
#endif

void pv_sha256_init(pv_sha256 *ctx) {
    memcpy(ctx->h, H0, sizeof H0);
    ctx->length = 0;
    ctx->buffered = 0;
}

// Completes a partial block from `*data`; returns the bytes taken.
static size_t fill(pv_sha256 *ctx, const uint8_t *data, size_t length) {
    if (ctx->buffered == 0 || length == 0) return 0;
    size_t take = 64 - ctx->buffered;
    if (take > length) take = length;
    memcpy(ctx->buffer + ctx->buffered, data, take);
    ctx->buffered += (uint32_t)take;
    if (ctx->buffered == 64) {
        pv_sha256_blocks(ctx->h, ctx->buffer, 1);
        ctx->buffered = 0;
    }
    return take;
}

static void keep(pv_sha256 *ctx, const uint8_t *data, size_t length) {
    if (length == 0) return;
    memcpy(ctx->buffer + ctx->buffered, data, length);
    ctx->buffered += (uint32_t)length;
}

void pv_sha256_update(pv_sha256 *ctx, const void *data, size_t length) {
    const uint8_t *p = data;
    ctx->length += length;
    size_t took = fill(ctx, p, length);
    p += took;
    length -= took;
    if (length >= 64) {
        pv_sha256_blocks(ctx->h, p, length / 64);
        p += length / 64 * 64;
        length %= 64;
    }
    if (length > 0) keep(ctx, p, length);
}

void pv_sha256_update2(pv_sha256 *a, const void *data_a, pv_sha256 *b, const void *data_b, size_t length) {
    if (a == b) __builtin_trap();  // one context cannot be two streams: a wrong digest, never returned
    const uint8_t *pa = data_a, *pb = data_b;
    a->length += length;
    b->length += length;
    size_t ta = fill(a, pa, length), tb = fill(b, pb, length);
    size_t la = length - ta, lb = length - tb;
    pa += ta;
    pb += tb;
    // Both block-aligned now (or out of data): the blocks they both have go through together.
    size_t both = (la < lb ? la : lb) / 64;
    if (both > 0) {
        pv_sha256_blocks2(a->h, pa, b->h, pb, both);
        pa += both * 64;
        pb += both * 64;
        la -= both * 64;
        lb -= both * 64;
    }
    if (la >= 64) {
        pv_sha256_blocks(a->h, pa, la / 64);
        pa += la / 64 * 64;
        la %= 64;
    }
    if (lb >= 64) {
        pv_sha256_blocks(b->h, pb, lb / 64);
        pb += lb / 64 * 64;
        lb %= 64;
    }
    if (la > 0) keep(a, pa, la);
    if (lb > 0) keep(b, pb, lb);
}

void pv_sha256_final(pv_sha256 *ctx, uint8_t out[32]) {
    uint64_t bits = ctx->length * 8;
    uint8_t pad[72] = {0x80};
    size_t padding = (ctx->buffered < 56 ? 56 : 120) - ctx->buffered;
    for (int i = 0; i < 8; i++) pad[padding + i] = (uint8_t)(bits >> (56 - 8 * i));
    pv_sha256_update(ctx, pad, padding + 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(ctx->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(ctx->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(ctx->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)ctx->h[i];
    }
    pv_sha256_init(ctx);
}
