import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// A Python server of the project's own (the devnet, the fault proxy) run for a test on a free
/// loopback port; stopped when released.
final class ChildServer {
    let process = Process()
    let url: String

    init(script: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: try interopPython())
        process.arguments = [repoRoot.appendingPathComponent(script).path] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The server prints "… listening on http://127.0.0.1:PORT …" once it is ready. Read with poll()
        // and a deadline, so a server that starts but never answers cannot hang the test run. The deadline
        // is a hang guard, not a speed limit: many devnets import py-evm at once when the suite starts, on
        // a machine whose cores may be busy with other work.
        var text = ""
        let deadline = Date().addingTimeInterval(600)
        let fd = out.fileHandleForReading.fileDescriptor
        while !text.contains("\n") {
            guard process.isRunning, Date() < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw ProvenanceError.input("\(script) did not start within 600 s")
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 200) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { continue }
            text += String(decoding: buffer[0..<n], as: UTF8.self)
        }
        guard let range = text.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) else {
            kill(process.processIdentifier, SIGKILL)
            throw ProvenanceError.input("\(script) printed no URL: \(text)")
        }
        url = String(text[range])
    }

    deinit {
        // SIGKILL: the child may inherit a blocked SIGTERM from the test runner's signal mask.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Sets the fault proxy's plan for the next requests. A plan that was not set is an error, never a
    /// test run against the previous plan.
    func plan(_ actions: String) throws {
        let r = try runTool(
            "/usr/bin/curl", ["-s", "-f", "-m", "120", "-X", "POST", "--data-binary", actions, url + "/__plan"])
        guard r.status == 0 else { throw ProvenanceError.input("\(url)/__plan: curl exit \(r.status)") }
    }

    func stats() throws -> JSON {
        try JSON.parse(try runTool("/usr/bin/curl", ["-s", "-m", "120", url + "/__stats"]).out)
    }
}

/// Adds `count` empty blocks to a devnet with its anvil_mine (thousands a second; py-evm mining each
/// block took minutes for 10,000 on a loaded machine). It mines towards a target height, at most 2,000
/// blocks a call, each call sent once and given all the time it needs: a timed-out request sent again
/// would mine its blocks twice, and an answer lost on the way costs nothing, as the head is read again.
func mineEmptyBlocks(_ count: UInt64, on url: String) throws {
    let endpoint = try Endpoint(url)
    let chain = EthClient(endpoint: endpoint, timeout: 3600)
    let miner = RPCClient(endpoint: endpoint, timeout: 3600)
    miner.maxAttempts = 1
    let target = try chain.blockNumber() + count
    for _ in 0..<100 {
        let head = try chain.blockNumber()
        guard head < target else { return }
        do {
            _ = try miner.call("anvil_mine", [.string("0x" + String(min(target - head, 2_000), radix: 16))])
        } catch RPCError.rpc(let code, let message, _) {
            throw ProvenanceError.input("anvil_mine refused (\(code)): \(message)")
        } catch {
            // The answer was lost, not necessarily the blocks: the head says how many there are.
        }
    }
    throw ProvenanceError.input("the devnet at \(url) did not reach block \(target)")
}

/// The funded development key of the devnet (Anvil/Hardhat account 0: public, for local use only).
let devKeyHex = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

/// A devnet of its own with the registry deployed, and a CLI in a fresh temporary directory that holds
/// the funded development key as dev.key and whose ETH_RPC_URL (plus `rpcSuffix`) points at it.
func deployedDevnet(rpcSuffix: String = "") throws -> (ChildServer, CLI) {
    let devnet = try ChildServer(script: "devnet/server.py", arguments: ["--port", "0"])
    return (devnet, try deployedCLI(on: devnet, rpcSuffix: rpcSuffix))
}

/// A CLI in a fresh temporary directory with the funded development key as dev.key, its ETH_RPC_URL (plus
/// `rpcSuffix`) pointed at `chain`, where the registry has been deployed (a failed deploy throws with its error).
func deployedCLI(on chain: ChildServer, rpcSuffix: String = "") throws -> CLI {
    var cli = CLI(dir: try makeTempDir())
    try cli.write("dev.key", devKeyHex + "\n")
    cli.environment["ETH_RPC_URL"] = chain.url + rpcSuffix
    let deployed = try cli.run(["registry", "deploy", "--private-key-file", "dev.key"])
    guard deployed.status == 0 else { throw ProvenanceError.input("registry deploy failed: \(deployed.err)") }
    return cli
}

/// A test CA and a certificate for localhost signed by it, made with openssl in `dir`: ca.pem, and
/// NAME.pem with its key NAME.key. A client trusts the site only with ca.pem (PROVENANCE_CA_FILE).
func makeTestCA(in dir: URL, site name: String) throws {
    func openssl(_ args: [String]) throws {
        let r = try runTool("/usr/bin/openssl", args, cwd: dir)
        guard r.status == 0 else { throw ProvenanceError.input("openssl \(args[0]): \(r.err)") }
    }
    try openssl([
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
        "-subj", "/CN=Provenance test CA",
    ])
    try openssl([
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(name).key", "-out", "\(name).csr", "-subj",
        "/CN=localhost",
    ])
    try Data("subjectAltName=DNS:localhost\n".utf8).write(to: dir.appendingPathComponent("ext.cnf"))
    try openssl([
        "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
        "\(name).pem", "-days", "1", "-extfile", "ext.cnf",
    ])
}
