import Foundation

/// The one seam through which tests reach into a real run of the binary — the kill -9, Ctrl-C and
/// many-window tests, which must exercise the shipped code path, not a stand-in. Every hook reads a
/// `PROVENANCE_TEST_*` environment variable; nothing else in the sources does.
public enum TestSeam {
    /// PROVENANCE_TEST_CRASH_AT=NAME: the process kills itself with SIGKILL at that point — as a power cut
    /// would, with no cleanup. PROVENANCE_TEST_INTERRUPT_AT=NAME: as if the user pressed Ctrl-C there.
    static func crashPoint(_ name: String) {
        let env = ProcessInfo.processInfo.environment
        if env["PROVENANCE_TEST_CRASH_AT"] == name { kill(getpid(), SIGKILL) }
        if env["PROVENANCE_TEST_INTERRUPT_AT"] == name { raise(SIGINT) }
    }

    /// PROVENANCE_TEST_ATTEST_WINDOW=N: files per window of an attest run, for tests of runs that span
    /// several windows without making thousands of files.
    public static var attestWindow: Int? {
        ProcessInfo.processInfo.environment["PROVENANCE_TEST_ATTEST_WINDOW"].flatMap { Int($0) }.map { max(1, $0) }
    }
}
