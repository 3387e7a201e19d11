// Package clocale makes a C locale with a codeset (LANG=C.UTF-8, the usual
// locale of containers and CI) read as English by Fyne's language lookup,
// which otherwise takes "C" for a language tag and logs "Error parsing
// user locale C" at every start. The sesame command imports it for that
// side effect.
//
// It must act before Fyne's lang package initialises, which looks the
// locale up in its init. Go initialises, of the packages whose imports are
// ready, the one whose path sorts first: this one imports only os and
// strings, and Fyne's lang package needs text/template, which sorts after
// sesame/..., so this init runs first.
package clocale

import (
	"os"
	"strings"
)

func init() { apply(os.Getenv, os.Setenv) }

// apply sets $LANGUAGE to English when it is empty and the locale that
// names the messages' language is C or POSIX with a codeset or modifier
// ("C.UTF-8", "POSIX@euro"). Plain "C" and "POSIX" need nothing: the
// lookup knows them. Any other locale is left as it is.
func apply(getenv func(string) string, setenv func(string, string) error) {
	if getenv("LANGUAGE") != "" || !codesetC(messagesLocale(getenv)) {
		return
	}
	_ = setenv("LANGUAGE", "en")
}

// messagesLocale is the first of $LC_ALL, $LC_MESSAGES and $LANG that is
// set, as gettext reads them.
func messagesLocale(getenv func(string) string) string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			return v
		}
	}
	return ""
}

// codesetC reports whether loc is C or POSIX followed by "." or "@".
func codesetC(loc string) bool {
	for _, base := range []string{"C", "POSIX"} {
		if len(loc) > len(base) && loc[:len(base)] == base && (loc[len(base)] == '.' || loc[len(base)] == '@') {
			return true
		}
	}
	return false
}

// Messages returns the locale that names the language of messages, as
// gettext reads it: the first entry of $LANGUAGE unless the locale is
// plain C or POSIX, else the first of $LC_ALL, $LC_MESSAGES and $LANG that
// is set ("zh_CN.UTF-8"), or "".
func Messages(getenv func(string) string) string {
	loc := messagesLocale(getenv)
	if loc == "C" || loc == "POSIX" {
		return loc
	}
	for l := range strings.SplitSeq(getenv("LANGUAGE"), ":") {
		if l != "" {
			return l
		}
	}
	return loc
}
