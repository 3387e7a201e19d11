package authapi

import (
	"errors"
	"strconv"
	"strings"
)

// ErrInvalidVersion reports a version that is not MAJOR.MINOR.PATCH.
var ErrInvalidVersion = errors.New("version must be MAJOR.MINOR.PATCH")

// ParseVersion reads a semantic version; a leading "v" and any pre-release
// or build suffix are allowed and ignored for ordering.
func ParseVersion(v string) ([3]int, error) {
	var out [3]int
	v = strings.TrimPrefix(v, "v")
	if i := strings.IndexAny(v, "-+"); i >= 0 {
		v = v[:i]
	}
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return out, ErrInvalidVersion
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || len(p) > 9 {
			return out, ErrInvalidVersion
		}
		out[i] = n
	}
	return out, nil
}

// CompareVersions returns -1, 0 or 1 as a is below, equal to or above b.
func CompareVersions(a, b [3]int) int {
	for i := range a {
		switch {
		case a[i] < b[i]:
			return -1
		case a[i] > b[i]:
			return 1
		}
	}
	return 0
}
