// swift-tools-version:6.0
import PackageDescription

// No Swift package dependencies: the only libraries are the system's OpenSSL and libcurl.
let package = Package(
    name: "Provenance",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "provenance", targets: ["provenance"]),
        .library(name: "ProvenanceKit", targets: ["ProvenanceKit"]),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // Non-variadic, non-macro entry points for the few C APIs Swift cannot call directly.
        .target(name: "CShim", dependencies: ["COpenSSL", "CCurl"]),
        .target(name: "ProvenanceKit", dependencies: ["COpenSSL", "CCurl", "CShim"]),
        .executableTarget(name: "provenance", dependencies: ["ProvenanceKit"]),
        // scripts/bench only: sign/recover rates through the library.
        .executableTarget(name: "provenance-bench", dependencies: ["ProvenanceKit", "COpenSSL"]),
        .testTarget(
            name: "ProvenanceKitTests",
            dependencies: ["ProvenanceKit", "COpenSSL"]
        ),
    ]
)
