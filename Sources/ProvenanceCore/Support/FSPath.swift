import Foundation

/// File names are bytes, not text: Linux allows any byte but `/` and NUL, and archives hold names that are
/// not valid UTF-8 (Latin-1 from old systems, truncated multi-byte names). Swift's String cannot hold such
/// bytes, and Foundation replaces them (U+FFFD), so the name no longer opens the file. Here a path is a String
/// in which each byte that is not part of valid UTF-8 is carried as one scalar of U+10FF00 + byte (the end of
/// Supplementary Private Use Area-B). To stay exact both ways, a name's own U+10FF00–U+10FFFF characters are
/// carried the same way, byte by byte; every path goes back to its bytes before any system call.
public enum FSPath {
    static let base: UInt32 = 0x10FF00

    /// A name or path as the file system gave it.
    public static func decode(_ bytes: some Collection<UInt8>) -> String {
        let array = Array(bytes)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < array.count {
            let (scalar, length) = scalarAt(array, i)
            if let scalar, !(base...(base + 0xff)).contains(scalar.value) {
                out.append(scalar)
            } else {
                for b in array[i..<i + length] { out.append(Unicode.Scalar(base + UInt32(b))!) }
            }
            i += length
        }
        return String(out)
    }

    /// The bytes a path names.
    public static func encode(_ path: String) -> [UInt8] {
        guard path.unicodeScalars.contains(where: { $0.value >= base }) else { return Array(path.utf8) }
        var out: [UInt8] = []
        for s in path.unicodeScalars {
            if s.value >= base && s.value <= base + 0xff {
                out.append(UInt8(s.value - base))
            } else {
                out += Array(String(s).utf8)
            }
        }
        return out
    }

    /// Whether the path carries bytes that are not UTF-8 (so Foundation's path APIs must not see it).
    public static func hasRawBytes(_ path: String) -> Bool { path.unicodeScalars.contains { $0.value >= base } }

    /// The raw byte a scalar carries, if it is one of this encoding's.
    public static func rawByte(_ s: Unicode.Scalar) -> UInt8? {
        s.value >= base && s.value <= base + 0xff ? UInt8(s.value - base) : nil
    }

    public static func withCString<R>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        let bytes = encode(path) + [0]
        return try bytes.withUnsafeBufferPointer { buffer in
            try buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { try body($0) }
        }
    }

    /// The command line's arguments, each decoded from its bytes.
    public static func arguments() -> [String] {
        (0..<Int(CommandLine.argc)).map { i in
            guard let p = CommandLine.unsafeArgv[i] else { return "" }
            return decode(
                UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p)))
        }
    }

    /// Whether something is at the path (links followed), and whether it is a directory.
    public static func exists(_ path: String) -> (exists: Bool, isDirectory: Bool) {
        var st = Glibc.stat()
        guard withCString(path, { fstatat(AT_FDCWD, $0, &st, 0) }) == 0 else { return (false, false) }
        return (true, st.st_mode & S_IFMT == S_IFDIR)
    }

    /// stat (or, not following a link, lstat) of the path; nil when it fails (errno says why).
    public static func status(_ path: String, followLinks: Bool = true) -> stat? {
        var st = Glibc.stat()
        let flags = followLinks ? 0 : AT_SYMLINK_NOFOLLOW
        return withCString(path, { fstatat(AT_FDCWD, $0, &st, flags) }) == 0 ? st : nil
    }

    /// The names in a directory (not `.` and `..`), read with readdir: every name, exactly.
    public static func list(_ dir: String) throws -> [String] {
        guard let d = withCString(dir, { opendir($0) }) else {
            throw ProvenanceError.input("\(dir): cannot list directory")
        }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String in
                let bytes = raw.bindMemory(to: UInt8.self)
                return decode(bytes.prefix { $0 != 0 })
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// One scalar of valid UTF-8 at `i` and its length, or nil and 1 for a byte that starts none.
    private static func scalarAt(_ b: [UInt8], _ i: Int) -> (Unicode.Scalar?, Int) {
        let lead = b[i]
        let length =
            lead < 0x80
            ? 1
            : lead >= 0xc2 && lead <= 0xdf
                ? 2
                : lead >= 0xe0 && lead <= 0xef
                    ? 3
                    : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0
        guard length > 0, i + length <= b.count else { return (nil, 1) }
        var decoder = UTF8()
        var iterator = b[i..<i + length].makeIterator()
        guard case .scalarValue(let s) = decoder.decode(&iterator), String(s).utf8.count == length else {
            return (nil, 1)
        }
        return (s, length)
    }
}

// The system calls the hashers, walkers and manifest files make, taking paths in FSPath's encoding. Within
// this module they are chosen over Glibc's (an exact String match beats the implicit pointer conversion).
@discardableResult
func open(_ path: String, _ flags: Int32) -> Int32 { FSPath.withCString(path) { Glibc.open($0, flags) } }
@discardableResult
func open(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    FSPath.withCString(path) { Glibc.open($0, flags, mode) }
}
@discardableResult
func stat(_ path: String, _ buf: UnsafeMutablePointer<stat>) -> Int32 {
    FSPath.withCString(path) { fstatat(AT_FDCWD, $0, buf, 0) }
}
@discardableResult
func lstat(_ path: String, _ buf: UnsafeMutablePointer<stat>) -> Int32 {
    FSPath.withCString(path) { fstatat(AT_FDCWD, $0, buf, AT_SYMLINK_NOFOLLOW) }
}
@discardableResult
func rename(_ from: String, _ to: String) -> Int32 {
    FSPath.withCString(from) { f in FSPath.withCString(to) { Glibc.rename(f, $0) } }
}
@discardableResult
func unlink(_ path: String) -> Int32 { FSPath.withCString(path) { Glibc.unlink($0) } }
