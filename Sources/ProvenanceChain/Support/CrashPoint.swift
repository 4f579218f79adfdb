import Foundation

/// Test hook for crash tests: with PROVENANCE_TEST_CRASH_AT=NAME the process kills itself with
/// SIGKILL when it reaches that point — as a power cut would, with no cleanup.
enum CrashPoint {
    static func hit(_ name: String) {
        if ProcessInfo.processInfo.environment["PROVENANCE_TEST_CRASH_AT"] == name { kill(getpid(), SIGKILL) }
        // PROVENANCE_TEST_INTERRUPT_AT=NAME: as if the user pressed Ctrl-C at that point.
        if ProcessInfo.processInfo.environment["PROVENANCE_TEST_INTERRUPT_AT"] == name { raise(SIGINT) }
    }
}
