/// EIP-1186 proofs of an account and its storage against a block's state root: what a contract held at a block,
/// checked here instead of asked (`eth_call` answers are an endpoint's word). Absence is proven the same way:
/// a proof that ends where the key would be shows an account that does not exist or a slot that is zero.
public enum StateProof {
    public struct Account: Equatable, Sendable {
        public let nonce: [UInt8]
        public let balance: [UInt8]
        public let storageRoot: [UInt8]
        public let codeHash: [UInt8]
    }

    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { "invalid state proof: \(reason)" }
    }

    /// The account at `address` in the state with this root (nil: the proof shows there is none).
    public static func account(_ address: Address, stateRoot: [UInt8], proof: [[UInt8]]) throws -> Account? {
        let value: [UInt8]?
        do { value = try Trie.value(at: Keccak256.hash(address.bytes), root: stateRoot, proof: proof) } catch {
            throw Failure(reason: "account: \(error)")
        }
        guard let value else { return nil }
        guard let fields = (try? RLP.decode(value))?.listValue, fields.count == 4,
            let nonce = fields[0].bytesValue, let balance = fields[1].bytesValue,
            let storageRoot = fields[2].bytesValue, storageRoot.count == 32,
            let codeHash = fields[3].bytesValue, codeHash.count == 32
        else { throw Failure(reason: "the account is not [nonce, balance, storageRoot, codeHash]") }
        return Account(nonce: nonce, balance: balance, storageRoot: storageRoot, codeHash: codeHash)
    }

    /// The 32-byte word at `slot` in the storage with this root: zero where the proof shows no entry.
    public static func word(at slot: [UInt8], storageRoot: [UInt8], proof: [[UInt8]]) throws -> [UInt8] {
        precondition(slot.count == 32)
        let value: [UInt8]?
        do { value = try Trie.value(at: Keccak256.hash(slot), root: storageRoot, proof: proof) } catch {
            throw Failure(reason: "storage: \(error)")
        }
        guard let value else { return [UInt8](repeating: 0, count: 32) }
        // Stored as the RLP of the integer, no leading zeros, never zero itself (a zero slot is deleted).
        guard let bytes = (try? RLP.decode(value))?.bytesValue, !bytes.isEmpty, bytes.count <= 32, bytes[0] != 0 else {
            throw Failure(reason: "a storage value is not a non-zero integer")
        }
        return [UInt8](repeating: 0, count: 32 - bytes.count) + bytes
    }
}
