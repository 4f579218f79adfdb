import ProvenanceCore

/// A block's contents proven from its header, the way a light client (Helios) does it, instead of believed:
/// the header's fields must hash to the block's hash; every transaction of the block, re-encoded here, must
/// rebuild the header's `transactionsRoot`; every receipt, the header's `receiptsRoot`. What survives is a
/// transaction list and a receipt list the endpoint cannot have made up without a block hash of its own
/// (which the other endpoints, and the chain's next blocks, would not share). docs/FORMAT.md §6b.
struct BlockProver {
    let client: EthClient

    /// A transaction of a proven block: its hash (computed), its target and its input.
    struct ProvenTransaction {
        let hash: [UInt8]
        let to: Address?
        let input: [UInt8]
        /// The chain it was signed for (nil: a legacy transaction from before EIP-155, which names none).
        let chainId: UInt64?
    }

    struct ProvenReceipt {
        let status: UInt64
        let logs: [(address: Address, topics: [[UInt8]], data: [UInt8])]
    }

    struct ProvenBlock {
        let header: BlockHeader
        let transactions: [ProvenTransaction]
        let receipts: [ProvenReceipt]

        func index(ofTransaction hash: [UInt8]) -> Int? { transactions.firstIndex { $0.hash == hash } }

        var block: EthClient.Block {
            EthClient.Block(number: header.number, hash: header.hash, timestamp: header.timestamp, gasLimit: 0)
        }
    }

    /// `full`: blocks whose transactions and receipts are proven (they hold records); `headers`: blocks whose
    /// header alone is proven (a revocation's, for its time). Two batches at most: blocks and receipts together,
    /// then receipts one by one only from an endpoint without eth_getBlockReceipts.
    func prove(full: [UInt64], headers: [UInt64]) throws -> [UInt64: Result<ProvenBlock, ProofCheck>] {
        try prove(full: full, headers: headers, with: []).blocks
    }

    /// The same, with further calls riding in the same batch (a storage proof); their answers in order.
    func prove(full: [UInt64], headers: [UInt64], with extra: [RPCClient.Call]) throws -> (
        blocks: [UInt64: Result<ProvenBlock, ProofCheck>], extra: [Result<JSON, RPCError>]
    ) {
        let calls =
            full.flatMap { n in
                [
                    RPCClient.Call("eth_getBlockByNumber", [EthClient.q(n), .bool(true)]),
                    RPCClient.Call("eth_getBlockReceipts", [EthClient.q(n)]),
                ]
            } + headers.map { RPCClient.Call("eth_getBlockByNumber", [EthClient.q($0), .bool(false)]) } + extra
        let answers = try client.rpc.batch(calls)
        var out: [UInt64: Result<ProvenBlock, ProofCheck>] = [:]
        for (i, n) in full.enumerated() {
            out[n] = try proveBlock(n, block: answers[2 * i], receipts: answers[2 * i + 1])
        }
        for (i, n) in headers.enumerated() {
            out[n] = try proveHeader(n, answers[2 * full.count + i]).map {
                ProvenBlock(header: $0, transactions: [], receipts: [])
            }
        }
        return (out, Array(answers.suffix(extra.count)))
    }

    private func proveHeader(_ n: UInt64, _ answer: Result<JSON, RPCError>) throws -> Result<BlockHeader, ProofCheck> {
        let json = try answer.get()
        guard !json.isNull else { throw missing(n) }
        guard let header = try? BlockEncoding.header(json), header.number == n,
            (try? BlockEncoding.bytes(json["hash"], "hash")) == header.hash
        else { return .failure(.headerHash) }
        return .success(header)
    }

    func proveBlock(_ n: UInt64, block: Result<JSON, RPCError>, receipts: Result<JSON, RPCError>) throws
        -> Result<ProvenBlock, ProofCheck>
    {
        let header: BlockHeader
        switch try proveHeader(n, block) {
        case .success(let h): header = h
        case .failure(let check): return .failure(check)
        }
        let json = try block.get()
        guard let items = json["transactions"]?.arrayValue, items.allSatisfy({ $0.objectValue != nil }) else {
            return .failure(.transactionsRoot)
        }
        guard let encoded = try? items.map(BlockEncoding.transaction) else { return .failure(.blockEncoding) }
        guard Trie.listRoot(encoded) == header.transactionsRoot else { return .failure(.transactionsRoot) }
        let transactions = zip(items, encoded).map { item, raw in
            ProvenTransaction(
                hash: Keccak256.hash(raw), to: item["to"]?.stringValue.flatMap { try? Address($0) },
                input: (try? BlockEncoding.bytes(item["input"] ?? item["data"], "input")) ?? [],
                chainId: BlockEncoding.signedChainId(item))
        }
        let receiptItems: [JSON]
        if case .success(let list) = receipts, let array = list.arrayValue {
            receiptItems = array
        } else {
            receiptItems = try receiptsOneByOne(transactions.map(\.hash))
        }
        guard receiptItems.count == items.count, let encodedReceipts = try? receiptItems.map(BlockEncoding.receipt),
            Trie.listRoot(encodedReceipts) == header.receiptsRoot
        else { return .failure(.receiptsRoot) }
        // The fields read below are the ones just encoded into the proven root: a different one would not hash.
        let proven = receiptItems.map { r in
            ProvenReceipt(
                status: (try? BlockEncoding.quantity(r["status"] ?? .null, "status"))?.reduce(0) {
                    $0 << 8 | UInt64($1)
                }
                    ?? 0,
                logs: (r["logs"]?.arrayValue ?? []).compactMap { log in
                    guard let a = log["address"]?.stringValue.flatMap({ try? Address($0) }),
                        let topics = try? (log["topics"]?.arrayValue ?? []).map({ try BlockEncoding.bytes($0, "topic") }
                        ),
                        let data = try? BlockEncoding.bytes(log["data"], "data")
                    else { return nil }
                    return (a, topics, data)
                })
        }
        return .success(ProvenBlock(header: header, transactions: transactions, receipts: proven))
    }

    /// An endpoint without eth_getBlockReceipts: each of the block's receipts, in one batch.
    private func receiptsOneByOne(_ hashes: [[UInt8]]) throws -> [JSON] {
        try client.rpc.batch(hashes.map { RPCClient.Call("eth_getTransactionReceipt", [EthClient.hex($0)]) }).map {
            try $0.get()
        }
    }

    private func missing(_ n: UInt64) -> ProvenanceError {
        ProvenanceError(
            .chain,
            "block \(n) with a registry record is missing (\(client.endpoint.redacted)): the chain reorganised; try again"
        )
    }
}
