import Foundation

/// Expands command-line paths into the files to process: directories walked recursively in name
/// order, skipping hidden entries and names the caller excludes (the tool's own manifests); anything
/// else passed through as given — files, "-", and paths that do not exist, which the command then
/// reports one by one without stopping the rest. Symbolic links inside directories are not followed
/// unless asked.
public enum FileWalker {
    public static func expand(
        _ paths: [String], followSymlinks: Bool = false, excluding excluded: (String) -> Bool = { _ in false }
    ) throws -> [String] {
        var out: [String] = []
        for path in paths {
            var isDir: ObjCBool = false
            var visited = Set<DirectoryID>()
            if path != "-", FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                out += try walk(path, followSymlinks: followSymlinks, excluded: excluded, visited: &visited)
            } else {
                out.append(path)
            }
        }
        return out
    }

    /// A directory's identity, so a symbolic-link loop is walked once, not forever.
    struct DirectoryID: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    private static func walk(
        _ dir: String, followSymlinks: Bool, excluded: (String) -> Bool, visited: inout Set<DirectoryID>
    ) throws -> [String] {
        var st = stat()
        guard stat(dir, &st) == 0 else { throw ProvenanceError.input("\(dir): cannot read directory") }
        guard visited.insert(DirectoryID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))).inserted else {
            return []
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted() } catch {
            throw ProvenanceError.input("\(dir): cannot list directory")
        }
        var out: [String] = []
        for name in names where !name.hasPrefix(".") && !excluded(name) {
            let path = (dir as NSString).appendingPathComponent(name)
            let attrs = try? FileManager.default.attributesOfItem(atPath: path)
            let type = attrs?[.type] as? FileAttributeType
            if type == .typeSymbolicLink && !followSymlinks { continue }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { continue }
            if isDir.boolValue {
                out += try walk(path, followSymlinks: followSymlinks, excluded: excluded, visited: &visited)
            } else if type == .typeRegular || (type == .typeSymbolicLink && followSymlinks) {
                out.append(path)
            }
        }
        return out
    }
}
