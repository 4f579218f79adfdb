import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

@Suite(.tags(.unit)) struct SignatureVectorTests {
    @Test func rfc6979Nonce() throws {
        let key = [UInt8](repeating: 0, count: 31) + [1]
        let digest = SHA256Hasher.hash(Array("Satoshi Nakamoto".utf8))
        #expect(
            Hex.encode(try RFC6979.firstNonce(privateKey: key, digest: digest))
                == "8f8a276c19f4149656b280621e358cce24f5f52542772691ee69063b74f15d15")
    }

    @Test func eip155SigningNonceAndSender() throws {
        let key = try PrivateKey(bytes: [UInt8](repeating: 0x46, count: 32))
        #expect(key.address.checksummed == "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F")
        let digest = hex("daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
        #expect(
            Hex.encode(try RFC6979.firstNonce(privateKey: [UInt8](repeating: 0x46, count: 32), digest: digest))
                == "4944e27076bf36f65cc600501d777cbdb93a740b2d1e12298414c5bad5cd3e56")
        let sig = try key.sign(digest: digest)
        // From the published raw transaction: v = 37 = 0 + 2·1 + 35 → recovery id 0.
        #expect(Hex.encode(sig.r) == "28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276")
        #expect(Hex.encode(sig.s) == "67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83")
        #expect(sig.recoveryID == 0)
        #expect(try ECRecover.address(digest: digest, signature: sig) == key.address)
    }

    @Test func eip191PersonalSign() throws {
        let key = try PrivateKey(hex: "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
        let digest = PersonalMessage.hash(Array("Some data".utf8))
        #expect(Hex.encode(digest) == "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655")
        let sig = try key.sign(digest: digest)
        #expect(
            Hex.encode(sig.bytes)
                == "b91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c"
        )
        #expect(try ECRecover.address(digest: digest, signature: sig) == key.address)
    }

    @Test func eip712MailExample() throws {
        let doc = try JSON.parse(
            """
            {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
              "Person":[{"name":"name","type":"string"},{"name":"wallet","type":"address"}],
              "Mail":[{"name":"from","type":"Person"},{"name":"to","type":"Person"},{"name":"contents","type":"string"}]},
             "primaryType":"Mail",
             "domain":{"name":"Ether Mail","version":"1","chainId":1,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
             "message":{"from":{"name":"Cow","wallet":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},"to":{"name":"Bob","wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},"contents":"Hello, Bob!"}}
            """)
        let td = try TypedData(json: doc)
        #expect(
            try td.encodeType("Mail") == "Mail(Person from,Person to,string contents)Person(string name,address wallet)"
        )
        #expect(
            Hex.encode(try td.typeHash("Mail")) == "a0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2")
        #expect(
            Hex.encode(try td.typeHash("EIP712Domain"))
                == "8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f")
        #expect(
            Hex.encode(try td.domainSeparator()) == "f2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f")
        #expect(
            Hex.encode(try td.hashStruct("Mail", td.message))
                == "c52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e")
        let digest = try td.signingDigest()
        #expect(Hex.encode(digest) == "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2")
        let key = try PrivateKey(bytes: Keccak256.hash(Array("cow".utf8)))
        #expect(key.address.checksummed == "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826")
        let sig = try key.sign(digest: digest)
        #expect(sig.v == 28)
        #expect(Hex.encode(sig.r) == "4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d")
        #expect(Hex.encode(sig.s) == "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562")
    }

    @Test func recoveryRejectsBadScalars() throws {
        let key = try PrivateKey(bytes: [UInt8](repeating: 0x46, count: 32))
        let digest = [UInt8](repeating: 0xab, count: 32)
        let good = try key.sign(digest: digest)
        let n = hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
        let zero = [UInt8](repeating: 0, count: 32)
        #expect(throws: SignatureError.rOutOfRange) {
            try ECRecover.address(digest: digest, signature: .init(r: zero, s: good.s, recoveryID: 0))
        }
        #expect(throws: SignatureError.rOutOfRange) {
            try ECRecover.address(digest: digest, signature: .init(r: n, s: good.s, recoveryID: 0))
        }
        #expect(throws: SignatureError.sOutOfRange) {
            try ECRecover.address(digest: digest, signature: .init(r: good.r, s: zero, recoveryID: 0))
        }
        #expect(throws: SignatureError.sOutOfRange) {
            try ECRecover.address(digest: digest, signature: .init(r: good.r, s: n, recoveryID: 0))
        }
        // High s: n − s with the flipped recovery id is the same point for the EVM, but not canonical.
        let highS = subtract(n, good.s)
        #expect(throws: SignatureError.highS) {
            try ECRecover.address(
                digest: digest, signature: .init(r: good.r, s: highS, recoveryID: good.recoveryID ^ 1))
        }
        // r whose x has no point on the curve: x = 5 has no square root of x³+7 mod p.
        let offCurve = [UInt8](repeating: 0, count: 31) + [5]
        #expect(throws: SignatureError.notOnCurve) {
            try ECRecover.address(digest: digest, signature: .init(r: offCurve, s: good.s, recoveryID: 0))
        }
    }

    @Test func signaturesAreLowSAndDeterministic() throws {
        let key = try PrivateKey.generate()
        let half = hex("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")
        for i in 0..<64 {
            let digest = SHA256Hasher.hash([UInt8(i)])
            let a = try key.sign(digest: digest)
            let b = try key.sign(digest: digest)
            #expect(a == b)
            #expect(a.s.lexicographicallyPrecedes(half) || a.s == half)
            #expect(try ECRecover.address(digest: digest, signature: a) == key.address)
        }
    }
}
