// swift-tools-version:6.0
import PackageDescription

// No Swift package dependencies: the only libraries are the system's OpenSSL and libcurl.
// Dependencies run one way: ProvenanceCore → ProvenanceChain → ProvenanceCLI → provenance.
let package = Package(
    name: "Provenance",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "provenance", targets: ["provenance"]),
        .library(name: "ProvenanceCore", targets: ["ProvenanceCore"]),
        .library(name: "ProvenanceChain", targets: ["ProvenanceChain"]),
    ],
    targets: [
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Non-variadic entry points for libcurl's variadic setopt/getinfo.
        .target(name: "CShim", dependencies: ["CCurl"]),
        // Process hardening calls Swift cannot make (prctl is variadic).
        .target(name: "CSystem"),
        // SHA-256 on the SHA-NI instructions, one stream or two interleaved (OpenSSL elsewhere). Always
        // optimised: at -O0 (debug builds) it ran at 248 MB/s against OpenSSL's 1,550 (measured).
        .target(name: "CSHA256", cSettings: [.unsafeFlags(["-O2"])]),
        // Formats and local checks: support, crypto, keys, hashing, manifests, transactions, the
        // registry's code and calldata, offline verification. No network.
        .target(name: "ProvenanceCore", dependencies: ["COpenSSL", "CSystem", "CSHA256"]),
        // Everything that talks to a chain: RPC transport and client, sending, the registry, on-chain verification.
        .target(name: "ProvenanceChain", dependencies: ["ProvenanceCore", "CCurl", "CShim"]),
        // The command line: argument parsing, key selection and prompts, presentation, exit codes.
        .target(name: "ProvenanceCLI", dependencies: ["ProvenanceCore", "ProvenanceChain"]),
        .executableTarget(name: "provenance", dependencies: ["ProvenanceCLI"]),
        // scripts/bench only: sign/recover rates through the library against OpenSSL's own ECDSA.
        .executableTarget(name: "provenance-bench", dependencies: ["ProvenanceCore", "ProvenanceChain", "COpenSSL"]),
        .testTarget(
            name: "ProvenanceTests",
            dependencies: ["ProvenanceCore", "ProvenanceChain", "ProvenanceCLI", "COpenSSL"]
        ),
    ]
)
