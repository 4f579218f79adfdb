/// EIP-712 typed structured data hashing, driven by the same JSON document that
/// `eth_signTypedData_v4`, ethers `verifyTypedData` and eth-account `encode_typed_data(full_message=)`
/// take: `{"types", "primaryType", "domain", "message"}`.
public struct TypedData: Sendable {
    public struct Field: Equatable, Sendable {
        public let name: String
        public let type: String
        public init(name: String, type: String) {
            self.name = name
            self.type = type
        }
    }

    public let types: [String: [Field]]
    public let primaryType: String
    public let domain: JSON
    public let message: JSON
    /// The document as given (types in their original order), for embedding verbatim.
    public let json: JSON

    public init(json: JSON) throws {
        guard let typesJSON = json["types"]?.objectValue else { throw Self.invalid("missing \"types\" object") }
        guard let primary = json["primaryType"]?.stringValue else { throw Self.invalid("missing \"primaryType\"") }
        guard let domain = json["domain"], domain.objectValue != nil else {
            throw Self.invalid("missing \"domain\" object")
        }
        guard let message = json["message"], message.objectValue != nil else {
            throw Self.invalid("missing \"message\" object")
        }
        var types: [String: [Field]] = [:]
        for (name, fieldsJSON) in typesJSON {
            guard let items = fieldsJSON.arrayValue else {
                throw Self.invalid("type \(name) is not an array of fields")
            }
            types[name] = try items.map { item in
                guard let n = item["name"]?.stringValue, let t = item["type"]?.stringValue else {
                    throw Self.invalid("type \(name) has a field without name/type")
                }
                return Field(name: n, type: t)
            }
        }
        guard types[primary] != nil else { throw Self.invalid("primaryType \(primary) is not defined in types") }
        guard types["EIP712Domain"] != nil else { throw Self.invalid("types lack EIP712Domain") }
        self.types = types
        self.primaryType = primary
        self.domain = domain
        self.message = message
        self.json = json
    }

    static func invalid(_ why: String) -> ProvenanceError { .input("invalid EIP-712 typed data: \(why)") }

    /// keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message)): the digest that is signed.
    public func signingDigest() throws -> [UInt8] {
        var data: [UInt8] = [0x19, 0x01]
        data += try domainSeparator()
        if primaryType != "EIP712Domain" { data += try hashStruct(primaryType, message) }
        return Keccak256.hash(data)
    }

    public func domainSeparator() throws -> [UInt8] { try hashStruct("EIP712Domain", domain) }

    /// `Name(type name,…)` followed by every referenced struct type, sorted by name.
    public func encodeType(_ name: String) throws -> String {
        var deps = Set<String>()
        try collectDependencies(name, into: &deps)
        deps.remove(name)
        return ([name] + deps.sorted()).map { t in
            let fields = types[t]!.map { "\($0.type) \($0.name)" }.joined(separator: ",")
            return "\(t)(\(fields))"
        }.joined()
    }

    public func typeHash(_ name: String) throws -> [UInt8] { Keccak256.hash(Array(try encodeType(name).utf8)) }

    public func hashStruct(_ name: String, _ value: JSON) throws -> [UInt8] {
        guard let fields = types[name] else { throw Self.invalid("unknown type \(name)") }
        guard value.objectValue != nil else { throw Self.invalid("value of \(name) is not an object") }
        var data = try typeHash(name)
        for field in fields {
            guard let member = value[field.name] else { throw Self.invalid("\(name).\(field.name) is missing") }
            data += try encodeValue(field.type, member, path: "\(name).\(field.name)")
        }
        return Keccak256.hash(data)
    }

    private func collectDependencies(_ name: String, into deps: inout Set<String>) throws {
        let base = Self.baseType(name)
        guard let fields = types[base], !deps.contains(base) else { return }
        deps.insert(base)
        for field in fields { try collectDependencies(field.type, into: &deps) }
    }

    /// `Person[][3]` → `Person`.
    static func baseType(_ type: String) -> String {
        if let i = type.firstIndex(of: "[") { return String(type[..<i]) }
        return type
    }

    /// The 32-byte encoding of one member value (EIP-712 `encodeData` rules).
    private func encodeValue(_ type: String, _ value: JSON, path: String) throws -> [UInt8] {
        if type.hasSuffix("]"), let open = type.lastIndex(of: "[") {
            let element = String(type[..<open])
            let lengthText = type[type.index(after: open)..<type.index(before: type.endIndex)]
            guard let items = value.arrayValue else { throw Self.invalid("\(path) must be an array") }
            if !lengthText.isEmpty {
                guard let n = Int(lengthText), n == items.count else {
                    throw Self.invalid("\(path) must have \(lengthText) elements")
                }
            }
            var data = [UInt8]()
            for (i, item) in items.enumerated() { data += try encodeValue(element, item, path: "\(path)[\(i)]") }
            return Keccak256.hash(data)
        }
        if types[type] != nil { return try hashStruct(type, value) }
        switch type {
        case "string":
            guard let s = value.stringValue else { throw Self.invalid("\(path) must be a string") }
            return Keccak256.hash(Array(s.utf8))
        case "bytes":
            guard let s = value.stringValue, let b = Hex.decode(s) else {
                throw Self.invalid("\(path) must be 0x-hex bytes")
            }
            return Keccak256.hash(b)
        case "bool":
            guard let b = value.boolValue else { throw Self.invalid("\(path) must be true or false") }
            return [UInt8](repeating: 0, count: 31) + [b ? 1 : 0]
        case "address":
            guard let s = value.stringValue else { throw Self.invalid("\(path) must be an address string") }
            return [UInt8](repeating: 0, count: 12) + (try Address(s)).bytes
        default:
            if type.hasPrefix("bytes"), let n = Int(type.dropFirst(5)), (1...32).contains(n) {
                guard let s = value.stringValue, let b = Hex.decode(s), b.count == n else {
                    throw Self.invalid("\(path) must be \(n) bytes of 0x-hex")
                }
                return b + [UInt8](repeating: 0, count: 32 - n)
            }
            if type.hasPrefix("uint") || type.hasPrefix("int") {
                let signed = type.hasPrefix("int")
                let bitsText = type.dropFirst(signed ? 3 : 4)
                let bits = bitsText.isEmpty ? 256 : Int(bitsText) ?? 0
                guard bits % 8 == 0, (8...256).contains(bits) else {
                    throw Self.invalid("unknown type \(type) at \(path)")
                }
                guard let word = Word256(json: value), word.fits(bits: bits, signed: signed) else {
                    throw Self.invalid("\(path) is not a valid \(type)")
                }
                return word.bytes
            }
            throw Self.invalid("unknown type \(type) at \(path)")
        }
    }
}

/// A 256-bit two's-complement word parsed from a JSON number or a decimal / 0x-hex string.
struct Word256 {
    private(set) var bytes = [UInt8](repeating: 0, count: 32)
    private(set) var negative = false

    init?(json: JSON) {
        switch json {
        case .number(let text): self.init(text: text)
        case .string(let text): self.init(text: text)
        default: return nil
        }
    }

    init?(text: String) {
        var t = Substring(text)
        if t.hasPrefix("-") {
            negative = true
            t = t.dropFirst()
        }
        guard !t.isEmpty else { return nil }
        if t.hasPrefix("0x") || t.hasPrefix("0X") {
            guard let raw = Hex.decode(t.count % 2 == 0 ? String(t) : "0x0" + t.dropFirst(2)), raw.count <= 32 else {
                return nil
            }
            bytes.replaceSubrange((32 - raw.count)..<32, with: raw)
        } else {
            for c in t {
                guard let d = c.wholeNumberValue, c.isASCII else { return nil }
                // bytes = bytes·10 + d, failing on overflow past 256 bits
                var carry = d
                for i in stride(from: 31, through: 0, by: -1) {
                    let v = Int(bytes[i]) * 10 + carry
                    bytes[i] = UInt8(v & 0xff)
                    carry = v >> 8
                }
                if carry != 0 { return nil }
            }
        }
        if negative && bytes.contains(where: { $0 != 0 }) {
            // two's complement: invert and add one
            var carry = 1
            for i in stride(from: 31, through: 0, by: -1) {
                let v = Int(~bytes[i]) + carry
                bytes[i] = UInt8(v & 0xff)
                carry = v >> 8
            }
        } else {
            negative = false
        }
    }

    /// Whether the value is within uintN (0 … 2^N−1) or intN (−2^(N−1) … 2^(N−1)−1).
    func fits(bits: Int, signed: Bool) -> Bool {
        if !signed && negative { return false }
        let freeBytes = (256 - bits) / 8
        let fill: UInt8 = negative ? 0xff : 0x00
        guard bytes[0..<freeBytes].allSatisfy({ $0 == fill }) else { return false }
        if signed {
            let top = bytes[freeBytes] & 0x80
            return negative ? top != 0 : top == 0
        }
        return true
    }
}

/// EIP-191 version 0x45 ("personal_sign") message hashing.
public enum PersonalMessage {
    public static func hash(_ message: [UInt8]) -> [UInt8] {
        Keccak256.hash(Array("\u{19}Ethereum Signed Message:\n\(message.count)".utf8) + message)
    }
}
