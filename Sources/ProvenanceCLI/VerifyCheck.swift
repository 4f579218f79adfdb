import ProvenanceChain
import ProvenanceCore

/// `verify --check`, in the spirit of `sha256sum -c`: a directory is a set, and what left it is told. Every
/// manifest in the directories given whose file is not beside it is a `missing` verdict (exit 1); files with no
/// manifest beside them are counted as extra in the summary (each still has its own verdict).
enum VerifyCheck {
    /// Reports the missing files into `report` and returns how many there were.
    static func report(_ paths: [String], followSymlinks: Bool, into report: VerdictPrinter) throws -> Int {
        let dirs = paths.filter { !WebClient.isURL($0) && FSPath.exists($0).isDirectory }
        guard !dirs.isEmpty else { return 0 }
        var missing = 0
        // Counted, with the first few named: an archive verified on chain may have no manifests at all.
        var extra = (count: 0, first: [String]())
        // The walk the run made, manifests included this time (hidden entries, the journal among them, skipped).
        try FileWalker.Stream(dirs, followSymlinks: followSymlinks).forEachWindow(of: VerifyCommand.offlineWindow) {
            window in
            for path in window {
                if Manifest.isManifestName(path) {
                    let file = String(path.dropLast(Manifest.suffix.count))
                    guard !FSPath.exists(file).exists else { continue }
                    var v = Verdict(path: file, status: .missing, reasons: [.fileMissing(manifest: path)])
                    v.manifestPath = path
                    report.add(v, identities: [:])
                    missing += 1
                } else if !FSPath.exists(Manifest.path(for: path)).exists {
                    extra.count += 1
                    if extra.first.count < 3 { extra.first.append(path) }
                }
            }
        }
        report.extra = extra
        return missing
    }
}
