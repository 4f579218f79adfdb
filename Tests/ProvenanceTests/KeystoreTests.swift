import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

@Suite(.tags(.unit)) struct KeystoreTests {
    /// ethereum/tests keystore_basic_tests.json: every case decrypts to its key, except test2, whose
    /// scrypt parameters (r=1, p=8, n=2^18) break RFC 7914 and must give a clear error, not a crash.
    @Test func ethereumTestsVectors() throws {
        let doc = try Vectors.load("ethereum-tests/keystore_basic_tests.json")
        let cases = try doc.objectValue.unwrap()
        #expect(cases.count >= 5)
        for (name, c) in cases {
            let password = secret(try c["password"].unwrap().stringValue.unwrap())
            let json = try c["json"].unwrap()
            if name == "test2" {
                do {
                    _ = try Keystore.decrypt(json, password: password)
                    Issue.record("test2 should be refused")
                } catch let e as ProvenanceError {
                    #expect(e.message.contains("RFC 7914"))
                }
                continue
            }
            let key = try Keystore.decrypt(json, password: password)
            let expected = try c["priv"].unwrap().stringValue.unwrap()
            #expect(key.withUnsafeBytes { Hex.encode($0) } == expected, "\(name)")
        }
    }

    /// VECTORS.md scrypt keystore (geth's defaults n=2^18, r=8, p=1).
    @Test func gethDefaultScryptVector() throws {
        let json = try JSON.parse(
            """
            {"version":3,"id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","address":"008aeeda4d805471df9b2a5b0f38a0c3bcba786b",
             "crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"740770fce12ce862af21264dab25f1da"},
             "ciphertext":"1b368ffb2db0fcec8802eceba0b2820ae1069ef3815ac97ca1031371748f6e18","kdf":"scrypt",
             "kdfparams":{"dklen":32,"n":262144,"p":1,"r":8,"salt":"25710c2ccd7c610b24d068af83b959b7a0e5f40641f0c82daeb1345766191034"},
             "mac":"61de4bf77db2f8e07e01232c045e5b455997efeb22bb8ea08a66ff5a252182a6"}}
            """)
        let key = try Keystore.decrypt(json, password: secret("testpassword"))
        #expect(
            key.withUnsafeBytes { Hex.encode($0) } == "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d"
        )
        #expect(key.address.checksummed == "0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b")
        #expect(throws: Keystore.DecryptError.self) { try Keystore.decrypt(json, password: secret("wrong")) }
    }

    @Test func roundTripAndHostileParameters() throws {
        let key = try PrivateKey.generate()
        let json = try Keystore.encrypt(key, password: secret("pw"), parameters: .light)
        #expect(try Keystore.decrypt(json, password: secret("pw")).address == key.address)
        #expect(!json.compact.contains(key.withUnsafeBytes { Hex.encode($0) }))

        func mutated(_ path: [String], _ value: JSON) -> JSON {
            func set(_ j: JSON, _ p: ArraySlice<String>) -> JSON {
                guard let k = p.first, case .object(var m) = j else { return value }
                if let i = m.firstIndex(where: { $0.0 == k }) { m[i].1 = set(m[i].1, p.dropFirst()) }
                return .object(m)
            }
            return set(json, path[...])
        }
        let hostile: [(JSON, String)] = [
            (mutated(["crypto", "kdfparams", "n"], .number("1099511627776")), "scrypt memory"),
            (mutated(["crypto", "kdf"], .string("argon2")), "unsupported kdf"),
            (mutated(["crypto", "cipher"], .string("aes-256-gcm")), "unsupported cipher"),
            (mutated(["crypto", "mac"], .string("zz")), "bad mac"),
            (mutated(["version"], .int(2)), "version"),
        ]
        for (doc, expected) in hostile {
            do {
                _ = try Keystore.decrypt(doc, password: secret("pw"))
                Issue.record("accepted a hostile keystore (\(expected))")
            } catch let e as ProvenanceError {
                #expect(e.message.contains(expected), "\(e.message)")
            }
        }
    }
}
