import ProvenanceChain
import ProvenanceCore

extension JSONOutput {
    /// One reason as `--json` prints it: its stable code and its fields (docs/FORMAT.md §6d).
    static func reason(_ r: Reason) -> JSON {
        .object([("code", .string(r.code.rawValue))] + reasonFields(r))
    }

    private static func num(_ n: UInt64) -> JSON { .number(String(n)) }
    private static func tx(_ hash: [UInt8]) -> JSON { .string(Hex.encode(hash, prefix: true)) }
    private static func address(_ a: Address) -> JSON { .string(a.checksummed) }

    static func reasonFields(_ r: Reason) -> [(String, JSON)] {
        switch r {
        case .fileUnreadable(let message): return [("message", message.map { .string($0) } ?? .null)]
        case .manifestMissing(let at): return [("expectedAt", at.map { .string($0) } ?? .null)]
        case .fileMissing(let manifest): return [("manifest", .string(manifest))]
        case .manifestMalformed(let at, let message): return [("manifest", .string(at)), ("message", .string(message))]
        case .manifestInauthentic(let at, let problem):
            return [("manifest", .string(at)), ("problem", .string(problem.code)), ("message", .string("\(problem)"))]
        case .signatureValid(let s), .signerUntrusted(let s), .manifestUntrustedSigner(let s), .soundMatches(let s):
            return [("signer", address(s))]
        case .contentMismatch(let s, let size, let originalSize):
            return [("signer", address(s)), ("size", num(size)), ("originalSize", num(originalSize))]
        case .recordProven(let chain, let endpoints): return [("chainId", num(chain)), ("endpoints", .int(endpoints))]
        case .recordForged(let endpoint, let hash, let check), .recordUnprovable(let endpoint, let hash, let check):
            return [("endpoint", .string(endpoint)), ("txHash", tx(hash))] + proofCheck(check)
        case .recordRevoked(let s, let chain, let block, let revokedAt, let time):
            return [
                ("signer", address(s)), ("chainId", num(chain)), ("blockNumber", num(block)),
                ("revokedAt", num(revokedAt)), ("revokedTimestamp", num(time)),
            ]
        case .recordUntrustedSigner(let chain, let signers):
            return [("chainId", num(chain)), ("signers", .array(signers.map(address)))]
        case .recordNotFound(let chain, let registry, let lookedFor):
            let whose: JSON
            switch lookedFor {
            case .anyone: whose = .string("anyone")
            case .signers(let n): whose = .int(n)
            }
            return [("chainId", num(chain)), ("registry", address(registry)), ("lookedFor", whose)]
        case .originalAttested(let chain, let block): return [("chainId", num(chain)), ("blockNumber", num(block))]
        case .originalUntrustedSigner(let chain), .originalNotAttested(let chain), .originalRevoked(let chain):
            return [("chainId", num(chain))]
        case .originalDetailsDiffer(let chain, let block):
            return [("chainId", num(chain)), ("blockNumber", num(block))]
        case .detailsSignedOnly: return []
        case .originalNotFound(let n): return [("originals", .int(n))]
        case .originalSetAside(let entry): return [("entry", .string(entry))]
        case .originalsNotCompared(let n): return [("items", .int(n))]
        case .detailsNotAnchored(let s, let chain): return [("signer", address(s)), ("chainId", num(chain))]
        case .soundDiffers, .soundOriginalUntrusted: return []
        case .soundNotCompared(let message), .pictureNotCompared(let message): return [("message", .string(message))]
        case .pictureMatches(let s): return [("signer", address(s))]
        case .pictureDiffers: return []
        case .soundUnmatched(let start, let end), .pictureUnmatched(let start, let end):
            return [("start", seconds(start)), ("end", seconds(end))]
        case .pictureRegionDiffers(let r): return pictureRegion(r)
        case .recordNotFinal(let block, let finalized):
            return [("blockNumber", num(block)), ("finalizedBlock", finalized.map(num) ?? .null)]
        case .endpointHidRecord(let endpoint, let hash, let block):
            return [("endpoint", .string(endpoint)), ("txHash", tx(hash)), ("blockNumber", num(block))]
        case .endpointsDisagree(let conflicts):
            return [("conflicts", .array(conflicts.map(conflict)))]
        }
    }

    /// `check` (the failed proof step's code) and, for the steps that compare values, what was compared.
    private static func proofCheck(_ c: ProofCheck) -> [(String, JSON)] {
        var out: [(String, JSON)] = [("check", .string(c.code))]
        switch c {
        case .logBlock(let log, let receipt): out += [("logBlock", num(log)), ("receiptBlock", num(receipt))]
        case .batchSigner(let batch, let log): out += [("batchSigner", address(batch)), ("logSigner", address(log))]
        case .chainId(let signed, let named):
            out += [("transactionChainId", num(signed)), ("endpointChainId", num(named))]
        case .notConfirmedAt(let endpoint, let head):
            out += [("notConfirmedAt", .string(endpoint)), ("confirmedHead", num(head))]
        default: break
        }
        return out
    }

    private static func conflict(_ c: EndpointConflict) -> JSON {
        switch c {
        case .forged(let endpoint, let hash, let check):
            return .object(
                [("kind", .string("forged")), ("endpoint", .string(endpoint)), ("txHash", tx(hash))]
                    + proofCheck(check))
        case .blockDiffers(let reporting, let hash, let block, let blockHash, let other, let theirs):
            return .object([
                ("kind", .string("blockDiffers")), ("reporting", .array(reporting.map { .string($0) })),
                ("txHash", tx(hash)), ("blockNumber", num(block)), ("blockHash", tx(blockHash)),
                ("endpoint", .string(other)), ("theirBlockHash", theirs.map(tx) ?? .null),
            ])
        case .revocationDiffers(let signer, let endpoints, let revokedAt):
            return .object([
                ("kind", .string("revocationDiffers")), ("signer", address(signer)),
                ("endpoints", .array(endpoints.map { .string($0) })),
                ("revokedAt", .array(revokedAt.map { $0.map(num) ?? .null })),
            ])
        }
    }
}
