import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// libcurl's proxy environment variables, through real proxies on loopback: http_proxy carries plain
/// HTTP requests, https_proxy tunnels TLS (CONNECT), and no_proxy sends a host around the proxy.
@Suite(.serialized, .tags(.devnet)) final class ProxyEnvironmentTests {
    let devnet: ChildServer
    let dir: URL
    var cli: CLI

    init() throws {
        devnet = try ChildServer(script: "devnet/server.py", arguments: ["--port", "0"])
        dir = try makeTempDir()
        cli = CLI(dir: dir)
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    /// The endpoint named is a dead port; only the proxy (which forwards to the devnet) can answer.
    @Test func httpProxyAndNoProxy() throws {
        let proxy = try ChildServer(script: "devnet/faultproxy.py", arguments: ["--upstream", devnet.url])
        try proxy.plan("[]")
        let dead = "http://127.0.0.1:9/rpc"
        // 60 s: the timeout only bounds a hang; the proxy's answer must not be cut short on a loaded machine.
        let through = try cli.run(["chain", "--rpc", dead, "--rpc-timeout", "60"], env: ["http_proxy": proxy.url])
        #expect(through.status == 0 && through.out.contains("chain id  31337"), "\(through.err)")
        #expect((try proxy.stats()["requests"]?.intValue ?? 0) >= 1)

        try proxy.plan("[]")
        let around = try cli.run(
            ["chain", "--rpc", dead, "--rpc-timeout", "2"], env: ["http_proxy": proxy.url, "no_proxy": "127.0.0.1"])
        #expect(around.status == 3 && around.err.contains("127.0.0.1:9"), "\(around.err)")
        #expect(try proxy.stats()["requests"]?.intValue == 0)
    }

    /// https_proxy: the TLS connection is tunnelled through the proxy (which sees the CONNECT), and the
    /// certificate is still checked end to end (the test server's is self-signed, so it is refused).
    @Test func httpsProxyTunnelsAndStillChecksTheCertificate() throws {
        let cert = dir.appendingPathComponent("cert.pem").path
        let key = dir.appendingPathComponent("key.pem").path
        let made = try runTool(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        try #require(made.status == 0, "\(made.err)")
        let tls = try ChildServer(script: "devnet/tls_server.py", arguments: [cert, key])
        let https = tls.url.replacingOccurrences(of: "http://", with: "https://")
        let proxy = try ChildServer(script: "devnet/connect_proxy.py", arguments: [])
        let stats = { try JSON.parse(try runTool("/usr/bin/curl", ["-s", "-m", "10", proxy.url + "/__stats"]).out) }

        // 60 s: a handshake cut short by the timeout would be refused for another reason than the certificate.
        let r = try cli.run(["chain", "--rpc", https, "--rpc-timeout", "60"], env: ["https_proxy": proxy.url])
        #expect(r.status == 3 && r.err.lowercased().contains("certificate"), "\(r.err)")
        let port = try #require(URLComponents(string: tls.url)?.port)
        #expect(try stats()["targets"]?.arrayValue?.contains(.string("127.0.0.1:\(port)")) == true)

        let before = try stats()["connects"]?.intValue ?? -1
        _ = try cli.run(
            ["chain", "--rpc", https, "--rpc-timeout", "5"], env: ["https_proxy": proxy.url, "no_proxy": "127.0.0.1"])
        #expect(try stats()["connects"]?.intValue == before)
    }

    /// The JSON-RPC transport uses the same HTTP client as downloads, so an in-house CA given in
    /// PROVENANCE_CA_FILE is honoured for an https endpoint too (it was not before the one client).
    @Test func rpcOverHTTPSHonoursTheCAFile() throws {
        try makeTestCA(in: dir, site: "rpc")
        let tls = try ChildServer(
            script: "devnet/tls_server.py",
            arguments: [dir.appendingPathComponent("rpc.pem").path, dir.appendingPathComponent("rpc.key").path])
        let port = try #require(URLComponents(string: tls.url)?.port)
        let https = "https://localhost:\(port)"
        let refused = try cli.run(["chain", "--rpc", https, "--rpc-timeout", "60"])
        #expect(refused.status == 3 && refused.err.lowercased().contains("certificate"), "\(refused.err)")
        // With the CA the handshake succeeds and the stub's reply is read (it answers every call as id 1, so
        // the second call's reply is refused as malformed: the exchange got past TLS).
        let ca = ["PROVENANCE_CA_FILE": dir.appendingPathComponent("ca.pem").path]
        let trusted = try cli.run(["chain", "--rpc", https, "--rpc-timeout", "60"], env: ca)
        #expect(trusted.status == 3 && trusted.err.contains("malformed response"), "\(trusted.err)")
        #expect(!trusted.err.lowercased().contains("certificate"), "\(trusted.err)")
    }
}
