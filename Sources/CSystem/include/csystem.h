#ifndef PROVENANCE_CSYSTEM_H
#define PROVENANCE_CSYSTEM_H
// Process-level calls Swift cannot make directly (prctl is variadic).

/// Disables core dumps for this process so key material cannot land in a core file.
/// Returns 0 on success, -1 if either setrlimit or prctl failed.
int pv_disable_core_dumps(void);

/// syncfs(2): makes everything written to the filesystem holding `fd` durable, in one call.
/// Returns 0 on success, -1 with errno set.
int pv_syncfs(int fd);
#endif
