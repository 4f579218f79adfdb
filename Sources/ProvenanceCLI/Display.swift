/// Outside text (file names, manifest fields, RPC error strings) shown on a terminal. A name such as
import ProvenanceCore

/// `x\nclip.wav: verified — 0x…` or one holding escape sequences must not be able to forge a verdict
/// line or drive the terminal, so control and bidirectional-override characters are shown escaped.
enum Display {
    static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            case _ where FSPath.rawByte(scalar) != nil: out += String(format: "\\x%02x", FSPath.rawByte(scalar)!)
            case _ where needsEscape(scalar): out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// C0 and C1 controls, DEL, and the bidirectional overrides and isolates that reorder what follows.
    /// A backslash is escaped only in text that has something else to escape, so plain paths stay as typed.
    static func needsEscape(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0..<0x20, 0x7f..<0xa0, 0x202a...0x202e, 0x2066...0x2069, 0x200e, 0x200f, 0x061c: return true
        // A file name's byte that is not UTF-8 (FSPath), shown as \xHH.
        case 0x10ff00...0x10ffff: return true
        default: return false
        }
    }
}
