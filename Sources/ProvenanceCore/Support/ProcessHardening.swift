internal import CSystem

/// Process-wide protections for a tool that holds keys.
public enum ProcessHardening {
    /// Disables core dumps (RLIMIT_CORE 0 and, on Linux, not dumpable) so key material cannot land in a
    /// core file. Returns false if the system refused either call.
    @discardableResult
    public static func disableCoreDumps() -> Bool { pv_disable_core_dumps() == 0 }
}
