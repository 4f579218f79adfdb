#define _GNU_SOURCE
#include "csystem.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sys/resource.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

int pv_disable_core_dumps(void) {
    struct rlimit none = {0, 0};
    int rc = setrlimit(RLIMIT_CORE, &none);
#ifdef __linux__
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) rc = -1;
#endif
    return rc;
}

int pv_syncfs(int fd) {
#ifdef __linux__
    return syncfs(fd);
#else
    (void)fd;
    sync();
    return 0;
#endif
}

// 64 slots: one per mapping being read at once (a few per hashing thread).
#define PV_GUARD_SLOTS 64
static _Atomic(uintptr_t) guard_start[PV_GUARD_SLOTS];
static _Atomic(uintptr_t) guard_end[PV_GUARD_SLOTS];
static atomic_int guard_faults[PV_GUARD_SLOTS];
static atomic_int guard_taken[PV_GUARD_SLOTS];
static struct sigaction guard_previous;
static uintptr_t guard_page_size;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;
static int guard_install_result = -1;

static void guard_on_sigbus(int sig, siginfo_t *info, void *context) {
    uintptr_t address = (uintptr_t)info->si_addr;
    int saved_errno = errno;
    for (int i = 0; i < PV_GUARD_SLOTS; i++) {
        uintptr_t start = atomic_load(&guard_start[i]);
        if (start != 0 && address >= start && address < atomic_load(&guard_end[i])) {
            void *page = (void *)(address & ~(guard_page_size - 1));
            // mmap is a plain system call here; the retried access reads zeros.
            if (mmap(page, guard_page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
                atomic_store(&guard_faults[i], 1);
                errno = saved_errno;
                return;
            }
        }
    }
    // Not a guarded range: give the fault to whoever handled it before (it recurs on return).
    sigaction(SIGBUS, &guard_previous, NULL);
    (void)sig;
    (void)context;
    errno = saved_errno;
}

static void guard_install_once(void) {
    guard_page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = guard_on_sigbus;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    guard_install_result = sigaction(SIGBUS, &action, &guard_previous) == 0 ? 0 : -1;
}

int pv_guard_install(void) {
    pthread_once(&guard_once, guard_install_once);
    return guard_install_result;
}

int pv_guard_register(const void *base, size_t length) {
    if (base == NULL || length == 0) return -1;
    for (int i = 0; i < PV_GUARD_SLOTS; i++) {
        int free_slot = 0;
        if (atomic_compare_exchange_strong(&guard_taken[i], &free_slot, 1)) {
            atomic_store(&guard_faults[i], 0);
            atomic_store(&guard_end[i], (uintptr_t)base + length);
            atomic_store(&guard_start[i], (uintptr_t)base);
            return i;
        }
    }
    return -1;
}

int pv_guard_faulted(int slot) {
    if (slot < 0 || slot >= PV_GUARD_SLOTS) return 0;
    return atomic_load(&guard_faults[slot]);
}

void pv_guard_unregister(int slot) {
    if (slot < 0 || slot >= PV_GUARD_SLOTS) return;
    atomic_store(&guard_start[slot], 0);
    atomic_store(&guard_end[slot], 0);
    atomic_store(&guard_taken[slot], 0);
}

const void *pv_memmem(const void *hay, size_t hay_len, const void *needle, size_t needle_len) {
    return memmem(hay, hay_len, needle, needle_len);
}
