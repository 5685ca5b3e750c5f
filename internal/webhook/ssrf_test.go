package webhook

import (
	"net/netip"
	"testing"
)

func TestRefusedAddr(t *testing.T) {
	t.Parallel()
	refused := []string{
		"127.0.0.1", "127.255.255.254", // loopback
		"10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.0.1", "192.168.255.255", // private
		"169.254.169.254", "169.254.0.1", // link-local, cloud metadata
		"0.0.0.0", "0.1.2.3", // unspecified, "this network"
		"100.64.0.1", "100.127.255.255", // CGNAT
		"224.0.0.1", "239.255.255.250", // multicast
		"255.255.255.255", "240.0.0.1", // broadcast, reserved
		"192.0.0.8", "198.18.0.1", "198.19.255.255", // IETF, benchmarking
		"::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "fe80::1%eth0", "ff02::1", "fec0::1",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:100.64.0.1", "::ffff:0.0.0.0",
		"::ffff:255.255.255.255", "::127.0.0.1", // IPv4-mapped and IPv4-compatible
		"64:ff9b::a00:1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", // NAT64 of private, loopback, metadata
		"2002:a00:1::1", "2002:7f00:1::", // 6to4 of 10.0.0.1, 127.0.0.1
	}
	allowed := []string{
		"8.8.8.8", "1.1.1.1", "93.184.215.14", "11.0.0.1", "126.255.255.255", "128.0.0.1",
		"172.15.255.255", "172.32.0.0", "192.167.255.255", "192.169.0.1", "100.63.255.255", "100.128.0.0",
		"169.253.255.255", "169.255.0.1", "223.255.255.255", "198.17.255.255", "198.20.0.0",
		"2606:4700:4700::1111", "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1",
	}
	for _, s := range refused {
		if !refusedAddr(netip.MustParseAddr(s)) {
			t.Errorf("refusedAddr(%s) = false, want true", s)
		}
	}
	for _, s := range allowed {
		if refusedAddr(netip.MustParseAddr(s)) {
			t.Errorf("refusedAddr(%s) = true, want false", s)
		}
	}
	if !refusedAddr(netip.Addr{}) {
		t.Error("refusedAddr(zero Addr) = false, want true")
	}
}

func TestDialControl(t *testing.T) {
	t.Parallel()
	control := dialControl(func(ap netip.AddrPort) bool { return refusedAddr(ap.Addr()) })
	tests := []struct {
		address string
		want    string // error text, "" when the dial may go on
	}{
		{"93.184.215.14:443", ""},
		{"[2606:4700:4700::1111]:80", ""},
		{"127.0.0.1:8080", "address 127.0.0.1 is not allowed (private network)"},
		{"[::ffff:169.254.169.254]:80", "address 169.254.169.254 is not allowed (private network)"},
		{"[fe80::1%eth0]:80", "address fe80::1 is not allowed (private network)"},
		{"[::1]:80", "address ::1 is not allowed (private network)"},
		{"not-an-address", "address not-an-address is not allowed (private network)"},
	}
	for _, tc := range tests {
		err := control("tcp", tc.address, nil)
		if got := errText(err); got != tc.want {
			t.Errorf("control(%q) = %q, want %q", tc.address, got, tc.want)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
