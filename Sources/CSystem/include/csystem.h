#ifndef PROVENANCE_CSYSTEM_H
#define PROVENANCE_CSYSTEM_H
#include <stddef.h>
// Process-level calls Swift cannot make directly (prctl is variadic, signal handlers must be C).

/// Disables core dumps for this process so key material cannot land in a core file.
/// Returns 0 on success, -1 if either setrlimit or prctl failed.
int pv_disable_core_dumps(void);

/// memmem(3) (a GNU extension Swift's Glibc module does not show): the first occurrence of the `needle_len`
/// bytes of `needle` in the `hay_len` bytes of `hay`, or NULL.
const void *pv_memmem(const void *hay, size_t hay_len, const void *needle, size_t needle_len);

/// syncfs(2): makes everything written to the filesystem holding `fd` durable, in one call.
/// Returns 0 on success, -1 with errno set.
int pv_syncfs(int fd);

// Guarded file mappings. A file read through mmap raises SIGBUS when a page past its end is touched
// (another process truncated it) or cannot be read (an I/O error). Inside a registered range the
// handler maps a page of zeros over the faulting page, notes the fault and returns, so the reader
// finishes and then reports the file unreadable instead of the process dying. A fault anywhere else
// goes to the handler that was there before (the default: the process stops).

/// Installs the SIGBUS handler once. Returns 0, or -1 if sigaction failed.
int pv_guard_install(void);

/// Registers [base, base + length) as a guarded mapping. Returns a slot (>= 0), or -1 when all slots
/// are taken (the caller reads the file instead of mapping it).
int pv_guard_register(const void *base, size_t length);

/// 1 if a fault was absorbed in the slot's range since it was registered, else 0.
int pv_guard_faulted(int slot);

/// Releases the slot; call before unmapping its range.
void pv_guard_unregister(int slot);
#endif
