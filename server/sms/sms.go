// Package sms sends the text messages of the reference auth server: the
// codes that verify a phone number and that reset a password by SMS.
//
// [Compose] builds a [Message] of a [Kind] in the account's language from
// the embedded texts/<language>.json. A [Sender] delivers it: [Gateway]
// through an HTTP SMS gateway, or [Outbox] into the server's own store,
// where the local mailbox shows it next to the mails.
package sms

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Message is one text message to one phone number (E.164).
type Message struct {
	To   string
	Text string
}

// Sender delivers text messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Kind names one of the text messages the server sends.
type Kind string

// The kinds of text message; each is a key of every texts/*.json.
const (
	// KindVerifyPhone carries the code that binds a phone number to an
	// account.
	KindVerifyPhone Kind = "verify_phone"
	// KindReset carries a password reset code.
	KindReset Kind = "reset"
)

// Kinds lists every kind.
func Kinds() []Kind { return []Kind{KindVerifyPhone, KindReset} }

// DefaultLanguage is the language of a message whose language has no
// texts.
const DefaultLanguage = "en"

//go:embed texts/*.json
var files embed.FS

// texts are the messages by language and kind, with {code} and {minutes}
// to fill.
var texts = load()

func load() map[string]map[Kind]string {
	out := map[string]map[Kind]string{}
	entries, err := files.ReadDir("texts")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		b, err := files.ReadFile("texts/" + e.Name())
		if err != nil {
			panic(err)
		}
		var m map[Kind]string
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("sms: texts/%s: %v", e.Name(), err))
		}
		out[strings.TrimSuffix(e.Name(), ".json")] = m
	}
	return out
}

// Compose is the message of kind k to the number to, in language, with
// code valid for minutes.
func Compose(k Kind, to, language, code string, minutes int) Message {
	set, ok := texts[language]
	if !ok {
		set = texts[DefaultLanguage]
	}
	r := strings.NewReplacer("{code}", code, "{minutes}", strconv.Itoa(minutes))
	return Message{To: to, Text: r.Replace(set[k])}
}
