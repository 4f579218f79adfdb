# pragma version 0.4.3
"""
@title Minimal ENS registry for the devnet (development only)
@notice The part of ENS a client reads — owner(node), resolver(node) — and what registering a name needs,
        installed at the mainnet registry's address (0x00000000000C2E074eC69A0dFb2997BA6C7d2e1e) in the
        devnet's genesis, so the tool's ENS code is the code that works on mainnet. No constructor: the
        root belongs to the devnet's funded account 0 and `addr.reverse` to the reverse registrar until
        set otherwise.
"""

struct Record:
    owner: address
    resolver: address

ROOT_OWNER: constant(address) = 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
REVERSE_REGISTRAR: constant(address) = 0xa58E81fe9b61B5c3fE2AFD33CF304c454AbFc7Cb
# namehash("addr.reverse")
ADDR_REVERSE_NODE: constant(bytes32) = 0x91d1777781884d03a6757a803996e38de2a42967fb37eeaca72729271025a9e2

records: HashMap[bytes32, Record]


@view
@external
def owner(node: bytes32) -> address:
    return self._owner(node)


@view
@internal
def _owner(node: bytes32) -> address:
    o: address = self.records[node].owner
    if o == empty(address) and node == empty(bytes32):
        return ROOT_OWNER
    if o == empty(address) and node == ADDR_REVERSE_NODE:
        return REVERSE_REGISTRAR
    return o


@view
@external
def resolver(node: bytes32) -> address:
    return self.records[node].resolver


@external
def setSubnodeOwner(node: bytes32, label: bytes32, owner: address) -> bytes32:
    assert self._owner(node) == msg.sender, "not the owner"
    sub: bytes32 = keccak256(concat(node, label))
    self.records[sub].owner = owner
    return sub


@external
def setResolver(node: bytes32, resolver: address):
    assert self._owner(node) == msg.sender, "not the owner"
    self.records[node].resolver = resolver
