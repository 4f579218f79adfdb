/// The parts of a podcast RSS feed that say where each episode's manifest is (docs/FORMAT.md §10):
/// `<podcast:txt purpose="provenance">URL</podcast:txt>` in the item, else the enclosure's URL with
/// `.provenance.json` appended. A feed is hostile input: the parser is a small strict XML reader with
/// bounds (size, depth, items) that refuses DTDs, so no entity can expand or reach outside.
public struct PodcastFeed: Sendable {
    public static let podcastNamespace = "https://podcastindex.org/namespace/1.0"
    public static let maxBytes = 16 << 20
    public static let maxItems = 10_000

    public struct Item: Sendable, Equatable {
        public let title: String?
        public let guid: String?
        public let enclosure: String?
        /// The URL the item's manifest is read from (nil: the item names neither).
        public let manifestURL: String?
        /// Whether the manifest URL came from a podcast:txt tag (else from the enclosure).
        public let tagged: Bool
    }

    public let title: String?
    public let items: [Item]

    public init(bytes: [UInt8]) throws {
        guard bytes.count <= Self.maxBytes else {
            throw ProvenanceError.input("feed: larger than \(Self.maxBytes >> 20) MiB")
        }
        var reader = XMLReader(bytes)
        var items: [Item] = []
        var feedTitle: String?
        var current: ItemBuilder?
        var stack: [(name: String, namespaces: [String: String])] = []
        var text = ""
        var txtPurpose: String?
        func namespace(of prefix: String) -> String? {
            for frame in stack.reversed() { if let uri = frame.namespaces[prefix] { return uri } }
            return nil
        }
        while let event = try reader.next() {
            switch event {
            case .start(let name, let attributes):
                var declared: [String: String] = [:]
                for (k, v) in attributes where k.hasPrefix("xmlns:") { declared[String(k.dropFirst(6))] = v }
                stack.append((name, declared))
                guard stack.count <= 64 else { throw ProvenanceError.input("feed: nested deeper than 64 elements") }
                text = ""
                let (prefix, local) = Self.split(name)
                if name == "item" {
                    guard current == nil else { throw ProvenanceError.input("feed: an item inside an item") }
                    current = ItemBuilder()
                } else if current != nil, name == "enclosure" {
                    if current?.enclosure == nil { current?.enclosure = attributes.first { $0.0 == "url" }?.1 }
                } else if current != nil, local == "txt", let prefix, namespace(of: prefix) == Self.podcastNamespace {
                    txtPurpose = attributes.first { $0.0 == "purpose" }?.1
                }
            case .text(let t):
                if text.utf8.count < 64 << 10 { text += t }
            case .end(let name):
                guard let top = stack.popLast(), top.name == name else {
                    throw ProvenanceError.input(
                        "feed: malformed XML (</\(Self.short(name))> does not close an open element)")
                }
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                let (prefix, local) = Self.split(name)
                if name == "item", let built = current {
                    items.append(built.item)
                    guard items.count <= Self.maxItems else {
                        throw ProvenanceError.input("feed: more than \(Self.maxItems) items")
                    }
                    current = nil
                } else if current != nil {
                    if name == "title", current?.title == nil { current?.title = trimmed }
                    if name == "guid", current?.guid == nil { current?.guid = trimmed }
                    if local == "txt", prefix != nil, let purpose = txtPurpose {
                        if purpose == "provenance", current?.tagged == nil { current?.tagged = trimmed }
                        txtPurpose = nil
                    }
                } else if name == "title", stack.last?.name == "channel", feedTitle == nil {
                    feedTitle = trimmed
                }
                text = ""
            }
        }
        guard stack.isEmpty, reader.sawRoot else { throw ProvenanceError.input("feed: malformed XML (not closed)") }
        guard items.count > 0 || feedTitle != nil else { throw ProvenanceError.input("feed: not an RSS feed") }
        title = feedTitle
        self.items = items
    }

    private struct ItemBuilder {
        var title: String?
        var guid: String?
        var enclosure: String?
        var tagged: String?

        var item: Item {
            let url = tagged ?? enclosure.map { Self.manifestURL(forEnclosure: $0) }
            return Item(
                title: title, guid: guid, enclosure: enclosure, manifestURL: url, tagged: tagged != nil)
        }

        /// The enclosure's URL with `.provenance.json` appended to its path (before any query).
        static func manifestURL(forEnclosure url: String) -> String {
            guard let q = url.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return url + Manifest.suffix }
            return url[..<q] + Manifest.suffix + url[q...]
        }
    }

    private static func split(_ name: String) -> (prefix: String?, local: String) {
        guard let colon = name.firstIndex(of: ":") else { return (nil, name) }
        return (String(name[..<colon]), String(name[name.index(after: colon)...]))
    }

    private static func short(_ s: String) -> String { String(s.prefix(40)) }
}

/// A minimal XML reader: elements, attributes, text, CDATA, comments, processing instructions, the five
/// predefined entities and character references. A DOCTYPE is refused (no DTD, so no entity expansion).
struct XMLReader {
    enum Event {
        /// A self-closing tag comes as a start and an end.
        case start(String, [(String, String)])
        case end(String)
        case text(String)
    }

    private let bytes: [UInt8]
    private var i = 0
    private var pendingEnd: String?
    private(set) var sawRoot = false

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
    }

    private func bad(_ why: String) -> ProvenanceError { .input("feed: malformed XML (\(why))") }

    mutating func next() throws -> Event? {
        if let name = pendingEnd {
            pendingEnd = nil
            return .end(name)
        }
        while i < bytes.count {
            if bytes[i] != UInt8(ascii: "<") {
                let start = i
                while i < bytes.count && bytes[i] != UInt8(ascii: "<") { i += 1 }
                return .text(try decode(bytes[start..<i]))
            }
            if starts("<!--") {
                guard let end = find("-->", from: i + 4) else { throw bad("unclosed comment") }
                i = end + 3
            } else if starts("<![CDATA[") {
                guard let end = find("]]>", from: i + 9) else { throw bad("unclosed CDATA") }
                let text = String(decoding: bytes[(i + 9)..<end], as: UTF8.self)
                i = end + 3
                return .text(text)
            } else if starts("<!") {
                throw ProvenanceError.input("feed: declares a DTD or entity (<!…>), which is refused")
            } else if starts("<?") {
                guard let end = find("?>", from: i + 2) else { throw bad("unclosed processing instruction") }
                i = end + 2
            } else if starts("</") {
                i += 2
                let name = readName()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ">"), !name.isEmpty else { throw bad("bad end tag") }
                i += 1
                return .end(name)
            } else {
                i += 1
                let name = readName()
                guard !name.isEmpty else { throw bad("bad tag") }
                sawRoot = true
                var attributes: [(String, String)] = []
                while true {
                    skipSpace()
                    guard i < bytes.count else { throw bad("unclosed tag <\(name.prefix(40))>") }
                    if bytes[i] == UInt8(ascii: ">") {
                        i += 1
                        return .start(name, attributes)
                    }
                    if starts("/>") {
                        i += 2
                        pendingEnd = name
                        return .start(name, attributes)
                    }
                    let key = readName()
                    skipSpace()
                    guard !key.isEmpty, i < bytes.count, bytes[i] == UInt8(ascii: "=") else {
                        throw bad("bad attribute in <\(name.prefix(40))>")
                    }
                    i += 1
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                        throw bad("unquoted attribute in <\(name.prefix(40))>")
                    }
                    let quote = bytes[i]
                    let start = i + 1
                    guard let end = bytes[start...].firstIndex(of: quote) else { throw bad("unclosed attribute") }
                    attributes.append((key, try decode(bytes[start..<end])))
                    guard attributes.count <= 64 else { throw bad("more than 64 attributes") }
                    i = end + 1
                }
            }
        }
        return nil
    }

    private func starts(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return i + u.count <= bytes.count && bytes[i..<i + u.count].elementsEqual(u)
    }

    private func find(_ s: String, from: Int) -> Int? {
        let u = Array(s.utf8)
        var j = from
        while j + u.count <= bytes.count {
            if bytes[j] == u[0] && bytes[j..<j + u.count].elementsEqual(u) { return j }
            j += 1
        }
        return nil
    }

    private mutating func skipSpace() {
        while i < bytes.count && (bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D) {
            i += 1
        }
    }

    private mutating func readName() -> String {
        let start = i
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == UInt8(ascii: ">") || b == UInt8(ascii: "/")
                || b == UInt8(ascii: "=") || b == UInt8(ascii: "<")
            {
                break
            }
            i += 1
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    /// XML's five predefined entities: the only named ones a feed may use (no DTD can declare others).
    private static let predefined = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]

    /// Text with entity and character references replaced; an unknown entity is an error.
    private func decode(_ raw: ArraySlice<UInt8>) throws -> String {
        guard raw.contains(UInt8(ascii: "&")) else { return String(decoding: raw, as: UTF8.self) }
        var out = ""
        var j = raw.startIndex
        while j < raw.endIndex {
            guard raw[j] == UInt8(ascii: "&") else {
                let start = j
                while j < raw.endIndex && raw[j] != UInt8(ascii: "&") { j += 1 }
                out += String(decoding: raw[start..<j], as: UTF8.self)
                continue
            }
            guard let semi = raw[j...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                throw bad("a bare &")
            }
            let name = String(decoding: raw[(j + 1)..<semi], as: UTF8.self)
            if let text = Self.predefined[name] {
                out += text
            } else {
                let scalar: UInt32?
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    scalar = UInt32(name.dropFirst(2), radix: 16)
                } else if name.hasPrefix("#") {
                    scalar = UInt32(name.dropFirst())
                } else {
                    throw bad("unknown entity &\(name.prefix(12));")
                }
                guard let scalar, let u = Unicode.Scalar(scalar) else { throw bad("bad character reference") }
                out.unicodeScalars.append(u)
            }
            j = semi + 1
        }
        return out
    }
}
