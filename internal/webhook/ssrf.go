package webhook

import (
	"net/netip"
	"syscall"
)

// refusedPrefixes are the ranges, beyond what netip classifies by itself
// (loopback, private, link-local, multicast, unspecified), that a webhook must
// not reach: they are internal to a network or not routable on the internet.
var refusedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),     // "this network"
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT, often the cloud's internal network
	netip.MustParsePrefix("192.0.0.0/24"),  // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),   // reserved, includes broadcast 255.255.255.255
	netip.MustParsePrefix("::/96"),         // deprecated IPv4-compatible IPv6 (also holds :: and ::1)
	netip.MustParsePrefix("fec0::/10"),     // deprecated site-local
}

// nat64 and sixTo4 are IPv6 prefixes whose last 32 bits (NAT64) or bits 16–48
// (6to4) carry an IPv4 address that the path may lead to. Such an address is
// refused when the IPv4 address inside is; public ones stay allowed so that
// IPv6-only hosts behind DNS64 can still reach IPv4 receivers.
var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4 = netip.MustParsePrefix("2002::/16")
)

// refusedAddr reports whether a webhook may not connect to ip because it is
// loopback, private, link-local (the cloud metadata address 169.254.169.254
// included), unspecified, multicast, broadcast or otherwise internal, in its
// IPv4, IPv4-mapped IPv6 or IPv6 form.
func refusedAddr(ip netip.Addr) bool {
	ip = ip.WithZone("").Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range refusedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	b := ip.As16()
	switch {
	case nat64.Contains(ip):
		return refusedAddr(netip.AddrFrom4([4]byte(b[12:16])))
	case sixTo4.Contains(ip):
		return refusedAddr(netip.AddrFrom4([4]byte(b[2:6])))
	}
	return false
}

// refusedError is the error of a dial to a refused address. Send reports its
// text as is, so it names the address but nothing else about the network.
type refusedError struct{ addr string }

func (e *refusedError) Error() string {
	return "address " + e.addr + " is not allowed (private network)"
}

// dialControl returns a net.Dialer Control function that fails the dial when
// refuse says no. Control runs on the resolved address actually being
// connected to, after DNS and for every redirect hop, so a name that resolves
// (or later re-resolves) to an internal address is caught where a check of the
// URL alone would not be.
func dialControl(refuse func(netip.AddrPort) bool) func(network, address string, c syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			// Fail closed: the dialer always passes a literal ip:port.
			return &refusedError{addr: address}
		}
		if refuse(ap) {
			return &refusedError{addr: ap.Addr().WithZone("").Unmap().String()}
		}
		return nil
	}
}
