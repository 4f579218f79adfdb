#if canImport(Glibc)
    import Glibc
#endif

/// Ctrl-C handling for long runs: the first SIGINT only sets a flag, which the work checks between
/// steps, so a run stops cleanly after the step it is in (its journal says where to resume).
/// A second SIGINT ends the process at once, as usual.
public enum Interrupt {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    public static var requested: Bool { flag != 0 }

    public static func install() {
        // An inherited blocked mask (some launchers block SIGINT) would make Ctrl-C do nothing.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT) { _ in
            if Interrupt.flag != 0 { _exit(130) }
            Interrupt.flag = 1
        }
    }

    /// Throws if an interrupt was requested (call between steps).
    public static func check(_ whereStopped: @autoclosure () -> String) throws {
        if requested {
            throw ProvenanceError(.interrupted, "interrupted \(whereStopped()); run the same command again to resume")
        }
    }
}
