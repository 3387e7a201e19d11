package assets

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template"

	"sesame/authapi"
)

// translationFiles lists the shipped translations; Fyne matches a file's name
// to the system language (zh_Hans: Simplified Chinese).
var translationFiles = []string{"en.json", "zh_Hans.json"}

// requiredKeys are the strings the sign-in screen and the error mapping need
// besides "error.<code>" and "remedy.<code>" for every problem code.
var requiredKeys = []string{
	"app.name", "server.local",
	"signin.title", "signin.email", "signin.password",
	"signin.remember", "signin.submit", "signin.forgot_password",
	"signin.create_account", "signin.cant_sign_in",
	"hint.attempts_left", "hint.retry_in", "hint.maintenance_until", "hint.operator_message",
}

// transportErrors are the failures before any answer of the API (authapi's
// transport errors, one per TLS reason) and the keychain's (one per
// keystore.Reason), by the codes app.ErrorCode gives them. app's own
// translation test checks every code of app.ErrorCodes and the connection
// check's keys; assets cannot import app.
var transportErrors = []string{
	"offline", "dns_failed", "timeout",
	"tls_" + string(authapi.TLSUnknownAuthority), "tls_" + string(authapi.TLSExpired),
	"tls_" + string(authapi.TLSWrongHost), "tls_failed",
	"not_api", "insecure_redirect", "network_failed",
	"keychain_no_session_bus", "keychain_no_provider", "keychain_no_keyring",
	"keychain_locked", "keychain_timeout", "keychain_failed",
}

var (
	keyPattern         = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)+$`)
	placeholderPattern = regexp.MustCompile(`{{\s*\.([A-Za-z][A-Za-z0-9_]*)\s*}}`)
	pluralForms        = []string{"zero", "one", "two", "few", "many", "other"}
)

// message is one translation: a string, or plural forms by CLDR category.
type message map[string]string

// loadTranslations parses a shipped file into key → message.
func loadTranslations(t *testing.T, name string) map[string]message {
	t.Helper()
	data, err := Translations.ReadFile(TranslationsDir + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := make(map[string]message, len(raw))
	for k, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			out[k] = message{"": s}
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil {
			t.Errorf("%s: %q is neither a string nor an object of plural forms", name, k)
			continue
		}
		out[k] = forms
	}
	return out
}

// placeholders returns the sorted template fields a message uses.
func placeholders(m message) []string {
	set := map[string]bool{}
	for _, s := range m {
		for _, sub := range placeholderPattern.FindAllStringSubmatch(s, -1) {
			set[sub[1]] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

func TestTranslations(t *testing.T) {
	entries, err := Translations.ReadDir(TranslationsDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, translationFiles) {
		t.Fatalf("translation files = %v, want %v", names, translationFiles)
	}

	files := map[string]map[string]message{}
	for _, name := range translationFiles {
		files[name] = loadTranslations(t, name)
	}

	for name, msgs := range files {
		for k, m := range msgs {
			if !keyPattern.MatchString(k) {
				t.Errorf("%s: key %q is not dotted lowercase", name, k)
			}
			for form, s := range m {
				if form != "" && !slices.Contains(pluralForms, form) {
					t.Errorf("%s: %q has unknown plural form %q", name, k, form)
				}
				if strings.TrimSpace(s) == "" {
					t.Errorf("%s: %q form %q is empty", name, k, form)
				}
				// A separator (", ") is the one text that ends in a space.
				if strings.TrimSpace(s) != s && !strings.HasSuffix(k, "_separator") {
					t.Errorf("%s: %q form %q has leading or trailing space", name, k, form)
				}
				if _, err := template.New(k).Parse(s); err != nil {
					t.Errorf("%s: %q form %q: %v", name, k, form, err)
				}
			}
			if _, plural := m[""]; !plural {
				if _, ok := m["other"]; !ok {
					t.Errorf("%s: plural %q has no \"other\" form", name, k)
				}
			}
		}
	}

	// English plurals need "one" and "other".
	for k, m := range files["en.json"] {
		if _, plain := m[""]; plain {
			continue
		}
		if _, ok := m["one"]; !ok {
			t.Errorf("en.json: plural %q has no \"one\" form", k)
		}
	}

	// Same keys and same template fields in every language.
	en := files["en.json"]
	for _, name := range translationFiles[1:] {
		other := files[name]
		for k := range en {
			if _, ok := other[k]; !ok {
				t.Errorf("%s lacks %q", name, k)
			}
		}
		for k, m := range other {
			e, ok := en[k]
			if !ok {
				t.Errorf("%s has %q, en.json does not", name, k)
				continue
			}
			if a, b := placeholders(e), placeholders(m); !slices.Equal(a, b) {
				t.Errorf("%q uses fields %v in en.json but %v in %s", k, a, b, name)
			}
		}
	}

	// Every problem code, transport failure and sign-in string is there.
	want := slices.Clone(requiredKeys)
	for _, c := range authapi.Codes {
		want = append(want, "error."+string(c), "remedy."+string(c))
	}
	for _, e := range transportErrors {
		want = append(want, "error."+e, "remedy."+e)
	}
	for _, name := range translationFiles {
		for _, k := range want {
			if _, ok := files[name][k]; !ok {
				t.Errorf("%s lacks %q", name, k)
			}
		}
	}
}

// chineseTight is a Han character touching a Latin letter or a digit.
var chineseTight = regexp.MustCompile(`\p{Han}[A-Za-z0-9]|[A-Za-z0-9]\p{Han}`)

// TestChineseSpacing checks that the Chinese texts set a space between
// Chinese and Latin letters, digits or a figure ("向 {{.Email}} 发送 6 位验证码"),
// as most of them do, so that no screen mixes the two styles. A brand
// written as one word (QQ邮箱) is the exception.
func TestChineseSpacing(t *testing.T) {
	actions := regexp.MustCompile(`{{[^}]*}}`)
	for k, m := range loadTranslations(t, "zh_Hans.json") {
		for form, s := range m {
			// A figure reads as a Latin word; other actions part branches.
			s = placeholderPattern.ReplaceAllString(s, "X")
			s = strings.ReplaceAll(actions.ReplaceAllString(s, "\n"), "QQ邮箱", "")
			if loc := chineseTight.FindStringIndex(s); loc != nil {
				t.Errorf("zh_Hans.json: %q form %q: no space in %q", k, form, s[loc[0]:loc[1]])
			}
		}
	}
}

// TestQuotes: each language quotes with its own marks: English with
// straight double quotes (its curly ones are an em wide in the shipped CJK
// font, see TestEnglishPunctuationIsProportional), Chinese with “” or 「」;
// guillemets are neither's.
func TestQuotes(t *testing.T) {
	for _, file := range translationFiles {
		for k, m := range loadTranslations(t, file) {
			for form, s := range m {
				if strings.ContainsAny(s, "«»‹›") {
					t.Errorf("%s: %q form %q quotes with guillemets: %q", file, k, form, s)
				}
			}
		}
	}
}
