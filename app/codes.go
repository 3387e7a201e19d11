package app

import (
	"maps"
	"slices"
)

// ErrorCodes returns, sorted, every code [ErrorCode] can return: the
// screens need "error.<code>" and "remedy.<code>" for each. It is the set
// ErrorCode itself reads: an API problem keeps its code when the set holds
// it, so the set is both what ErrorCode accepts and all it can make. It
// holds the API's problem codes, the check's causes (the transport, TLS and
// keychain failures among them), the codes of the sentinels, "other" and
// "api_problem".
func ErrorCodes() []string {
	return slices.Sorted(maps.Keys(knownCodes))
}
