package authapi

import (
	"slices"
	"strconv"
	"strings"
)

// HeaderAcceptLanguage carries the client's UI language on every request
// (RFC 9110 §12.5.4); the server mails an address without an account in
// the language it matches.
const HeaderAcceptLanguage = "Accept-Language"

// DefaultLanguage is the language of a mail when no other matches.
const DefaultLanguage = "en"

// chineseSimplified lists the Chinese tags without a script that are
// written in Simplified characters; zh-Hant, zh-TW, zh-HK and zh-MO are
// not, and match no Simplified language.
var chineseSimplified = []string{"zh", "zh-cn", "zh-sg", "zh-my"}

// MatchLanguage picks from supported (BCP 47 tags such as "en" and
// "zh-Hans") the language that an Accept-Language value prefers: the range
// of highest quality, the first of equal ones, that a supported tag
// matches by prefix ("en-US" matches "en", "zh-Hans-CN" and "zh-CN" match
// "zh-Hans"). It returns DefaultLanguage when none does. '_' counts as '-'.
func MatchLanguage(acceptLanguage string, supported []string) string {
	best, bestQ := DefaultLanguage, 0
	for _, part := range strings.Split(acceptLanguage, ",") {
		rng, params, _ := strings.Cut(part, ";")
		q := 1000
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			q = quality(strings.TrimSpace(v))
		} else if strings.TrimSpace(params) != "" {
			q = 0
		}
		if q <= bestQ {
			continue
		}
		if tag, ok := matchRange(strings.TrimSpace(rng), supported); ok {
			best, bestQ = tag, q
		}
	}
	return best
}

// quality parses a weight (0 to 1, at most 3 decimals) in thousandths;
// a malformed one counts as 0, not acceptable.
func quality(v string) int {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1 || len(v) > 5 {
		return 0
	}
	return int(f*1000 + 0.5)
}

// matchRange finds the supported tag that the language range r names.
func matchRange(r string, supported []string) (string, bool) {
	r = strings.ToLower(strings.ReplaceAll(r, "_", "-"))
	if slices.Contains(chineseSimplified, r) {
		r = "zh-hans"
	}
	for _, t := range supported {
		lt := strings.ToLower(t)
		if r == lt || strings.HasPrefix(r, lt+"-") {
			return t, true
		}
	}
	return "", false
}
