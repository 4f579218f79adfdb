import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// The small parsers everything else stands on, tested directly: JSON, hex, and the argument parser.
@Suite(.tags(.unit)) struct ParserTests {
    /// EIP-55's own examples: each is its lowercase form's checksum, and one letter's case flipped is refused.
    @Test func eip55Examples() throws {
        for text in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ] {
            #expect(try Address(text.lowercased()).checksummed == text)
            #expect(try Address(text).checksummed == text)
            let flipped = text.replacingOccurrences(of: "a", with: "A")
            #expect(throws: ProvenanceError.self, "\(flipped)") { try Address(flipped) }
        }
    }

    /// Block times as verdicts print them, against GNU date (`date -u -d @N`); times past 2^40 s are
    /// clamped there.
    @Test func blockTimesInUTC() {
        #expect(Timestamp.utc(0) == "1970-01-01 00:00:00 UTC")
        #expect(Timestamp.utc(1_764_129_906) == "2025-11-26 04:05:06 UTC")
        #expect(Timestamp.utc(951_868_799) == "2000-02-29 23:59:59 UTC")
        #expect(Timestamp.utc(1 << 40) == "36812-02-20 00:36:16 UTC")
        #expect(Timestamp.utc(UInt64.max) == Timestamp.utc(1 << 40))
    }

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

    let json = Flag("--json", "JSON.")
    let rpc = Value<String>("--rpc", "URL", "Endpoint.", aliases: ["--rpc-url", "-r"])
    let signer = Value<String>("--signer", "ADDR", "Signer.", repeatable: true)
    var options: [Option] { [json.option, rpc.option, signer.option] }

    @Test func argumentsParseValuesFlagsAliasesAndPositionals() throws {
        let a = try Arguments(
            ["x", "--json", "--rpc=http://a", "--signer", "s1", "-", "--signer", "s2", "--", "--json", "-r"],
            options: options, usage: "u")
        #expect(a[json])
        #expect(try a.get(rpc) == "http://a")
        #expect(try a.all(signer) == ["s1", "s2"])
        #expect(a.positionals == ["x", "-", "--json", "-r"])
        let alias = try Arguments(["-r", "http://b"], options: options, usage: "u")
        #expect(try alias.get(rpc) == "http://b")
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
