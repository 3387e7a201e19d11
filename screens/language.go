package screens

import (
	"os"
	"strings"

	"fyne.io/fyne/v2/lang"

	"sesame/assets"
	"sesame/recovery"
)

// Languages are the tags SetLanguage takes, besides "" for the system's.
var Languages = []string{"en", "zh_Hans"}

// systemLanguage is $LANGUAGE as the program found it.
var systemLanguage, hadLanguage = os.LookupEnv("LANGUAGE")

// chosenLanguage is the tag SetLanguage was last given.
var chosenLanguage string

// SetLanguage loads the translations and shows them in the language tag
// names, or in the system's language for "": ChooseLanguage, then
// LoadTranslations.
func SetLanguage(tag string) error {
	ChooseLanguage(tag)
	return LoadTranslations()
}

// LoadTranslations loads the app's translations in the language chosen.
// At start it may run on another goroutine than the UI's, before any
// screen is built: Fyne's lang package has no lock.
func LoadTranslations() error {
	return lang.AddTranslationsFS(assets.Translations, assets.TranslationsDir)
}

// ChooseLanguage chooses the language tag names, or the system's for "",
// for the translations loaded next. Fyne's lang package reads the language
// from the environment each time translations are added, so the choice
// goes through $LANGUAGE (and, where the locale is C, which would hide
// $LANGUAGE, a UTF-8 C locale for messages).
func ChooseLanguage(tag string) {
	chosenLanguage = tag
	switch {
	case tag != "":
		os.Setenv("LANGUAGE", tag)
		for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
			if v := os.Getenv(k); v != "" {
				if v == "C" || v == "POSIX" {
					os.Setenv(k, "C.UTF-8")
				}
				break
			}
		}
		if os.Getenv("LC_ALL")+os.Getenv("LC_MESSAGES")+os.Getenv("LANG") == "" {
			os.Setenv("LC_MESSAGES", "C.UTF-8")
		}
	case hadLanguage:
		os.Setenv("LANGUAGE", systemLanguage)
	default:
		os.Unsetenv("LANGUAGE")
	}
}

// wordlistName is the name of a BIP39 wordlist in the interface's
// language ("wordlist.<tag>"), such as 英语 for English in Chinese.
func wordlistName(l recovery.Language) string {
	return lang.L("wordlist." + strings.ToLower(strings.ReplaceAll(l.Tag(), "-", "_")))
}
