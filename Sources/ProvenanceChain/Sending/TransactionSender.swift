import Foundation
import ProvenanceCore

/// Fee choices: EIP-1559 by default, legacy (EIP-155) for chains without it; either can be fixed by hand.
public struct FeeOptions: Sendable {
    public var maxFeePerGas: Wei?
    public var priorityFeePerGas: Wei?
    public var legacy = false
    public init(maxFeePerGas: Wei? = nil, priorityFeePerGas: Wei? = nil, legacy: Bool = false) {
        self.maxFeePerGas = maxFeePerGas
        self.priorityFeePerGas = priorityFeePerGas
        self.legacy = legacy
    }
}

public struct SendOptions: Sendable {
    /// Blocks that must include the transaction (the mined block counts as one).
    public var confirmations: UInt64 = 1
    /// Give up waiting after this long (the transaction may still be mined later; its hash was reported).
    public var timeout: Double = 300
    public var pollInterval: Double = 1
    /// Re-broadcast, then bump fees by 12.5 %, each time a transaction stays unmined this long.
    public var stuckAfter: Double = 60
    public var maxBumps = 3
    public init() {}
}

/// A signed transaction with what it may cost.
public struct PreparedTransaction: Sendable {
    public let transaction: any UnsignedTransaction
    public let signed: SignedTransaction
    public let gasLimit: UInt64
    /// Max fee per gas (EIP-1559) or gas price (legacy).
    public let maxFeePerGas: Wei
    public let priorityFeePerGas: Wei
    public var maxCost: Wei { transaction.maxCost }
}

/// Builds, signs, broadcasts and follows transactions from one key on one chain. The signer
/// (PrivateKey) and the RPC client are separate parts handed in; this type holds the sending policy.
public final class TransactionSender {
    public let client: EthClient
    public let key: PrivateKey
    public let chainId: UInt64
    private var nextNonce: UInt64 = 0
    /// Every transaction this sender broadcast, in order (replacements included).

    /// Reads the chain id; with `expectedChainId`, refuses an endpoint serving another chain.
    public init(client: EthClient, key: PrivateKey, expectedChainId: UInt64? = nil) throws {
        self.client = client
        self.key = key
        chainId = try client.chainId()
        if let expected = expectedChainId, expected != chainId {
            throw RPCError.wrongChain(endpoint: client.endpoint.redacted, expected: expected, actual: chainId)
        }
        // EIP-155 puts 2·chainId + 35 in a 64-bit v: a larger id from the endpoint cannot be signed for.
        guard chainId >= 1, chainId <= LegacyTransaction.maxChainId else {
            throw ProvenanceError(
                .chain,
                "the RPC endpoint \(client.endpoint.redacted) reports chain id \(chainId), which no transaction can name"
            )
        }
    }

    // MARK: preparing

    public func prepare(
        to: Address?, data: [UInt8], value: Wei = 0, fees: FeeOptions = FeeOptions(), gasLimit: UInt64? = nil
    ) throws -> PreparedTransaction {
        let nonce = max(try client.nonce(key.address, pending: true), nextNonce)
        var tip: Wei = 0
        var cap: Wei
        if fees.legacy {
            cap = try fees.maxFeePerGas ?? client.gasPrice()
        } else {
            let history = try client.feeHistory()
            tip =
                fees.priorityFeePerGas
                ?? (history.medianTip > 0 ? history.medianTip : ((try? client.maxPriorityFee()) ?? .gwei))
            cap = fees.maxFeePerGas ?? history.nextBaseFee.saturatingMultiply(2).saturatingAdd(tip)
            guard cap >= tip else {
                throw ProvenanceError.usage("the max fee per gas must be at least the priority fee")
            }
        }
        let gas: UInt64
        if let gasLimit {
            gas = gasLimit
        } else {
            do {
                let estimate = try client.estimateGas(from: key.address, to: to, data: data, value: value)
                gas = estimate + estimate / 5 + 5_000  // headroom: 20 % + a little
            } catch RPCError.rpc(let code, let message, let revertData) {
                // A sender that cannot pay even the cheapest transaction fails estimation too: say that.
                let floor = cap.saturatingMultiply(21_000).saturatingAdd(value)
                let balance = try client.balance(key.address)
                if balance < floor {
                    throw ProvenanceError.input(
                        "insufficient funds: \(key.address) has \(Units.ether(balance)) ETH, not even enough for \(Units.ether(floor)) ETH (value + 21000 gas × \(Units.gwei(cap)) gwei); missing at least \(Units.ether(floor - balance)) ETH"
                    )
                }
                throw ProvenanceError(
                    .chain,
                    "the transaction would fail: \(Self.revertReason(revertData) ?? message) (gas estimation, code \(code))"
                )
            }
        }
        return try build(
            nonce: nonce, to: to, data: data, value: value, gas: gas, cap: cap, tip: tip, legacy: fees.legacy,
            checkBalance: true)
    }

    private func build(
        nonce: UInt64, to: Address?, data: [UInt8], value: Wei, gas: UInt64, cap: Wei, tip: Wei,
        legacy: Bool, checkBalance: Bool
    ) throws -> PreparedTransaction {
        guard nonce < UInt64.max else {
            throw ProvenanceError(.chain, "nonce \(nonce) is beyond EIP-2681's limit: no transaction can use it")
        }
        let tx: any UnsignedTransaction =
            legacy
            ? LegacyTransaction(
                chainId: chainId, nonce: nonce, gasPrice: cap, gasLimit: gas, to: to, value: value, data: data)
            : EIP1559Transaction(
                chainId: chainId, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: cap, gasLimit: gas, to: to,
                value: value, data: data)
        if checkBalance {
            let balance = try client.balance(key.address)
            if balance < tx.maxCost {
                throw ProvenanceError.input(
                    "insufficient funds: \(key.address) has \(Units.ether(balance)) ETH; this transaction may cost up to \(Units.ether(tx.maxCost)) ETH (gas \(gas) × \(Units.gwei(cap)) gwei); missing \(Units.ether(tx.maxCost - balance)) ETH"
                )
            }
        }
        return PreparedTransaction(
            transaction: tx, signed: try SignedTransaction(tx, key: key), gasLimit: gas, maxFeePerGas: cap,
            priorityFeePerGas: tip)
    }

    /// The same transaction with both fee fields raised by at least 12.5 % (nodes require +10 %).
    func bumped(_ p: PreparedTransaction) throws -> PreparedTransaction {
        try rebuilt(p, nonce: p.transaction.nonce, bump: true)
    }

    /// The same transaction re-signed, under another nonce and/or with raised fees.
    private func rebuilt(_ p: PreparedTransaction, nonce: UInt64, bump: Bool) throws -> PreparedTransaction {
        func up(_ v: Wei) -> Wei { bump ? v.saturatingAdd(max(v / 8, 1)).saturatingAdd(1) : v }
        if let t = p.transaction as? LegacyTransaction {
            return try build(
                nonce: nonce, to: t.to, data: t.data, value: t.value, gas: t.gasLimit, cap: up(t.gasPrice), tip: 0,
                legacy: true, checkBalance: false)
        }
        let t = p.transaction as! EIP1559Transaction
        return try build(
            nonce: nonce, to: t.to, data: t.data, value: t.value, gas: t.gasLimit,
            cap: up(t.maxFeePerGas), tip: up(t.maxPriorityFeePerGas), legacy: false, checkBalance: false)
    }

    // MARK: sending

    /// Broadcasts and waits for the receipt with `options.confirmations`. `onBroadcast` is called with
    /// every transaction sent (replacements too) before anything else happens, so no hash is lost.
    /// A reverted receipt is an error that says so.
    public func sendAndWait(
        _ prepared: PreparedTransaction, options: SendOptions = SendOptions(),
        onBroadcast: (SignedTransaction) throws -> Void = { _ in }
    ) throws -> EthClient.Receipt {
        var current = prepared
        var sent: [SignedTransaction] = []
        try broadcast(&current, sent: &sent, onBroadcast: onBroadcast)
        let start = Date()
        var lastAction = Date()
        var bumps = 0
        var rebroadcasted = false
        while true {
            // Any of the transactions sent under this nonce may be the one mined.
            for tx in sent.reversed() {
                guard let receipt = try client.receipt(tx.hash) else { continue }
                guard receipt.status == 1 else {
                    throw ProvenanceError(
                        .chain, "transaction \(tx.hashHex) reverted (status 0) in block \(receipt.blockNumber)")
                }
                // nil: the receipt vanished while confirmations accrued (a reorg); keep waiting for a block.
                if let confirmed = try waitForConfirmations(receipt, options: options, start: start) {
                    return confirmed
                }
            }
            let now = Date()
            if now.timeIntervalSince(start) > options.timeout {
                throw ProvenanceError(
                    .chain,
                    "transaction \(current.signed.hashHex) not mined after \(Int(options.timeout)) s; it may still be mined (sent: \(sent.map(\.hashHex).joined(separator: ", ")))"
                )
            }
            if now.timeIntervalSince(lastAction) > options.stuckAfter {
                lastAction = now
                if !rebroadcasted {
                    rebroadcasted = true
                    _ = try? client.sendRawTransaction(current.signed.raw)
                } else if bumps < options.maxBumps {
                    bumps += 1
                    current = try bumped(current)
                    try broadcast(&current, sent: &sent, onBroadcast: onBroadcast)
                }
            }
            Thread.sleep(forTimeInterval: options.pollInterval)
        }
    }

    /// Waits until the receipt has `confirmations` blocks, re-reading it each time: if a reorg removes
    /// it, returns nil so the caller goes back to waiting for (or re-sending) the transaction.
    private func waitForConfirmations(_ receipt: EthClient.Receipt, options: SendOptions, start: Date) throws
        -> EthClient.Receipt?
    {
        var current = receipt
        while true {
            let latest = try client.blockNumber()
            // Block numbers come from the endpoint: the depth is computed without overflow.
            let depth = latest >= current.blockNumber ? (latest - current.blockNumber).saturatingIncrement : 0
            if depth >= options.confirmations {
                // Read it once more at depth: the block that counts must still hold it.
                guard let final = try client.receipt(current.transactionHash), final.status == 1 else { return nil }
                if final.blockHash == current.blockHash { return final }
                current = final
                continue
            }
            if Date().timeIntervalSince(start) > options.timeout {
                throw ProvenanceError(
                    .chain,
                    "transaction \(Hex.encode(current.transactionHash, prefix: true)) mined in block \(current.blockNumber) but has \(depth) of \(options.confirmations) confirmations after \(Int(options.timeout)) s"
                )
            }
            Thread.sleep(forTimeInterval: options.pollInterval)
            guard let again = try client.receipt(current.transactionHash) else { return nil }
            current = again
        }
    }

    /// Sends one transaction, handling the node's usual answers:
    /// "already known" (success), "nonce too low" (maybe ours was mined; else take the next nonce),
    /// "replacement transaction underpriced" (raise fees).
    private func broadcast(
        _ p: inout PreparedTransaction, sent: inout [SignedTransaction], onBroadcast: (SignedTransaction) throws -> Void
    ) throws {
        for _ in 0..<5 {
            try onBroadcast(p.signed)  // recorded before it leaves, so a crash cannot lose it
            sent.append(p.signed)
            do {
                let hash = try client.sendRawTransaction(p.signed.raw)
                guard hash == p.signed.hash else {
                    throw ProvenanceError(
                        .chain,
                        "the node reported hash \(Hex.encode(hash, prefix: true)) for transaction \(p.signed.hashHex): untrustworthy endpoint"
                    )
                }
                TestSeam.crashPoint("after-broadcast")
            } catch RPCError.rpc(_, let message, _) {
                let m = message.lowercased()
                if m.contains("already known") || m.contains("known transaction") || m.contains("already imported") {
                    // the node has it: success
                } else if m.contains("nonce too low") || m.contains("nonce is too low") {
                    if sent.contains(where: { (try? client.receipt($0.hash)) != nil }) {
                        nextNonce = p.transaction.nonce + 1
                        return  // ours was mined already
                    }
                    p = try rebuilt(
                        p, nonce: max(try client.nonce(key.address, pending: true), p.transaction.nonce + 1),
                        bump: false)
                    continue
                } else if m.contains("underpriced") {
                    p = try bumped(p)
                    continue
                } else if m.contains("insufficient funds") {
                    throw ProvenanceError.input("insufficient funds for \(p.signed.hashHex): \(message.prefix(200))")
                } else {
                    throw ProvenanceError(
                        .chain, "the node refused transaction \(p.signed.hashHex): \(message.prefix(300))")
                }
            }
            nextNonce = p.transaction.nonce + 1
            return
        }
        throw ProvenanceError(.chain, "could not broadcast: the node kept refusing the nonce or the fees")
    }

    /// The reason string of a revert (`Error(string)`), when the node returned the revert data.
    public static func revertReason(_ data: String?) -> String? {
        guard let data, let bytes = Hex.decode(data), bytes.count >= 68,
            Array(bytes.prefix(4)) == [0x08, 0xc3, 0x79, 0xa0]
        else { return nil }
        let length = Int(bytes[36..<68].suffix(4).reduce(0) { $0 << 8 | UInt32($1) })
        guard bytes.count >= 68 + length else { return nil }
        return "reverted: " + String(decoding: bytes[68..<68 + length], as: UTF8.self)
    }
}

/// Human-readable amounts.
public enum Units {
    public static func ether(_ wei: Wei) -> String { decimal(wei, 18, places: 6) }
    public static func gwei(_ wei: Wei) -> String { decimal(wei, 9, places: 3) }

    /// Parses a decimal amount of gwei ("1.5") into wei.
    public static func parseGwei(_ text: String) -> Wei? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Wei(parts[0]) else { return nil }
        var frac: Wei = 0
        if parts.count == 2 {
            let f = parts[1]
            guard f.count <= 9, f.allSatisfy(\.isNumber), let v = Wei(f.isEmpty ? "0" : String(f)) else { return nil }
            frac = v * Wei(pow(10, Double(9 - f.count)))
        }
        return whole * .gwei + frac
    }

    static func decimal(_ v: Wei, _ decimals: Int, places: Int) -> String {
        var unit: Wei = 1
        for _ in 0..<decimals { unit *= 10 }
        let whole = v / unit
        let rest = v % unit
        var scale: Wei = 1
        for _ in 0..<(decimals - places) { scale *= 10 }
        var frac = String(rest / scale)
        frac = String(repeating: "0", count: places - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        return frac.isEmpty ? "\(whole)" : "\(whole).\(frac)"
    }
}

extension UInt64 {
    /// self + 1, or self at the top (for counts derived from numbers an endpoint reported).
    var saturatingIncrement: UInt64 { self == .max ? self : self + 1 }
}
