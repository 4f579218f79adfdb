# pragma version 0.4.3
"""
@title Minimal ENS public resolver for the devnet (development only): addr(node) and name(node), set by
       the node's owner in the registry. Installed at mainnet's public resolver address.
"""

interface Registry:
    def owner(node: bytes32) -> address: view

REGISTRY: constant(address) = 0x00000000000C2E074eC69A0dFb2997BA6C7d2e1e

addresses: HashMap[bytes32, address]
names: HashMap[bytes32, String[255]]


@view
@external
def addr(node: bytes32) -> address:
    return self.addresses[node]


@view
@external
def name(node: bytes32) -> String[255]:
    return self.names[node]


@external
def setAddr(node: bytes32, a: address):
    assert staticcall Registry(REGISTRY).owner(node) == msg.sender, "not the owner"
    self.addresses[node] = a


@external
def setName(node: bytes32, n: String[255]):
    assert staticcall Registry(REGISTRY).owner(node) == msg.sender, "not the owner"
    self.names[node] = n
