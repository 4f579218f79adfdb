import ProvenanceCore

/// Reads ENS the way mainnet clients do (ENSIP-1, ENSIP-3): the registry at its fixed address names a
/// name's resolver, the resolver its address (`addr`) or, for `<address>.addr.reverse`, a primary name
/// (`name`). A primary name is only shown when it resolves forward to the same address (checked both
/// ways), since anyone can set any reverse name for their own address. Answers are `eth_call`s, not proven
/// here: with several endpoints every one is asked and they must agree (a name resolved differently is exit
/// 3; a primary name told differently is not shown), so one lying endpoint cannot name a trusted signer.
public struct ENSResolver {
    public static let registry = try! Address("0x00000000000C2E074eC69A0dFb2997BA6C7d2e1e")
    public let clients: [EthClient]
    public var client: EthClient { clients[0] }

    public init(client: EthClient) { clients = [client] }

    public init(clients: [EthClient]) {
        precondition(!clients.isEmpty)
        self.clients = clients
    }

    /// ENSIP-1 namehash of a name already in normal form (TrustEntry admits only lowercase ASCII labels).
    public static func namehash(_ name: String) -> [UInt8] {
        var node = [UInt8](repeating: 0, count: 32)
        guard !name.isEmpty else { return node }
        for label in name.split(separator: ".", omittingEmptySubsequences: false).reversed() {
            node = Keccak256.hash(node + Keccak256.hash(Array(label.utf8)))
        }
        return node
    }

    static func reverseName(_ a: Address) -> String { Hex.encode(a.bytes) + ".addr.reverse" }

    private static let resolverSelector = RegistryContract.selector("resolver(bytes32)")
    private static let addrSelector = RegistryContract.selector("addr(bytes32)")
    private static let nameSelector = RegistryContract.selector("name(bytes32)")

    private func address(_ answer: Result<EthClient.Answer, RPCError>, _ client: EthClient) throws -> Address? {
        switch answer {
        case .success(.call(let data)):
            guard data.count == 32, data.prefix(12).allSatisfy({ $0 == 0 }) else {
                if data.isEmpty { return nil }
                throw RPCError.malformedResponse(
                    endpoint: client.endpoint.redacted, reason: "ENS answered a non-address")
            }
            let a = Address(bytes: Array(data.suffix(20)))
            return a.bytes.allSatisfy { $0 == 0 } ? nil : a
        case .failure(let e): throw e
        default: throw RPCError.malformedResponse(endpoint: client.endpoint.redacted, reason: "ENS answer")
        }
    }

    /// Each name's address (nil: no resolver or no address), two HTTP requests per endpoint for any number of
    /// names; every endpoint must give the same answer.
    public func addresses(of names: [String]) throws -> [String: Address?] {
        let answers = try clients.map { try addresses(of: names, at: $0) }
        for name in names {
            let said = answers.map { $0[name] ?? nil }
            guard Set(said.map { $0?.checksummed ?? "none" }).count > 1 else { continue }
            let who = zip(clients, said).map { "\($0.endpoint.redacted) says \($1?.checksummed ?? "no address")" }
            throw ProvenanceError(
                .chain, "the endpoints disagree on the ENS name \(name): " + who.joined(separator: ", "))
        }
        return answers[0]
    }

    private func addresses(of names: [String], at client: EthClient) throws -> [String: Address?] {
        guard !names.isEmpty else { return [:] }
        let nodes = names.map(Self.namehash)
        let resolvers = try client.batch(nodes.map { .call(to: Self.registry, data: Self.resolverSelector + $0) })
            .map { try address($0, client) }
        let asked = zip(nodes, resolvers).compactMap { node, r in r.map { (node, $0) } }
        let answers = try client.batch(asked.map { .call(to: $0.1, data: Self.addrSelector + $0.0) })
            .map { try address($0, client) }
        var byNode: [[UInt8]: Address?] = [:]
        for ((node, _), a) in zip(asked, answers) { byNode[node] = a }
        var out: [String: Address?] = [:]
        for (name, node) in zip(names, nodes) { out[name] = byNode[node] ?? nil }
        return out
    }

    /// Each address's primary name, only where that name resolves back to the address — and where every
    /// endpoint says so (a name only one endpoint shows is not shown).
    public func primaryNames(of signers: [Address]) throws -> [Address: String] {
        let answers = try clients.map { try primaryNames(of: signers, at: $0) }
        return answers[0].filter { a, name in answers.allSatisfy { $0[a] == name } }
    }

    private func primaryNames(of signers: [Address], at client: EthClient) throws -> [Address: String] {
        guard !signers.isEmpty else { return [:] }
        let nodes = signers.map { Self.namehash(Self.reverseName($0)) }
        let resolvers = try client.batch(nodes.map { .call(to: Self.registry, data: Self.resolverSelector + $0) })
            .map { try address($0, client) }
        let asked = zip(zip(signers, nodes), resolvers).compactMap { pair, r in r.map { (pair.0, pair.1, $0) } }
        let answers = try client.batch(asked.map { .call(to: $0.2, data: Self.nameSelector + $0.1) })
        var claimed: [Address: String] = [:]
        for ((a, _, _), answer) in zip(asked, answers) {
            guard case .success(.call(let data)) = answer, let name = Self.decodeString(data),
                (try? TrustEntry(name)) == .ens(name)
            else { continue }  // no name, or one outside the forms this tool resolves: not shown
            claimed[a] = name
        }
        let forward = try addresses(of: Array(Set(claimed.values)), at: client)
        return claimed.filter { a, name in forward[name] == .some(a) }
    }

    /// ABI `string` return value, strictly; nil for anything else.
    static func decodeString(_ d: [UInt8]) -> String? {
        guard d.count >= 64, let offset = RegistryContract.smallNumber(Array(d[0..<32])), offset == 32,
            let length = RegistryContract.smallNumber(Array(d[32..<64])), length > 0, length <= 255,
            d.count >= 64 + Int(length)
        else { return nil }
        return String(validating: d[64..<64 + Int(length)], as: UTF8.self)
    }
}
