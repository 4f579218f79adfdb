# pragma version 0.4.3
"""
@title Minimal ENS reverse registrar for the devnet (development only): setName(name) records the
       caller's primary name at <caller's lowercase hex>.addr.reverse. Installed at mainnet's address.
"""

interface Registry:
    def setSubnodeOwner(node: bytes32, label: bytes32, owner: address) -> bytes32: nonpayable
    def setResolver(node: bytes32, resolver: address): nonpayable

interface Resolver:
    def setName(node: bytes32, n: String[255]): nonpayable

REGISTRY: constant(address) = 0x00000000000C2E074eC69A0dFb2997BA6C7d2e1e
RESOLVER: constant(address) = 0x231b0Ee14048e9dCcD1d247744d114a4EB5E8E63
ADDR_REVERSE_NODE: constant(bytes32) = 0x91d1777781884d03a6757a803996e38de2a42967fb37eeaca72729271025a9e2


@pure
@internal
def _hex_label(a: address) -> bytes32:
    """keccak256 of the 40 lowercase hex digits of `a`."""
    v: uint256 = convert(a, uint256)
    high: uint256 = 0  # digits 0..31
    low: uint256 = 0  # digits 32..39, left-aligned
    for i: uint256 in range(40):
        nibble: uint256 = (v >> (4 * (39 - i))) & 15
        c: uint256 = nibble + 48
        if nibble >= 10:
            c = nibble + 87
        if i < 32:
            high = high | (c << (8 * (31 - i)))
        else:
            low = low | (c << (8 * (31 - (i - 32))))
    return keccak256(concat(convert(high, bytes32), slice(convert(low, bytes32), 0, 8)))


@external
def setName(n: String[255]) -> bytes32:
    label: bytes32 = self._hex_label(msg.sender)
    node: bytes32 = extcall Registry(REGISTRY).setSubnodeOwner(ADDR_REVERSE_NODE, label, self)
    extcall Registry(REGISTRY).setResolver(node, RESOLVER)
    extcall Resolver(RESOLVER).setName(node, n)
    return node
