import Foundation

/// Web3 Secret Storage v3 keystores, as geth, Foundry (`cast wallet`) and eth-account write them.
/// Reads scrypt and pbkdf2 (hmac-sha256) with aes-128-ctr; writes scrypt (geth's defaults).
public enum Keystore {
    public struct ScryptParameters: Sendable {
        public let n: UInt64, r: UInt64, p: UInt64
        public init(n: UInt64, r: UInt64, p: UInt64) {
            self.n = n
            self.r = r
            self.p = p
        }
        /// geth's "standard" parameters: 256 MiB, about a second.
        public static let standard = ScryptParameters(n: 1 << 18, r: 8, p: 1)
        /// geth's "light" parameters, for tests.
        public static let light = ScryptParameters(n: 1 << 12, r: 8, p: 6)
    }

    public enum DecryptError: Error { case wrongPassword }

    /// Encrypts a key into keystore JSON.
    public static func encrypt(
        _ key: PrivateKey, password: SecretBytes, parameters: ScryptParameters = .standard
    ) throws -> JSON {
        let salt = try SecureRandom.bytes(32)
        let iv = try SecureRandom.bytes(16)
        let derived = try KDF.scrypt(
            password: password, salt: salt, n: parameters.n, r: parameters.r, p: parameters.p, length: 32)
        let ciphertext = try AES128CTR.encrypt(key: derived.slice(0..<16), iv: iv, plaintext: key.secretBytes)
        let mac = macOf(derived, ciphertext)
        return .object([
            ("address", .string(Hex.encode(key.address.bytes))),
            (
                "crypto",
                .object([
                    ("cipher", .string("aes-128-ctr")),
                    ("cipherparams", .object([("iv", .string(Hex.encode(iv)))])),
                    ("ciphertext", .string(Hex.encode(ciphertext))),
                    ("kdf", .string("scrypt")),
                    (
                        "kdfparams",
                        .object([
                            ("dklen", .int(32)), ("n", .number(String(parameters.n))),
                            ("p", .number(String(parameters.p))), ("r", .number(String(parameters.r))),
                            ("salt", .string(Hex.encode(salt))),
                        ])
                    ),
                    ("mac", .string(Hex.encode(mac))),
                ])
            ),
            ("id", .string(try uuid4())),
            ("version", .int(3)),
        ])
    }

    /// A keystore's parameters, checked before any key derivation runs (so a hostile file is refused
    /// before it can make us allocate or spin).
    public struct Parsed: Sendable {
        public enum KDFKind: Sendable {
            case scrypt(n: UInt64, r: UInt64, p: UInt64)
            case pbkdf2(iterations: Int)
        }
        public let kdf: KDFKind
        public let salt: [UInt8]
        public let dklen: Int
        public let iv: [UInt8]
        public let ciphertext: [UInt8]
        public let mac: [UInt8]
        public let address: [UInt8]?
    }

    public static func parse(_ json: JSON) throws -> Parsed {
        guard json["version"]?.intValue == 3 else { throw bad("version is not 3") }
        guard let crypto = json["crypto"] ?? json["Crypto"] else { throw bad("missing \"crypto\"") }
        guard crypto["cipher"]?.stringValue == "aes-128-ctr" else {
            throw bad("unsupported cipher \(crypto["cipher"]?.stringValue?.prefix(40) ?? "(none)") (only aes-128-ctr)")
        }
        guard let iv = crypto["cipherparams"]?["iv"]?.stringValue.flatMap({ Hex.decode($0, count: 16) }) else {
            throw bad("bad cipherparams.iv")
        }
        guard let ciphertext = crypto["ciphertext"]?.stringValue.flatMap({ Hex.decode($0) }), !ciphertext.isEmpty,
            ciphertext.count <= 64
        else {
            throw bad("bad ciphertext")
        }
        guard let mac = crypto["mac"]?.stringValue.flatMap({ Hex.decode($0, count: 32) }) else { throw bad("bad mac") }
        guard let params = crypto["kdfparams"] else { throw bad("missing kdfparams") }
        guard let salt = params["salt"]?.stringValue.flatMap({ Hex.decode($0) }), salt.count <= 1024 else {
            throw bad("bad kdfparams.salt")
        }
        guard let dklen = params["dklen"]?.intValue, dklen >= 32, dklen <= 64 else {
            throw bad("kdfparams.dklen must be 32")
        }
        let kdf: Parsed.KDFKind
        switch crypto["kdf"]?.stringValue {
        case "scrypt":
            guard let n = params["n"]?.intValue, let r = params["r"]?.intValue, let p = params["p"]?.intValue,
                n > 0, r > 0, p > 0
            else { throw bad("bad scrypt parameters") }
            try KDF.checkScrypt(n: UInt64(n), r: UInt64(r), p: UInt64(p))
            kdf = .scrypt(n: UInt64(n), r: UInt64(r), p: UInt64(p))
        case "pbkdf2":
            guard params["prf"]?.stringValue == "hmac-sha256" else {
                throw bad(
                    "unsupported pbkdf2 prf \(params["prf"]?.stringValue?.prefix(40) ?? "(none)") (only hmac-sha256)")
            }
            guard let c = params["c"]?.intValue, c >= 1, c <= KDF.maxPBKDF2Iterations else {
                throw bad("unreasonable pbkdf2 iteration count")
            }
            kdf = .pbkdf2(iterations: c)
        case let other:
            throw bad("unsupported kdf \(other?.prefix(40) ?? "(none)") (only scrypt and pbkdf2)")
        }
        return Parsed(
            kdf: kdf, salt: salt, dklen: dklen, iv: iv, ciphertext: ciphertext, mac: mac,
            address: json["address"]?.stringValue.flatMap { Hex.decode($0, count: 20) })
    }

    /// Decrypts keystore JSON. A MAC mismatch (almost always a wrong password) is `.wrongPassword`;
    /// malformed or unsupported files are input errors that say what is wrong.
    public static func decrypt(_ json: JSON, password: SecretBytes) throws -> PrivateKey {
        let k = try parse(json)
        let derived: SecretBytes
        switch k.kdf {
        case let .scrypt(n, r, p):
            derived = try KDF.scrypt(password: password, salt: k.salt, n: n, r: r, p: p, length: k.dklen)
        case let .pbkdf2(c):
            derived = try KDF.pbkdf2SHA256(password: password, salt: k.salt, iterations: c, length: k.dklen)
        }
        guard constantTimeEqual(macOf(derived, k.ciphertext), k.mac) else { throw DecryptError.wrongPassword }
        let plain = try AES128CTR.decrypt(key: derived.slice(0..<16), iv: k.iv, ciphertext: k.ciphertext)
        guard plain.count <= 32 else { throw bad("decrypted key is longer than 32 bytes") }
        // Some writers strip leading zero bytes of the key: put them back, inside a secret buffer.
        let secret = plain.count == 32 ? plain : SecretBytes(count: 32 - plain.count).concatenatingSecret(plain)
        let key = try PrivateKey(secret: secret)
        if let stated = k.address, stated != key.address.bytes {
            throw bad("its address field does not match the key it holds")
        }
        return key
    }

    static func bad(_ why: String) -> ProvenanceError { .input("keystore: \(why)") }

    /// keccak256(DK[16..<32] ‖ ciphertext): the MAC geth writes (the MAC key half never leaves SecretBytes
    /// except through the hash's input buffer, which is wiped).
    private static func macOf(_ derived: SecretBytes, _ ciphertext: [UInt8]) -> [UInt8] {
        var input = derived.slice(16..<32).copyBytes() + ciphertext
        defer { wipe(&input) }
        return Keccak256.hash(input)
    }

    /// RFC 4122 version-4 UUID from the CSPRNG, as geth writes in `id`.
    static func uuid4() throws -> String {
        var b = try SecureRandom.bytes(16)
        b[6] = (b[6] & 0x0f) | 0x40
        b[8] = (b[8] & 0x3f) | 0x80
        let h = Hex.encode(b)
        let c = Array(h)
        return [String(c[0..<8]), String(c[8..<12]), String(c[12..<16]), String(c[16..<20]), String(c[20..<32])].joined(
            separator: "-")
    }
}
