package server

import (
	"net/netip"

	"sesame/server/store"
)

// The rate limits are token buckets kept in the store (store.TakeToken),
// so that every server on one database shares them. This file holds their
// buckets and keys; Server.limit takes the tokens.

// limitOf is the bucket of r: Burst at once, refilled PerMinute.
func limitOf(r Rate) store.Limit {
	return store.Limit{PerSecond: float64(r.PerMinute) / 60, Burst: r.Burst}
}

// dailyLimit allows n a day: n at once, refilled over a day; negative is
// no limit.
func dailyLimit(n int) store.Limit { return store.Limit{PerSecond: float64(n) / 86400, Burst: n} }

// addrKey is the key of a client address for the per-address limit and
// the hashing queue: an IPv4 address (IPv4-mapped too) is its own key, an
// IPv6 address its /64, the smallest prefix a subscriber is given, so that
// the 2^64 addresses of one client share a key.
func addrKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "ip:" + ip
	}
	if a = a.Unmap().WithZone(""); a.Is6() {
		p, _ := a.Prefix(64)
		return "ip:" + p.String()
	}
	return "ip:" + a.String()
}

// The keys of the per-minute and daily caps of code mails to an address.
func mailKey(email string) string      { return "mail:" + email }
func dailyMailKey(email string) string { return "mail-day:" + email }

// slotKey is the key of a known device's own share of the limit key (see
// startCode), or key itself for store.AnySlot.
func slotKey(key, slot string) string {
	if slot == store.AnySlot {
		return key
	}
	return key + "@" + store.DeviceKeyPrefix + slot
}
