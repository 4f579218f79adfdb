import ProvenanceChain
import ProvenanceCore

/// Every JSON shape the tool prints (`--json`, `--summary`), in one place beside what docs/FORMAT.md
/// documents. The manifest and its anchors are a file format and live with the Manifest type.
enum JSONOutput {
    static func attestation(_ a: OnChainAttestation) -> JSON {
        .object([
            ("signer", .string(a.signer.checksummed)), ("chainId", .number(String(a.chainId))),
            ("registry", .string(a.registry.checksummed)), ("txHash", .string(Hex.encode(a.txHash, prefix: true))),
            ("blockNumber", .number(String(a.blockNumber))), ("timestamp", .number(String(a.blockTime))),
        ])
    }

    static func ranges(_ ranges: [ByteRange]) -> JSON {
        .array(ranges.map { .object([("start", .number(String($0.start))), ("end", .number(String($0.end)))]) })
    }
}
