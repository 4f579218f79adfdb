/// Why a verdict is what it is: stable codes with structured fields, in the style of C2PA's validation
/// status codes. Libraries return these; the command line words them, and `--json` prints the code and
/// the fields (docs/FORMAT.md §6d lists every code).
public enum Reason: Sendable, Equatable {
    /// The copy could not be read, downloaded or searched (the message says why; nil: it was not read).
    case fileUnreadable(message: String?)
    /// No manifest where one was looked for (nil: a streamed copy with no --manifest or --feed).
    case manifestMissing(at: String?)
    /// A manifest is here but the file it was written beside is not.
    case fileMissing(manifest: String)
    /// The manifest could not be read or parsed.
    case manifestMalformed(at: String, message: String)
    /// The manifest's proof or signature does not hold.
    case manifestInauthentic(at: String, problem: AuthenticityProblem)
    /// A valid signature by this signer over exactly this content.
    case signatureValid(signer: Address)
    /// The manifest is authentic but signed by a key the verifier does not trust.
    case signerUntrusted(signer: Address)
    /// The copy's content ID is not the signed original's.
    case contentMismatch(signer: Address, size: UInt64, originalSize: UInt64)
    /// A record of this content, proven here from its transaction, receipt, block and signature.
    case recordProven(chainId: UInt64, endpoints: Int)
    /// An endpoint reported a record that failed the local proof.
    case recordForged(endpoint: String, txHash: [UInt8], check: ProofCheck)
    /// A record exists that could not be proven here.
    case recordUnprovable(endpoint: String, txHash: [UInt8], check: ProofCheck)
    /// The trusted signer's key was revoked before (or in) the record's block.
    case recordRevoked(signer: Address, chainId: UInt64, block: UInt64, revokedAt: UInt64, revokedTime: UInt64)
    /// Records exist, none by a signer the verifier trusts.
    case recordUntrustedSigner(chainId: UInt64, signers: [Address])
    /// No record of this exact content by those looked for.
    case recordNotFound(chainId: UInt64, registry: Address, lookedFor: ChainRecords.LookedFor)
    /// The original a modified copy was compared with is attested by a trusted, unrevoked signer.
    case originalAttested(chainId: UInt64, block: UInt64)
    /// The original is attested, but not by a signer the verifier trusts.
    case originalUntrustedSigner(chainId: UInt64)
    /// The original is not attested on this chain.
    case originalNotAttested(chainId: UInt64)
    /// The original is attested only by its signer's key after that key was revoked.
    case originalRevoked(chainId: UInt64)
    /// The original's record by the manifest's signer anchors other details than the manifest carries: its
    /// chunk list, window keys and fingerprint are not the anchored ones and are not used.
    case originalDetailsDiffer(chainId: UInt64, block: UInt64)
    /// Offline: the manifest's chunk list and fingerprint are signed, but no chain was asked whether they are
    /// the anchored ones.
    case detailsSignedOnly
    /// Fetched originals (a feed, a manifest URL) hold nothing of this copy.
    case originalNotFound(originals: Int)
    /// A fetched original that was not used, and why (unfetchable, unparsable, inauthentic, untrusted).
    case originalSetAside(entry: String)
    /// Items of a feed past the limit of items compared.
    case originalsNotCompared(items: Int)
    /// The manifest is authentic and by a signer you trust, but its record is not on this chain.
    case detailsNotAnchored(signer: Address, chainId: UInt64)
    /// The manifest is authentic but by a signer the verifier does not trust (on-chain runs).
    case manifestUntrustedSigner(signer: Address)
    /// Not one byte is the original's, but stretches of its sound match the original's fingerprint.
    case soundMatches(signer: Address)
    /// The sound was compared and does not match.
    case soundDiffers
    /// The sound could not be compared (the message says why).
    case soundNotCompared(message: String)
    /// The sound matches, but the original is not attested here by a signer you trust.
    case soundOriginalUntrusted
    /// Not one byte is the original's, but stretches of its picture match the original's picture fingerprint.
    case pictureMatches(signer: Address)
    /// The picture was compared and matches nowhere.
    case pictureDiffers
    /// The picture was not compared (the message says why: no decoder, no picture fingerprint).
    case pictureNotCompared(message: String)
    /// Where the picture matches, the sound does not (clip seconds).
    case soundUnmatched(start: Double, end: Double)
    /// Where the sound matches, the picture does not (clip seconds).
    case pictureUnmatched(start: Double, end: Double)
    /// Where the picture matches, a region of it differs (clip seconds; fractions of the clip's frame).
    case pictureRegionDiffers(PictureRegion)
    /// Verified but for finality: the record's block is above the finalized block (nil: none named).
    case recordNotFinal(block: UInt64, finalized: UInt64?)
    /// An endpoint left out a record in a block it agrees is canonical (a warning: the record counts).
    case endpointHidRecord(endpoint: String, txHash: [UInt8], block: UInt64)
    /// The endpoints contradict each other on this content's records.
    case endpointsDisagree(conflicts: [EndpointConflict])

    /// The stable codes, one per case.
    public enum Code: String, CaseIterable, Sendable {
        case fileUnreadable = "file.unreadable"
        case manifestMissing = "manifest.missing"
        case fileMissing = "file.missing"
        case manifestMalformed = "manifest.malformed"
        case manifestInauthentic = "manifest.inauthentic"
        case signatureValid = "signature.valid"
        case signerUntrusted = "signer.untrusted"
        case contentMismatch = "content.mismatch"
        case recordProven = "record.proven"
        case recordForged = "record.forged"
        case recordUnprovable = "record.unprovable"
        case recordRevoked = "record.revoked"
        case recordUntrustedSigner = "record.untrustedSigner"
        case recordNotFound = "record.notFound"
        case originalAttested = "original.attested"
        case originalUntrustedSigner = "original.untrustedSigner"
        case originalNotAttested = "original.notAttested"
        case originalRevoked = "original.revoked"
        case originalDetailsDiffer = "original.detailsDiffer"
        case detailsSignedOnly = "details.signedOnly"
        case originalNotFound = "original.notFound"
        case originalSetAside = "original.setAside"
        case originalsNotCompared = "original.notCompared"
        case detailsNotAnchored = "details.notAnchored"
        case manifestUntrustedSigner = "manifest.untrustedSigner"
        case soundMatches = "sound.matches"
        case soundDiffers = "sound.differs"
        case soundNotCompared = "sound.notCompared"
        case soundOriginalUntrusted = "sound.originalUntrusted"
        case pictureMatches = "picture.matches"
        case pictureDiffers = "picture.differs"
        case pictureNotCompared = "picture.notCompared"
        case soundUnmatched = "sound.unmatched"
        case pictureUnmatched = "picture.unmatched"
        case pictureRegionDiffers = "picture.regionDiffers"
        case recordNotFinal = "record.notFinal"
        case endpointHidRecord = "endpoint.hidRecord"
        case endpointsDisagree = "endpoints.disagree"
    }

    public var code: Code {
        switch self {
        case .fileUnreadable: return .fileUnreadable
        case .manifestMissing: return .manifestMissing
        case .fileMissing: return .fileMissing
        case .manifestMalformed: return .manifestMalformed
        case .manifestInauthentic: return .manifestInauthentic
        case .signatureValid: return .signatureValid
        case .signerUntrusted: return .signerUntrusted
        case .contentMismatch: return .contentMismatch
        case .recordProven: return .recordProven
        case .recordForged: return .recordForged
        case .recordUnprovable: return .recordUnprovable
        case .recordRevoked: return .recordRevoked
        case .recordUntrustedSigner: return .recordUntrustedSigner
        case .recordNotFound: return .recordNotFound
        case .originalAttested: return .originalAttested
        case .originalUntrustedSigner: return .originalUntrustedSigner
        case .originalNotAttested: return .originalNotAttested
        case .originalRevoked: return .originalRevoked
        case .originalDetailsDiffer: return .originalDetailsDiffer
        case .detailsSignedOnly: return .detailsSignedOnly
        case .originalNotFound: return .originalNotFound
        case .originalSetAside: return .originalSetAside
        case .originalsNotCompared: return .originalsNotCompared
        case .detailsNotAnchored: return .detailsNotAnchored
        case .manifestUntrustedSigner: return .manifestUntrustedSigner
        case .soundMatches: return .soundMatches
        case .soundDiffers: return .soundDiffers
        case .soundNotCompared: return .soundNotCompared
        case .soundOriginalUntrusted: return .soundOriginalUntrusted
        case .pictureMatches: return .pictureMatches
        case .pictureDiffers: return .pictureDiffers
        case .pictureNotCompared: return .pictureNotCompared
        case .soundUnmatched: return .soundUnmatched
        case .pictureUnmatched: return .pictureUnmatched
        case .pictureRegionDiffers: return .pictureRegionDiffers
        case .recordNotFinal: return .recordNotFinal
        case .endpointHidRecord: return .endpointHidRecord
        case .endpointsDisagree: return .endpointsDisagree
        }
    }
}

/// Why a manifest is not authentic: each step of the check that can fail (docs/FORMAT.md §6).
public enum AuthenticityProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// Its EIP-712 domain names another registry.
    case wrongRegistry(signed: Address, expected: Address)
    /// The batch proof does not lead from the file's leaf to the signed Merkle root.
    case batchProof
    /// The signature recovers to another key than the stated signer.
    case notByStatedSigner(stated: Address)
    /// The signature does not recover at all (out of range, high s, bad recovery id).
    case invalidSignature(message: String)

    public var code: String {
        switch self {
        case .wrongRegistry: return "manifest.wrongRegistry"
        case .batchProof: return "manifest.batchProof"
        case .notByStatedSigner: return "signature.mismatch"
        case .invalidSignature: return "signature.invalid"
        }
    }

    /// The problem in words, for logs and the set-aside lists of fetched originals.
    public var description: String {
        switch self {
        case .wrongRegistry(let signed, let expected): return "signed for registry \(signed), expected \(expected)"
        case .batchProof: return "the batch proof does not lead to the signed Merkle root"
        case .notByStatedSigner(let stated): return "the signature is not by the stated signer \(stated)"
        case .invalidSignature(let message): return "invalid signature: \(message)"
        }
    }
}
