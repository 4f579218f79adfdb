import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// The small parsers everything else stands on, tested directly: JSON, hex, and the argument parser.
@Suite struct ParserTests {
    @Test func jsonAcceptsRFC8259AndKeepsNumbersAndOrder() throws {
        let doc = try JSON.parse(
            #" {"b": [1, -0.5e+3, true, null], "a": "\u00e9\ud83d\ude00\n", "big": 115792089237316195423570985008687907853269984665640564039457584007913129639935} "#
        )
        #expect(doc.objectValue?.map(\.0) == ["b", "a", "big"])
        #expect(doc["b"]?.arrayValue == [.number("1"), .number("-0.5e+3"), .bool(true), .null])
        #expect(doc["a"]?.stringValue == "é😀\n")
        #expect(doc["big"] == .number("115792089237316195423570985008687907853269984665640564039457584007913129639935"))
        #expect(try JSON.parse(doc.compact) == doc)
        #expect(try JSON.parse(doc.pretty) == doc)
    }

    @Test func jsonRejectsWhatRFC8259Rejects() {
        let bad = [
            "", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "+1", "\"\\x\"", "\"a\nb\"", "\"\\ud800\"", "nul",
            "{\"a\" 1}", "[1] 2", "{'a':1}", "\u{feff}{}", "[" + String(repeating: "[", count: 70) + "]",
        ]
        for text in bad {
            #expect(throws: JSON.ParseError.self, "\(text.prefix(20))") { try JSON.parse(text) }
        }
        #expect(throws: JSON.ParseError.self) { try JSON.parse([0x22, 0xff, 0x22]) }  // not UTF-8
    }

    @Test func hex() {
        #expect(Hex.encode([0x00, 0xab, 0xff]) == "00abff")
        #expect(Hex.encode([0x01], prefix: true) == "0x01")
        #expect(Hex.decode("0xABcd") == [0xab, 0xcd])
        #expect(Hex.decode("0X00") == [0x00])
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("0x") == [])
        for bad in ["0", "0x0", "zz", "0xg0", " 00", "00 "] { #expect(Hex.decode(bad) == nil, "\(bad)") }
        #expect(Hex.decode("0011", count: 2) == [0x00, 0x11])
        #expect(Hex.decode("0011", count: 3) == nil)
    }

    let options: [Option] = [
        .flag("--json", "JSON."), .value("--rpc", "URL", "Endpoint.", aliases: ["--rpc-url", "-r"]),
        .value("--signer", "ADDR", "Signer.", repeatable: true),
    ]

    @Test func argumentsParseValuesFlagsAliasesAndPositionals() throws {
        let a = try Arguments(
            ["x", "--json", "--rpc=http://a", "--signer", "s1", "-", "--signer", "s2", "--", "--json", "-r"],
            options: options, usage: "u")
        #expect(a.flag("--json"))
        #expect(a.value("--rpc") == "http://a")
        #expect(a.all("--signer") == ["s1", "s2"])
        #expect(a.positionals == ["x", "-", "--json", "-r"])
        let alias = try Arguments(["-r", "http://b"], options: options, usage: "u")
        #expect(alias.value("--rpc") == "http://b")
    }

    @Test func argumentsRejectWhatTheyDoNotKnow() {
        let cases: [[String]] = [
            ["--bogus"], ["--json=1"], ["--rpc"], ["--rpc", "a", "--rpc-url", "b"], ["-r", "a", "--rpc=b"],
        ]
        for argv in cases {
            #expect(throws: UsageError.self, "\(argv)") { try Arguments(argv, options: options, usage: "u") }
        }
    }
}
